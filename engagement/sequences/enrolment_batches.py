"""Enrolments written in batches: who can be enrolled (and why not), a chunk written at once, and a
background job run chunk by chunk (what `enrollment_job_task` runs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.models import Circle
from engagement.circles.selectors import circle_audience
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep
from engagement.sequences.timing import schedule_step
from messaging.policy import HARD_BLOCKS, Purpose, contact_decisions
from messaging.services import SKIP_REASONS
from talentcircles.models import Organization, User

ENROLMENT_CHUNK = 1000
_ID_CHUNK = 5000  # SQLite caps the number of query parameters

# Why a candidate is not enrolled: messaging's reasons plus the sequence's own; labels are shown.
ENROLL_SKIP_REASONS = {
    **SKIP_REASONS,
    "already_enrolled": "Already enrolled in this sequence",
    "final_stage": "In a final stage (hired, not interested or archived)",
    "other_organization": "Not one of this organisation's candidates",
}

State = Enrollment.State


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


def enrolment_candidate_ids(
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


def enrollment_plan(
    *,
    org: Organization,
    sequence: Sequence,
    candidate_ids: list[int],
    details: dict[int, str] | None = None,
    now: datetime | None = None,
) -> dict[int, str]:
    """Candidate id → skip reason for those of `candidate_ids` that would not be enrolled.

    The contact policy decides (`messaging.policy`, purpose sequence: the hard blocks, a final stage,
    a live conversation, the cooldown), plus who is already enrolled. A few queries per 5,000 ids.
    Unknown ids and other organisations' read the same. `details`, when given, receives each
    skipped candidate's reason in words ("Contacted by Dana Smith on 3 Dec 2026.").
    """
    skipped: dict[int, str] = {}
    for chunk in _chunks(candidate_ids):
        decisions = contact_decisions(org=org, candidates=chunk, purpose=Purpose.SEQUENCE, now=now)
        enrolled = set(
            Enrollment.objects.filter(
                sequence=sequence, state__in=Enrollment.RUNNING_STATES, candidate_id__in=chunk
            ).values_list("candidate_id", flat=True)
        )
        for pk in chunk:
            reason = decisions[pk].reason
            if reason is not None and reason.code == "unknown":
                skipped[pk] = "other_organization"
            elif reason is not None and (reason.code in HARD_BLOCKS or reason.code == "final_stage"):
                skipped[pk] = reason.code
            elif pk in enrolled:
                skipped[pk] = "already_enrolled"
            elif reason is not None:
                skipped[pk] = reason.code
            if details is not None and reason is not None and skipped.get(pk) in ("in_conversation", "cooldown"):
                details[pk] = reason.detail  # who and when, in words
    return skipped


def enrollable_first_step(sequence: Sequence, org: Organization) -> SequenceStep:
    if sequence.organization_id != org.pk:
        raise ValidationError({"sequence": ["Unknown sequence."]})
    sequence.status = Sequence.objects.values_list("status", flat=True).get(pk=sequence.pk)
    if sequence.status == Sequence.Status.ARCHIVED:
        raise ValidationError({"sequence": ["This sequence is archived: nobody can be enrolled."]})
    first = sequence.steps.order_by("order").first()
    if first is None:
        raise ValidationError({"sequence": ["Add a step before enrolling anyone."]})
    return first


def enrollments_write_chunk(
    *, org: Organization, sequence: Sequence, first: SequenceStep, ids: list[int], enrolled_by: User | None,
    now: datetime, job=None,
) -> EnrollResult:  # fmt: skip
    """Enrol the eligible among `ids` (at most a few thousand) with one bulk insert."""
    skipped = enrollment_plan(org=org, sequence=sequence, candidate_ids=ids, now=now)
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
                job=job,
                state=State.ACTIVE,
                next_step=first,
                next_run_at=run_at_by_zone[tz_name],
                enrolled_at=now,
                updated_at=now,
            )
        )
    created = Enrollment.objects.bulk_create(rows, batch_size=1000)
    return EnrollResult(enrolled=created, skipped=skipped)


def enrollment_job_run(*, job_id: int, now: datetime | None = None) -> EnrollmentJob:
    """Run (or resume) a background enrolment chunk by chunk; each chunk commits with its progress."""
    job = EnrollmentJob.objects.select_related("sequence", "organization", "enrolled_by").get(pk=job_id)
    if job.status in (EnrollmentJob.Status.DONE, EnrollmentJob.Status.FAILED):
        return job
    EnrollmentJob.objects.filter(pk=job.pk, started_at=None).update(started_at=timezone.now())
    EnrollmentJob.objects.filter(pk=job.pk).update(status=EnrollmentJob.Status.RUNNING)
    try:
        first = enrollable_first_step(job.sequence, job.organization)
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
            result = enrollments_write_chunk(
                org=job.organization, sequence=job.sequence, first=first, ids=chunk,
                enrolled_by=job.enrolled_by, now=now or timezone.now(),
            )  # fmt: skip
            job.processed += len(chunk)
            job.enrolled += len(result.enrolled)
            job.skipped += len(result.skipped)
            for reason in result.skipped.values():
                job.skipped_reasons[reason] = job.skipped_reasons.get(reason, 0) + 1
            job.save(update_fields=["processed", "enrolled", "skipped", "skipped_reasons"])
