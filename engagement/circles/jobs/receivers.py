"""Interest in jobs following a candidate event (added to the timeline's receiver by `EngagementConfig`)."""

from __future__ import annotations

from engagement.circles.jobs.models import JobInterest
from talentcircles import events


def on_merged(event: events.CandidateEvent) -> None:
    """The merged record's interests follow the person; where both records were interested in the same
    job the kept record's interest stays and the other goes with the merged record."""
    merged_id, kept_id = event.related["merged_candidate_id"], event.candidate_id
    kept_jobs = JobInterest.objects.filter(candidate_id=kept_id).values("job_id")
    JobInterest.objects.filter(candidate_id=merged_id).exclude(job_id__in=kept_jobs).update(candidate_id=kept_id)
