"""Reads of jobs that the recruiter pages, the portal and the API share; each fixes its own joins."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from candidates.models import Candidate
from engagement.circles.jobs.models import Job, JobInterest
from talentcircles.models import Organization


def job_list(*, org: Organization, status: str | None = None) -> QuerySet[Job]:
    """The organisation's jobs, newest first, with owner and hiring manager joined; `status` narrows them."""
    jobs = Job.objects.for_org(org).select_related("owner", "hiring_manager")
    return jobs.filter(status=status) if status else jobs


def job_status_counts(*, org: Organization) -> dict[str, int]:
    """{status: number of jobs} for every status (zero included), in one query."""
    counts = dict(Job.objects.for_org(org).order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Job.Status.values}


def open_jobs(*, org: Organization) -> QuerySet[Job]:
    """What the portal lists: open jobs, most recently opened first."""
    return Job.objects.for_org(org).open().select_related("organization").order_by("-opened_at", "-id")


def job_interests(*, job: Job) -> QuerySet[JobInterest]:
    """The job's interested people, newest first, with their candidate records joined."""
    return JobInterest.objects.filter(job=job).select_related("candidate").order_by("-created_at", "-id")


def has_raised_hand(*, candidate: Candidate, job: Job) -> bool:
    """Whether the candidate has said they are interested in the job (and not withdrawn)."""
    interests = JobInterest.objects.filter(job=job, candidate=candidate)
    return interests.exclude(status=JobInterest.Status.WITHDRAWN).exists()
