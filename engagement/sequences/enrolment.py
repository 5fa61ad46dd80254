"""Enrolling candidates in a sequence: a few at once in the request, many as a background job.

The one entry point for views, the API and the demo; it queues the job's task after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from engagement.sequences.enrolment_batches import (
    EnrollResult,
    enrollable_first_step,
    enrollments_write_chunk,
    enrolment_candidate_ids,
)
from engagement.sequences.models import EnrollmentJob, Sequence
from engagement.sequences.tasks import enrollment_job_task
from talentcircles.guards import bulk_send_block
from talentcircles.models import Organization, User

# Enrolments above this many candidates are accepted and run by a background job with progress.
BACKGROUND_ENROLMENT_THRESHOLD = 1000


def enrollments_create(
    *,
    org: Organization,
    sequence: Sequence,
    enrolled_by: User | None,
    candidates: QuerySet | None = None,
    candidate_ids: Iterable | None = None,
    circle: Circle | None = None,
    job: Job | None = None,
    now: datetime | None = None,
    background_threshold: int = BACKGROUND_ENROLMENT_THRESHOLD,
) -> EnrollResult:
    """Enrol candidates (a queryset, ids or a circle's members) in `sequence`.

    Returns the enrollments written and the candidates skipped with their reasons. More than
    `background_threshold` candidates: an `EnrollmentJob` is written and run by a Celery task
    after commit; the result then carries only `job`, whose row shows the progress.
    With a `job` (the organisation's), the enrolments are about it (see `Enrollment.job`); a background
    enrolment does not carry it. Raises ValidationError for an archived or empty sequence, another
    organisation's circle or job,
    and while `enrolled_by`'s bulk sends are paused by the response-rate guard.
    """
    now = now or timezone.now()
    # The response-rate guard's improvement period pauses new enrolments (its sentence says until when).
    blocked = bulk_send_block(org, enrolled_by)
    if blocked:
        raise ValidationError({"candidates": [blocked]})
    first = enrollable_first_step(sequence, org)
    if job is not None and job.organization_id != org.pk:
        raise ValidationError({"job": ["Unknown job."]})
    ids = enrolment_candidate_ids(org=org, candidates=candidates, candidate_ids=candidate_ids, circle=circle)
    if len(ids) > background_threshold:
        return EnrollResult(job=enrollment_job_create(org=org, sequence=sequence, enrolled_by=enrolled_by, ids=ids))
    for attempt in range(2):
        try:
            with transaction.atomic():
                return enrollments_write_chunk(
                    org=org, sequence=sequence, first=first, ids=ids, enrolled_by=enrolled_by, now=now, job=job
                )
        except IntegrityError:
            # Someone enrolled one of them in the meantime: plan again (they now read "already enrolled").
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def enrollment_job_create(*, org: Organization, sequence: Sequence, enrolled_by: User | None, ids: list[int]):
    job = EnrollmentJob.objects.create(
        organization=org, sequence=sequence, enrolled_by=enrolled_by, candidate_ids=ids, total=len(ids)
    )
    transaction.on_commit(lambda: enrollment_job_task.delay(job.pk))
    return job
