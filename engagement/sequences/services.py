"""Every write of follow-up sequences: building them, enrolling candidates, pausing and stopping.

Timing is pure (`next_opening`, `add_delay`, `schedule_step`) so it can be tested with explicit
datetimes. The dispatcher that runs due steps is `engagement.dispatcher`; the stop rules fed by
candidate events are `engagement.sequence_receivers`.

Validation errors are Django `ValidationError`s keyed by field; a step's field is keyed
`steps[<index>].<field>` with the index in the list as submitted (0-based).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.models import Circle
from engagement.circles.selectors import circle_audience
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep
from engagement.timeline.models import Reminder
from messaging.models import MessageTemplate
from messaging.services import SKIP_REASONS, skip_reasons
from talentcircles.guards import bulk_send_block
from talentcircles.models import Organization, User

logger = logging.getLogger(__name__)

MAX_STEPS = 10
# Enrolments above this many candidates are accepted and run by a background job with progress.
BACKGROUND_ENROLMENT_THRESHOLD = 1000
ENROLMENT_CHUNK = 1000
_PARKED = 1000  # steps renumbered move through order + _PARKED
_ID_CHUNK = 5000  # SQLite caps the number of query parameters

# Why a candidate is not enrolled: messaging's reasons plus the sequence's own; labels are shown.
ENROLL_SKIP_REASONS = {
    **SKIP_REASONS,
    "already_enrolled": "Already enrolled in this sequence",
    "final_stage": "In a final stage (hired, not interested or archived)",
    "other_organization": "Not one of this organisation's candidates",
}

State = Enrollment.State


# --- Timing (pure) ------------------------------------------------------------------------------


def zone(tz_name: str | None, fallback: str = "UTC") -> ZoneInfo:
    for name in (tz_name, fallback, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _weekdays(org: Organization) -> frozenset[int]:
    # An empty setting would mean "never"; treat it as every day rather than stall every sequence.
    days = frozenset(int(d) for d in (org.send_weekdays or "") if d.isdigit() and 1 <= int(d) <= 7)
    return days or frozenset(range(1, 8))


def _window(org: Organization, window_start: time | None, window_end: time | None) -> tuple[time, time]:
    start, end = window_start or org.send_window_start, window_end or org.send_window_end
    if start >= end:  # a broken override falls back to the organisation's window
        start, end = org.send_window_start, org.send_window_end
    return start, end


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # Round trip through UTC so a wall time inside a DST gap becomes a real instant.
    return datetime.combine(day, at, tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz)


def next_opening(
    when: datetime,
    *,
    org: Organization,
    tz_name: str | None,
    window_start: time | None = None,
    window_end: time | None = None,
) -> datetime:
    """`when` if it falls inside the send window, else the window's next opening.

    The window is the organisation's (or the sequence's override) on the organisation's send
    weekdays, read in `tz_name` (the candidate's time zone), falling back to the organisation's.
    Returns an aware datetime in that time zone.
    """
    tz = zone(tz_name, org.time_zone)
    start, end = _window(org, window_start, window_end)
    days = _weekdays(org)
    local = when.astimezone(tz)
    if local.isoweekday() in days and start <= local.timetz().replace(tzinfo=None) < end:
        return local
    day = local.date()
    if local.isoweekday() in days and local.time() < start:
        return _local(day, start, tz)
    for _ in range(7):
        day += timedelta(days=1)
        if day.isoweekday() in days:
            return _local(day, start, tz)
    return _local(day, start, tz)  # unreachable: _weekdays is never empty


def in_window(when: datetime, *, org: Organization, tz_name: str | None, **window) -> bool:
    return next_opening(when, org=org, tz_name=tz_name, **window) == when


def add_delay(
    start: datetime,
    *,
    hours: int | None = None,
    business_days: int | None = None,
    tz_name: str | None = "UTC",
    weekdays: Iterable[int] = (1, 2, 3, 4, 5),
) -> datetime:
    """`start` plus a delay: hours of elapsed time, or business days (the same local time of day
    `business_days` working days later, counted on `weekdays` in `tz_name`)."""
    if business_days:
        tz, days = zone(tz_name), frozenset(weekdays) or frozenset(range(1, 8))
        local = start.astimezone(tz)
        day, left = local.date(), business_days
        while left:
            day += timedelta(days=1)
            if day.isoweekday() in days:
                left -= 1
        return _local(day, local.time(), tz)
    return start + timedelta(hours=hours or 0)


def candidate_tz(candidate: Candidate, org: Organization) -> str:
    return candidate.time_zone or org.time_zone


def schedule_step(step: SequenceStep, *, after: datetime, org: Organization, tz_name: str | None) -> datetime:
    """When `step` runs if the previous one ran at `after`: its delay, then into the send window."""
    sequence = step.sequence
    due = add_delay(
        after,
        hours=step.delay_hours,
        business_days=step.delay_business_days,
        tz_name=tz_name or org.time_zone,
        weekdays=_weekdays(org),
    )
    return next_opening(
        due, org=org, tz_name=tz_name, window_start=sequence.send_window_start, window_end=sequence.send_window_end
    )


def next_day_opening(now: datetime, *, org: Organization, tz_name: str | None, sequence: Sequence) -> datetime:
    """The first send-window opening on a later day (in the organisation's time zone) than `now`."""
    org_tz = zone(org.time_zone)
    tomorrow = datetime.combine(now.astimezone(org_tz).date() + timedelta(days=1), time(0, 0), tzinfo=org_tz)
    return next_opening(
        tomorrow,
        org=org,
        tz_name=tz_name,
        window_start=sequence.send_window_start,
        window_end=sequence.send_window_end,
    )


def local_day_start(now: datetime, *, org: Organization) -> datetime:
    org_tz = zone(org.time_zone)
    return datetime.combine(now.astimezone(org_tz).date(), time(0, 0), tzinfo=org_tz)


# --- Guardrails ---------------------------------------------------------------------------------


def bulk_sends_paused(org: Organization, recruiter: User | None) -> bool:
    """True while `recruiter`'s bulk sends are paused (the response-rate guard's improvement period).

    The dispatcher consults it before every sequence send, as sequence messages are not one-to-one;
    the guard itself registers with `talentcircles.guards`.
    """
    return bulk_send_block(org, recruiter) is not None


# --- Building sequences -------------------------------------------------------------------------


def _int(value, errors: dict, key: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[key] = ["Give a whole number."]
        return 0
    if isinstance(value, float) and value != number:
        errors[key] = ["Give a whole number."]
    return number


def _clean_steps(org: Organization, steps: list[dict]) -> list[dict]:
    """Validated step data, sorted by order and renumbered 1..N; raises ValidationError."""
    errors: dict[str, list[str]] = {}
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": ["Add at least one step."]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [f"A sequence has at most {MAX_STEPS} steps."]})
    template_ids = {s.get("template") for s in steps if isinstance(s, dict)}
    template_ids = {getattr(t, "pk", t) for t in template_ids if t not in (None, "")}
    templates = {
        t.pk: t
        for t in MessageTemplate.objects.for_org(org).filter(pk__in=[t for t in template_ids if str(t).isdigit()])
    }
    cleaned = []
    for index, raw in enumerate(steps):
        key = f"steps[{index}]"
        if not isinstance(raw, dict):
            errors[key] = ["Each step is an object."]
            continue
        order = _int(raw.get("order", index + 1), errors, f"{key}.order") or index + 1
        kind = raw.get("kind") or SequenceStep.Kind.EMAIL
        if kind not in SequenceStep.Kind.values:
            errors[f"{key}.kind"] = ["Choose e-mail or task."]
        hours = _int(raw.get("delay_hours"), errors, f"{key}.delay_hours")
        business_days = _int(raw.get("delay_business_days"), errors, f"{key}.delay_business_days")
        if hours < 0:
            errors[f"{key}.delay_hours"] = ["The delay can't be negative."]
        if business_days < 0:
            errors[f"{key}.delay_business_days"] = ["The delay can't be negative."]
        if hours > 24 * 365:
            errors[f"{key}.delay_hours"] = ["Keep the delay under a year."]
        if business_days > 260:
            errors[f"{key}.delay_business_days"] = ["Keep the delay under a year (260 business days)."]
        if hours and business_days:
            errors[f"{key}.delay_business_days"] = ["Give the delay in hours or in business days, not both."]
        template_ref = raw.get("template")
        template_id = getattr(template_ref, "pk", template_ref)
        template = templates.get(int(template_id)) if str(template_id or "").isdigit() else None
        if kind == SequenceStep.Kind.EMAIL:
            if template_id in (None, ""):
                errors[f"{key}.template"] = ["Choose the template this step sends."]
            elif template is None:
                errors[f"{key}.template"] = ["Unknown template."]
            elif template.archived_at:
                errors[f"{key}.template"] = ["This template is archived; choose another."]
        task_text = (raw.get("task_text") or "").strip()
        if kind == SequenceStep.Kind.TASK:
            template = None
            if not task_text:
                errors[f"{key}.task_text"] = ["Say what the task is (it becomes a reminder)."]
            elif len(task_text) > 300:
                errors[f"{key}.task_text"] = ["Keep the task under 300 characters."]
        step_id = raw.get("id")
        cleaned.append(
            {
                "index": index,
                "id": int(step_id) if str(step_id or "").isdigit() else None,
                "order": order,
                "kind": kind,
                "template": template,
                "delay_hours": max(hours, 0),
                "delay_business_days": max(business_days, 0),
                "same_thread": bool(raw.get("same_thread", True)),
                "task_text": task_text if kind == SequenceStep.Kind.TASK else "",
            }
        )
    if errors:
        raise ValidationError(errors)
    orders = [s["order"] for s in cleaned]
    if len(set(orders)) != len(orders):
        raise ValidationError({"steps": ["Two steps have the same order."]})
    cleaned.sort(key=lambda s: s["order"])
    for position, step in enumerate(cleaned, start=1):
        step["order"] = position
        if position > 1 and not (step["delay_hours"] or step["delay_business_days"]):
            errors[f"steps[{step['index']}].delay_hours"] = [
                "A follow-up needs a delay after the previous step (at least one hour or one business day)."
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_sequence_fields(org: Organization, data: dict, *, instance: Sequence | None) -> dict:
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    if "name" in data or instance is None:
        name = (data.get("name") or "").strip()
        if not name:
            errors["name"] = ["Give the sequence a name."]
        elif len(name) > 120:
            errors["name"] = ["Keep the name under 120 characters."]
        fields["name"] = name
    if "status" in data:
        if data["status"] not in Sequence.Status.values:
            errors["status"] = ["Choose active, paused or archived."]
        fields["status"] = data["status"]
    for name in ("send_window_start", "send_window_end"):
        if name in data:
            fields[name] = data[name] or None
    start = fields.get("send_window_start", instance.send_window_start if instance else None)
    end = fields.get("send_window_end", instance.send_window_end if instance else None)
    if (start is None) != (end is None):
        errors["send_window_end"] = ["Give both ends of the send window, or neither to use the organisation's."]
    elif start is not None and (not isinstance(start, time) or not isinstance(end, time)):
        errors["send_window_start"] = ["Give times such as 09:00."]
    elif start is not None and start >= end:
        errors["send_window_end"] = ["The send window must end after it starts."]
    if "options" in data:
        if not isinstance(data["options"], dict):
            errors["options"] = ["Options are an object."]
        fields["options"] = data["options"]
    if "owner" in data:
        owner = data["owner"]
        if owner is not None and not org.memberships.filter(user=owner).exists():
            errors["owner"] = ["The owner must be a member of this organisation."]
        fields["owner"] = owner
    if errors:
        raise ValidationError(errors)
    return fields


def _realign_enrollments(sequence: Sequence) -> None:
    """After steps changed: each running enrollment's next step is the step after those it has run."""
    steps = {step.order: step for step in sequence.steps.all()}
    running = Enrollment.objects.filter(sequence=sequence, state__in=Enrollment.RUNNING_STATES)
    now = timezone.now()
    for steps_done in set(running.values_list("steps_done", flat=True)):
        step = steps.get(steps_done + 1)
        group = running.filter(steps_done=steps_done)
        if step is None:
            group.update(state=State.COMPLETED, next_step=None, next_run_at=None, completed_at=now, updated_at=now)
        else:
            group.exclude(next_step=step).update(next_step=step, updated_at=now)


def _write_steps(sequence: Sequence, cleaned: list[dict]) -> None:
    existing = {step.pk: step for step in sequence.steps.all()}
    keep = {s["id"] for s in cleaned if s["id"] in existing}
    SequenceStep.objects.filter(sequence=sequence).exclude(pk__in=keep).delete()
    # Park the kept steps on distinct high numbers first: (sequence, order) is unique.
    SequenceStep.objects.filter(sequence=sequence).update(order=F("order") + _PARKED)
    for data in cleaned:
        values = {k: data[k] for k in ("order", "kind", "template", "delay_hours", "delay_business_days",
                                      "same_thread", "task_text")}  # fmt: skip
        if data["id"] in keep:
            SequenceStep.objects.filter(pk=data["id"]).update(**values)
        else:
            SequenceStep.objects.create(sequence=sequence, **values)


@transaction.atomic
def sequence_create(*, org: Organization, owner: User, name: str, steps: list[dict], **data) -> Sequence:
    """A sequence and its steps. `steps`: dicts with order, kind, template (id or object),
    delay_hours / delay_business_days, same_thread, task_text. Raises ValidationError."""
    fields = _clean_sequence_fields(org, {"name": name, "owner": owner, **data}, instance=None)
    cleaned = _clean_steps(org, steps)
    sequence = Sequence.objects.create(organization=org, **fields)
    _write_steps(sequence, cleaned)
    return sequence


@transaction.atomic
def sequence_update(*, sequence: Sequence, steps: list[dict] | None = None, **data) -> Sequence:
    """Change the sequence's fields and (when given) replace its steps; steps keep their identity by
    `id`. Running enrollments carry on with the steps they have not run yet, as edited."""
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    org = sequence.organization
    fields = _clean_sequence_fields(org, data, instance=sequence)
    cleaned = _clean_steps(org, steps) if steps is not None else None
    status_before = sequence.status
    for name, value in fields.items():
        setattr(sequence, name, value)
    sequence.updated_at = timezone.now()
    sequence.save()
    if cleaned is not None:
        _write_steps(sequence, cleaned)
        _realign_enrollments(sequence)
    if sequence.status == Sequence.Status.ARCHIVED and status_before != Sequence.Status.ARCHIVED:
        _stop(Enrollment.objects.filter(sequence=sequence), reason="The sequence was archived.")
    return sequence


@transaction.atomic
def steps_reorder(*, sequence: Sequence, step_ids: list[int]) -> list[SequenceStep]:
    """Put the steps in the given order (every step's id once). Raises ValidationError."""
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    steps = {step.pk: step for step in sequence.steps.all()}
    try:
        ids = [int(pk) for pk in step_ids]
    except (TypeError, ValueError):
        raise ValidationError({"steps": ["Give the steps' ids."]}) from None
    if sorted(ids) != sorted(steps):
        raise ValidationError({"steps": ["Give every step of this sequence exactly once."]})
    data = [
        {"id": pk, "order": position, "kind": steps[pk].kind, "template": steps[pk].template_id,
         "delay_hours": steps[pk].delay_hours, "delay_business_days": steps[pk].delay_business_days,
         "same_thread": steps[pk].same_thread, "task_text": steps[pk].task_text}
        for position, pk in enumerate(ids, start=1)
    ]  # fmt: skip
    _write_steps(sequence, _clean_steps(sequence.organization, data))
    _realign_enrollments(sequence)
    return list(sequence.steps.all())


# --- Enrolling ----------------------------------------------------------------------------------


@dataclass
class EnrollResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # candidate id → reason (ENROLL_SKIP_REASONS)
    job: EnrollmentJob | None = None  # set instead when the enrolment runs in the background

    def skipped_with_labels(self) -> list[dict]:
        return [
            {"candidate": pk, "reason": reason, "label": ENROLL_SKIP_REASONS.get(reason, reason)}
            for pk, reason in self.skipped.items()
        ]


def _chunks(ids: list[int], size: int = _ID_CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _candidate_ids(
    *, org: Organization, candidates: QuerySet | None, candidate_ids: Iterable | None, circle: Circle | None
) -> list[int]:
    if circle is not None:
        if circle.organization_id != org.pk:
            raise ValidationError({"circle": ["Unknown circle."]})
        return list(circle_audience(org=org, circle_id=circle.pk).order_by("pk").values_list("pk", flat=True))
    if candidates is not None:
        return list(candidates.order_by("pk").values_list("pk", flat=True))
    ids: list[int] = []
    for value in candidate_ids or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationError({"candidates": ["Give candidate ids."]}) from None
    return list(dict.fromkeys(ids))


def enrollment_plan(*, org: Organization, sequence: Sequence, candidate_ids: list[int]) -> dict[int, str]:
    """Candidate id → skip reason for those of `candidate_ids` that would not be enrolled.

    A few queries per 5,000 ids: the organisation's candidates (stage), messaging's skip
    reasons, and who is already enrolled. Unknown ids and other organisations' read the same.
    """
    skipped: dict[int, str] = {}
    for chunk in _chunks(candidate_ids):
        rows = dict(Candidate.objects.filter(organization=org, pk__in=chunk).values_list("pk", "stage"))
        reasons = skip_reasons(org=org, candidates=Candidate.objects.filter(organization=org, pk__in=chunk))
        enrolled = set(
            Enrollment.objects.filter(
                sequence=sequence, state__in=Enrollment.RUNNING_STATES, candidate_id__in=chunk
            ).values_list("candidate_id", flat=True)
        )
        for pk in chunk:
            if pk not in rows:
                skipped[pk] = "other_organization"
            elif pk in reasons:
                skipped[pk] = reasons[pk]
            elif rows[pk] in Candidate.FINAL_STAGES:
                skipped[pk] = "final_stage"
            elif pk in enrolled:
                skipped[pk] = "already_enrolled"
    return skipped


def _check_enrollable(sequence: Sequence, org: Organization) -> SequenceStep:
    if sequence.organization_id != org.pk:
        raise ValidationError({"sequence": ["Unknown sequence."]})
    sequence.status = Sequence.objects.values_list("status", flat=True).get(pk=sequence.pk)
    if sequence.status == Sequence.Status.ARCHIVED:
        raise ValidationError({"sequence": ["This sequence is archived: nobody can be enrolled."]})
    first = sequence.steps.order_by("order").first()
    if first is None:
        raise ValidationError({"sequence": ["Add a step before enrolling anyone."]})
    return first


def _enroll_chunk(
    *, org: Organization, sequence: Sequence, first: SequenceStep, ids: list[int], enrolled_by: User | None,
    now: datetime,
) -> EnrollResult:  # fmt: skip
    """Enrol the eligible among `ids` (at most a few thousand) with one bulk insert."""
    skipped = enrollment_plan(org=org, sequence=sequence, candidate_ids=ids)
    eligible = [pk for pk in ids if pk not in skipped]
    zones = dict(Candidate.objects.filter(pk__in=eligible).values_list("pk", "time_zone")) if eligible else {}
    run_at_by_zone: dict[str, datetime] = {}
    rows = []
    first.sequence = sequence
    for pk in eligible:
        tz_name = zones.get(pk) or org.time_zone
        if tz_name not in run_at_by_zone:
            run_at_by_zone[tz_name] = schedule_step(first, after=now, org=org, tz_name=tz_name)
        rows.append(
            Enrollment(
                organization=org,
                sequence=sequence,
                candidate_id=pk,
                enrolled_by=enrolled_by,
                state=State.ACTIVE,
                next_step=first,
                next_run_at=run_at_by_zone[tz_name],
                enrolled_at=now,
                updated_at=now,
            )
        )
    created = Enrollment.objects.bulk_create(rows, batch_size=1000)
    return EnrollResult(enrolled=created, skipped=skipped)


def enrollments_create(
    *,
    org: Organization,
    sequence: Sequence,
    enrolled_by: User | None,
    candidates: QuerySet | None = None,
    candidate_ids: Iterable | None = None,
    circle: Circle | None = None,
    now: datetime | None = None,
    background_threshold: int = BACKGROUND_ENROLMENT_THRESHOLD,
) -> EnrollResult:
    """Enrol candidates (a queryset, ids or a circle's members) in `sequence`.

    Returns the enrollments written and the candidates skipped with their reasons. More than
    `background_threshold` candidates: an `EnrollmentJob` is written and run by a Celery task
    after commit; the result then carries only `job`, whose row shows the progress.
    Raises ValidationError for an archived or empty sequence or another organisation's circle,
    and while `enrolled_by`'s bulk sends are paused by the response-rate guard.
    """
    now = now or timezone.now()
    # The response-rate guard's improvement period pauses new enrolments (its sentence says until when).
    blocked = bulk_send_block(org, enrolled_by)
    if blocked:
        raise ValidationError({"candidates": [blocked]})
    first = _check_enrollable(sequence, org)
    ids = _candidate_ids(org=org, candidates=candidates, candidate_ids=candidate_ids, circle=circle)
    if len(ids) > background_threshold:
        return EnrollResult(job=enrollment_job_create(org=org, sequence=sequence, enrolled_by=enrolled_by, ids=ids))
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _enroll_chunk(org=org, sequence=sequence, first=first, ids=ids, enrolled_by=enrolled_by, now=now)
        except IntegrityError:
            # Someone enrolled one of them in the meantime: plan again (they now read "already enrolled").
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def enrollment_job_create(*, org: Organization, sequence: Sequence, enrolled_by: User | None, ids: list[int]):
    from engagement.sequences.tasks import enrollment_job_task

    job = EnrollmentJob.objects.create(
        organization=org, sequence=sequence, enrolled_by=enrolled_by, candidate_ids=ids, total=len(ids)
    )
    transaction.on_commit(lambda: enrollment_job_task.delay(job.pk))
    return job


def enrollment_job_run(*, job_id: int, now: datetime | None = None) -> EnrollmentJob:
    """Run (or resume) a background enrolment chunk by chunk; each chunk commits with its progress."""
    job = EnrollmentJob.objects.select_related("sequence", "organization", "enrolled_by").get(pk=job_id)
    if job.status in (EnrollmentJob.Status.DONE, EnrollmentJob.Status.FAILED):
        return job
    EnrollmentJob.objects.filter(pk=job.pk, started_at=None).update(started_at=timezone.now())
    EnrollmentJob.objects.filter(pk=job.pk).update(status=EnrollmentJob.Status.RUNNING)
    try:
        first = _check_enrollable(job.sequence, job.organization)
    except ValidationError as error:
        EnrollmentJob.objects.filter(pk=job.pk).update(
            status=EnrollmentJob.Status.FAILED, error=" ".join(error.messages), finished_at=timezone.now()
        )
        return EnrollmentJob.objects.get(pk=job.pk)
    while True:
        with transaction.atomic():
            job = EnrollmentJob.objects.select_for_update().get(pk=job.pk)
            chunk = job.candidate_ids[job.processed : job.processed + ENROLMENT_CHUNK]
            if not chunk:
                job.status, job.finished_at = EnrollmentJob.Status.DONE, timezone.now()
                job.save(update_fields=["status", "finished_at"])
                return job
            result = _enroll_chunk(
                org=job.organization, sequence=job.sequence, first=first, ids=chunk,
                enrolled_by=job.enrolled_by, now=now or timezone.now(),
            )  # fmt: skip
            job.processed += len(chunk)
            job.enrolled += len(result.enrolled)
            job.skipped += len(result.skipped)
            for reason in result.skipped.values():
                job.skipped_reasons[reason] = job.skipped_reasons.get(reason, 0) + 1
            job.save(update_fields=["processed", "enrolled", "skipped", "skipped_reasons"])


# --- Pausing, resuming, stopping ----------------------------------------------------------------


def _stop(enrollments: QuerySet, *, reason: str, state: str = State.STOPPED, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return enrollments.filter(state__in=Enrollment.RUNNING_STATES).update(
        state=state, stop_reason=reason[:300], stopped_at=now, next_run_at=None, claimed_until=None, updated_at=now
    )


@transaction.atomic
def sequence_set_status(*, sequence: Sequence, status: str) -> Sequence:
    """Pause, resume (active) or archive a sequence; archiving stops its running enrollments."""
    return sequence_update(sequence=sequence, status=status)


def sequence_pause(*, sequence: Sequence) -> Sequence:
    return sequence_set_status(sequence=sequence, status=Sequence.Status.PAUSED)


def sequence_resume(*, sequence: Sequence) -> Sequence:
    return sequence_set_status(sequence=sequence, status=Sequence.Status.ACTIVE)


def _transition(enrollment: Enrollment, *, from_states: Iterable[str], message: str, **updates) -> Enrollment:
    now = updates.pop("now", None) or timezone.now()
    changed = Enrollment.objects.filter(pk=enrollment.pk, state__in=list(from_states)).update(updated_at=now, **updates)
    if not changed:
        raise ValidationError({"state": [message]})
    enrollment.refresh_from_db()
    return enrollment


@transaction.atomic
def enrollment_pause(*, enrollment: Enrollment) -> Enrollment:
    return _transition(
        enrollment, from_states=[State.ACTIVE], message="Only an active enrollment can be paused.", state=State.PAUSED
    )


@transaction.atomic
def enrollment_resume(*, enrollment: Enrollment) -> Enrollment:
    """Back to active; a step that fell due while paused runs at the next pass (inside the window)."""
    return _transition(
        enrollment, from_states=[State.PAUSED], message="Only a paused enrollment can be resumed.", state=State.ACTIVE
    )


@transaction.atomic
def enrollment_stop(*, enrollment: Enrollment, reason: str = "Stopped by a recruiter.", now=None) -> Enrollment:
    now = now or timezone.now()
    return _transition(
        enrollment, from_states=Enrollment.RUNNING_STATES, message="This enrollment is no longer running.",
        state=State.STOPPED, stop_reason=reason[:300], stopped_at=now, next_run_at=None, claimed_until=None, now=now,
    )  # fmt: skip


@transaction.atomic
def enrollments_stop_for_candidate(
    *, candidate_id: int, reason: str, now: datetime | None = None, state: str = State.STOPPED
) -> list[int]:
    """Stop every running enrollment of the candidate; returns the ids stopped (none twice)."""
    running = Enrollment.objects.select_for_update().filter(
        candidate_id=candidate_id, state__in=Enrollment.RUNNING_STATES
    )
    ids = list(running.values_list("pk", flat=True))
    _stop(Enrollment.objects.filter(pk__in=ids), reason=reason, state=state, now=now)
    return ids


@transaction.atomic
def enrollments_postpone_for_candidate(*, candidate_id: int, days: int, now: datetime | None = None) -> int:
    """Out of office: the candidate's next steps run no sooner than `days` days from `now` (in the
    send window). Idempotent: the same auto-reply handled twice moves nothing further."""
    now = now or timezone.now()
    moved = 0
    running = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(candidate_id=candidate_id, state__in=Enrollment.RUNNING_STATES)
        .select_related("sequence", "organization", "candidate")
    )
    for enrollment in running:
        org = enrollment.organization
        earliest = next_opening(
            now + timedelta(days=days),
            org=org,
            tz_name=candidate_tz(enrollment.candidate, org),
            window_start=enrollment.sequence.send_window_start,
            window_end=enrollment.sequence.send_window_end,
        )
        if enrollment.next_run_at is None or enrollment.next_run_at < earliest:
            Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=earliest, updated_at=now)
            moved += 1
    return moved


def reminder_for_owner(*, enrollment: Enrollment, note: str, origin: str, due_at: datetime) -> Reminder | None:
    """A reminder for the enrollment's owner (the sequence's, else who enrolled); None if neither is a member."""
    from engagement.timeline.services import reminder_create

    for recruiter in (enrollment.sequence.owner, enrollment.enrolled_by):
        if recruiter is None:
            continue
        try:
            return reminder_create(
                org=enrollment.organization, candidate_id=enrollment.candidate_id, recruiter=recruiter,
                due_at=due_at, note=note[:300], origin=origin,
            )  # fmt: skip
        except ValidationError:
            continue
    return None
