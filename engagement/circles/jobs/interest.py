"""Interest in jobs: a candidate raising a hand for an open job, recorded on their timeline.

A hand is raised once per job (the unique key); raising it again is harmless, and raising it after
withdrawing makes the person interested again. The job must be open and the candidate's
organisation's, else a ValidationError (the portal only offers the button on an open job's page).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.models import Job, JobInterest
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from talentcircles.webhooks_out.outbox import webhook_event_record

Status = JobInterest.Status


@transaction.atomic
def job_interest_raise(
    *, candidate: Candidate, job: Job, source: str = JobInterest.Source.PORTAL, actor_id: int | None = None
) -> JobInterest:
    """The candidate is interested in the job: one row per (job, candidate), on the candidate's timeline
    the first time (and again after a withdrawal)."""
    if job.organization_id != candidate.organization_id or job.status != Job.Status.OPEN:
        raise ValidationError("This job is not open any more.")
    interest, created = JobInterest.objects.select_for_update().get_or_create(
        job=job, candidate=candidate, defaults={"organization_id": job.organization_id, "source": source}
    )
    if not created and interest.status != Status.WITHDRAWN:
        return interest
    if not created:
        interest.status, interest.updated_at = Status.INTERESTED, timezone.now()
        interest.save(update_fields=["status", "updated_at"])
    activity_record(
        organization_id=candidate.organization_id,
        candidate_id=candidate.pk,
        kind=Activity.Kind.JOB_INTEREST,
        summary=f"Interested in the job “{job.title}”",
        actor_id=candidate.user_id if actor_id is None else actor_id,
        details={"job_id": job.pk, "source": interest.source},
    )
    webhook_event_record(organization_id=job.organization_id, event_type="job.interest_created",
                         candidate_id=candidate.pk, data={"job_id": job.pk, "interest_id": interest.pk})  # fmt: skip
    return interest
