"""A member's job-alert preference, as chosen in the portal: the one write path for it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.alerts.models import AlertFrequency, JobAlert, JobAlertPreference
from engagement.circles.jobs.models import Job

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 80


def clean_tags(items: Iterable[str] | str | None) -> list[str]:
    """Trimmed, de-duplicated (case-blind) entries in the order given; a string is split on commas and lines."""
    if isinstance(items, str):
        items = re.split(r"[,\n]", items)
    seen: dict[str, str] = {}
    for item in items or []:
        text = " ".join(str(item).split())
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def _check(skills: list[str], locations: list[str], remote_policies: list[str], frequency: str) -> None:
    errors: dict[str, list[str]] = {}
    for name, items in (("skills", skills), ("locations", locations)):
        if len(items) > MAX_ITEMS:
            errors[name] = [f"List at most {MAX_ITEMS}."]
        elif any(len(item) > MAX_ITEM_LENGTH for item in items):
            errors[name] = [f"Keep each entry under {MAX_ITEM_LENGTH} characters."]
    if not remote_policies:
        errors["remote_policies"] = ["Choose at least one kind of workplace you would accept."]
    elif set(remote_policies) - set(Job.RemotePolicy.values):
        errors["remote_policies"] = [f"Choose among: {', '.join(Job.RemotePolicy.labels)}."]
    if frequency not in AlertFrequency.values:
        errors["frequency"] = [f"Choose one of: {', '.join(AlertFrequency.labels)}."]
    if errors:
        raise ValidationError(errors)


def job_alert_preference_for(candidate: Candidate) -> JobAlertPreference:
    """The candidate's preference, or an unsaved one with the defaults (alerts off: never a surprise e-mail)."""
    found = JobAlertPreference.objects.filter(candidate=candidate).first()
    return found or JobAlertPreference(organization_id=candidate.organization_id, candidate=candidate)


@transaction.atomic
def job_alert_preference_set(
    *,
    candidate: Candidate,
    skills: Iterable[str] | str,
    locations: Iterable[str] | str,
    remote_policies: Iterable[str],
    frequency: str,
) -> JobAlertPreference:
    """Save what openings the candidate wants by e-mail and how often. Turning alerts off drops the due ones;
    raises ValidationError with field messages (nothing is written then)."""
    skills, locations = clean_tags(skills), clean_tags(locations)
    policies = [p for p in Job.RemotePolicy.values if p in set(remote_policies)] + sorted(
        set(remote_policies) - set(Job.RemotePolicy.values)
    )
    _check(skills, locations, policies, frequency)
    if candidate.erased_at is not None:
        raise ValidationError("This person's data was erased.")
    now = timezone.now()
    preference, _created = JobAlertPreference.objects.update_or_create(
        candidate=candidate,
        defaults={
            "organization_id": candidate.organization_id,
            "skills": skills,
            "locations": locations,
            "remote_policies": policies,
            "frequency": frequency,
            "updated_at": now,
        },
    )
    if frequency == AlertFrequency.NEVER:
        JobAlert.objects.filter(candidate=candidate, status=JobAlert.Status.PENDING).update(
            status=JobAlert.Status.DROPPED, drop_reason=JobAlert.DropReason.ALERTS_OFF, settled_at=now
        )
    return preference


def skill_suggestions(*, org_id: int, limit: int = 40) -> list[str]:
    """The skills of the organisation's open jobs, most wanted first: suggestions for the alert form."""
    counts: dict[str, tuple[int, str]] = {}
    for skills in Job.objects.filter(organization_id=org_id, status=Job.Status.OPEN).values_list("skills", flat=True)[
        :500
    ]:
        for skill in skills:
            n, name = counts.get(skill.casefold(), (0, skill))
            counts[skill.casefold()] = (n + 1, name)
    ranked = sorted(counts.values(), key=lambda pair: (-pair[0], pair[1].casefold()))
    return [name for _n, name in ranked[:limit]]
