"""Writes of jobs: create, update, the status moves (open, hold, fill, close, reopen), sharing to
circles and deleting drafts.

Every write takes the organisation or a job that carries it, runs in `transaction.atomic` and raises
`ValidationError` with field messages a recruiter can act on; nothing is written when it raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from engagement.circles.jobs.alerts.opening import job_alerts_on_open
from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from engagement.circles.services import render_markdown
from talentcircles.models import Organization, User

Status = Job.Status
MAX_DESCRIPTION_LENGTH = 20_000
MAX_LIST_ITEMS = 30
MAX_ITEM_LENGTH = 80
CURRENCY = re.compile(r"^[A-Z]{3}$")
# The fields a recruiter edits; status moves through `job_set_status` only.
EDITABLE = (
    "title", "team", "description", "locations", "remote_policy", "employment_type", "seniority", "skills",
    "salary_min", "salary_max", "salary_currency", "owner", "hiring_manager", "ats_url",
)  # fmt: skip
# Where each status may go next: a filled or closed job can be reopened, a draft only opened.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.OPEN, Status.CLOSED}),
    Status.OPEN: frozenset({Status.ON_HOLD, Status.FILLED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.FILLED, Status.CLOSED}),
    Status.FILLED: frozenset({Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def clean_list(items: Iterable[str] | str | None) -> list[str]:
    """Trimmed, de-duplicated (case-blind) entries in the order given; a string is split on commas and lines."""
    if isinstance(items, str):
        items = re.split(r"[,\n]", items)
    seen: dict[str, str] = {}
    for item in items or []:
        text = str(item).strip()
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def _check_list(errors: dict[str, list[str]], name: str, items: list[str]) -> None:
    if len(items) > MAX_LIST_ITEMS:
        errors[name] = [f"List at most {MAX_LIST_ITEMS}."]
    elif any(len(item) > MAX_ITEM_LENGTH for item in items):
        errors[name] = [f"Keep each entry under {MAX_ITEM_LENGTH} characters."]


def _check_choices(errors: dict[str, list[str]], fields: Mapping[str, Any]) -> None:
    for name, choices in [
        ("remote_policy", Job.RemotePolicy),
        ("employment_type", Job.EmploymentType),
        ("seniority", Job.Seniority),
    ]:
        if fields[name] not in choices.values:
            errors[name] = [f"Choose one of: {', '.join(v for v in choices.values if v)}."]


def _check_salary(errors: dict[str, list[str]], fields: Mapping[str, Any]) -> None:
    low, high, currency = fields["salary_min"], fields["salary_max"], fields["salary_currency"]
    for name, value in [("salary_min", low), ("salary_max", high)]:
        if value is not None and not (isinstance(value, int) and 0 <= value <= 2_000_000_000):
            errors[name] = ["Give a whole amount from 0 to 2,000,000,000."]
    both_valid = "salary_min" not in errors and "salary_max" not in errors
    if both_valid and low is not None and high is not None and low > high:
        errors["salary_max"] = ["The maximum salary must not be below the minimum."]
    if (low is not None or high is not None) and not CURRENCY.match(currency):
        errors["salary_currency"] = ["Give the salary's currency as a three-letter code, e.g. EUR."]
    elif currency and not CURRENCY.match(currency):
        errors["salary_currency"] = ["Give the currency as a three-letter code, e.g. EUR."]


def _check_people(errors: dict[str, list[str]], org: Organization, fields: Mapping[str, Any]) -> None:
    for name in ("owner", "hiring_manager"):
        user = fields[name]
        if user is not None and not user.memberships.filter(organization=org).exists():
            errors[name] = ["Choose a member of your organisation."]


def _check(org: Organization, fields: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not fields["title"]:
        errors["title"] = ["Give the job a title."]
    elif len(fields["title"]) > 200:
        errors["title"] = ["Keep the title under 200 characters."]
    if len(fields["team"]) > 120:
        errors["team"] = ["Keep the team under 120 characters."]
    if len(fields["description"]) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = [f"Keep the description under {MAX_DESCRIPTION_LENGTH:,} characters."]
    _check_list(errors, "locations", fields["locations"])
    _check_list(errors, "skills", fields["skills"])
    _check_choices(errors, fields)
    _check_salary(errors, fields)
    _check_people(errors, org, fields)
    if fields["ats_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["ats_url"])
        except ValidationError:
            errors["ats_url"] = ["Give the full address of the posting, starting with https://."]
    if errors:
        raise ValidationError(errors)


def _check_publishable(fields: Mapping[str, Any]) -> None:
    """What an open job needs so its public page (and its JobPosting data) says what and where."""
    errors: dict[str, list[str]] = {}
    if not fields["description"]:
        errors["description"] = ["Describe the job before opening it: candidates and search engines read this."]
    if fields["remote_policy"] != Job.RemotePolicy.REMOTE and not fields["locations"]:
        errors["locations"] = ["An on-site or hybrid job needs at least one location before it opens."]
    if errors:
        raise ValidationError(errors)


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    for name in ("title", "team", "description", "ats_url"):
        fields[name] = (fields[name] or "").strip()
    fields["salary_currency"] = (fields["salary_currency"] or "").strip().upper()
    fields["seniority"] = fields["seniority"] or ""
    fields["locations"] = clean_list(fields["locations"])
    fields["skills"] = clean_list(fields["skills"])
    return fields


def _unique_slug(org: Organization, title: str) -> str:
    base = slugify(title)[:80] or "job"
    taken = set(Job.objects.for_org(org).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def job_create(*, org: Organization, actor: User | None, data: Mapping[str, Any]) -> Job:
    """A draft job from `data` (the EDITABLE fields; missing ones take their defaults). The actor owns it
    unless `data` names an owner."""
    defaults = {name: getattr(Job(), name) for name in EDITABLE}  # the model's defaults
    defaults["owner"] = actor
    fields = _normalised({**defaults, **{k: v for k, v in data.items() if k in EDITABLE}})
    _check(org, fields)
    job = Job(organization=org, slug=_unique_slug(org, fields["title"]), **fields)
    job.description_html = render_markdown(job.description)
    job.save()
    return job


@transaction.atomic
def job_update(*, job: Job, data: Mapping[str, Any]) -> Job:
    """Change the EDITABLE fields given in `data`; the slug stays, so links to the job keep working."""
    current = {name: getattr(job, name) for name in EDITABLE}
    fields = _normalised({**current, **{k: v for k, v in data.items() if k in EDITABLE}})
    _check(job.organization, fields)
    if job.status == Status.OPEN:
        _check_publishable(fields)
    for name, value in fields.items():
        setattr(job, name, value)
    job.description_html = render_markdown(job.description)
    job.updated_at = timezone.now()
    job.save(update_fields=[*EDITABLE, "description_html", "updated_at"])
    return job


@transaction.atomic
def job_set_status(*, job: Job, status: str) -> Job:
    """Move the job to `status` if its current status allows it (see TRANSITIONS); opening stamps
    `opened_at`, filling or closing stamps `closed_at`."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if status not in Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Status.values)}."]})
    if status not in TRANSITIONS[locked.status]:
        current, wanted = Status(locked.status).label, Status(status).label
        raise ValidationError({"status": [f"A job that is {current.lower()} cannot become {wanted.lower()}."]})
    if status == Status.OPEN:
        _check_publishable({name: getattr(locked, name) for name in EDITABLE})
    now = timezone.now()
    job.status, job.updated_at = status, now
    if status == Status.OPEN:
        job.opened_at, job.closed_at = now, None
    elif status in (Status.FILLED, Status.CLOSED):
        job.closed_at = now
    job.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    if status == Status.OPEN:
        job_alerts_on_open(job=job)  # members whose job alerts it matches hear of it (durably, after commit)
    return job


def job_open(*, job: Job) -> Job:
    return job_set_status(job=job, status=Status.OPEN)


def job_close(*, job: Job) -> Job:
    return job_set_status(job=job, status=Status.CLOSED)


@transaction.atomic
def job_share(*, job: Job, circles: Iterable[Circle]) -> Job:
    """Share the job to exactly these circles of its organisation (an empty list stops sharing it).

    A circle of another organisation is a ValidationError on `circles` and nothing changes."""
    chosen = list(circles)
    if any(circle.organization_id != job.organization_id for circle in chosen):
        raise ValidationError({"circles": ["Choose circles of your organisation."]})
    job.circles.set(chosen)
    return job


@transaction.atomic
def job_delete(*, job: Job) -> None:
    """Delete a draft. A job that was ever opened is history (interest, links, feeds): close it instead."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != Status.DRAFT:
        raise ValidationError(
            {
                "status": [
                    f"Only a draft can be deleted; this job is {locked.get_status_display().lower()}. Close it instead."
                ]
            }
        )
    locked.delete()
