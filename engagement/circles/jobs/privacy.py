"""Interest in jobs as part of a person's data rights: their "my data" section and erasure."""

from __future__ import annotations

from candidates.models import Candidate
from engagement.circles.jobs.models import JobInterest


def job_interests_data(candidate: Candidate) -> list[dict]:
    """The jobs the person is or was interested in, with what they wrote and where it stands."""
    interests = JobInterest.objects.filter(candidate=candidate).select_related("job", "resume").order_by("created_at")
    return [
        {
            "job": interest.job.title,
            "source": interest.source,
            "status": interest.status,
            "note": interest.note,
            "resume": interest.resume.original_name if interest.resume else None,
            "reason": interest.reason,
            "reason_note": interest.reason_note,
            "created_at": interest.created_at.isoformat(),
            "updated_at": interest.updated_at.isoformat(),
        }
        for interest in interests
    ]


def erase_job_interest_data(candidate_id: int) -> None:
    """Keep that someone was interested (anonymous counts per job and status); drop their words,
    the recruiters' words about them and the résumé they shared."""
    JobInterest.objects.filter(candidate_id=candidate_id).update(note="", reason_note="", resume=None)
