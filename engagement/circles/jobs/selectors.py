"""Reads of jobs that the recruiter pages, the portal and the API share; each fixes its own joins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from candidates.models import Candidate
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.models import Circle
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


def job_interests(*, job: Job, status: str | None = None) -> QuerySet[JobInterest]:
    """The job's interested people, newest first, with their candidate records joined; `status` narrows them."""
    interests = JobInterest.objects.filter(job=job).select_related("candidate").order_by("-created_at", "-id")
    return interests.filter(status=status) if status else interests


def candidate_interest(*, candidate: Candidate, job: Job) -> JobInterest | None:
    """The candidate's interest in the job, whatever its status, or None."""
    return JobInterest.objects.filter(job=job, candidate=candidate).first()


def candidate_interests(*, candidate: Candidate) -> QuerySet[JobInterest]:
    """Every job the candidate is or was interested in, newest first, with the job joined."""
    interests = JobInterest.objects.filter(candidate=candidate, organization_id=candidate.organization_id)
    return interests.select_related("job", "resume").order_by("-created_at", "-id")


def circle_open_jobs(*, circle: Circle) -> QuerySet[Job]:
    """The open jobs shared to the circle, most recently opened first."""
    jobs = Job.objects.for_org(circle.organization_id).open().filter(circles=circle)
    return jobs.select_related("organization").order_by("-opened_at", "-id")


def jobs_taking_interest(*, org: Organization) -> QuerySet[Job]:
    """The jobs a recruiter may add someone's interest to: open or on hold, by title."""
    statuses = (Job.Status.OPEN, Job.Status.ON_HOLD)
    return Job.objects.for_org(org).filter(status__in=statuses).only("pk", "title", "status").order_by("title", "id")


# --- The job's board ----------------------------------------------------------------------------

BOARD_COLUMN_CAP = 50
BOARD_STATUSES = list(JobInterest.Status)


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    total: int
    cards: list[JobInterest]

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.cards))


def job_board(*, job: Job, cap: int = BOARD_COLUMN_CAP) -> list[BoardColumn]:
    """A column per interest status, newest first, at most `cap` cards each: one query for the counts
    and one per column that has cards, whatever the number of people (the job_interest_board index)."""
    interests = JobInterest.objects.filter(job=job)
    counts = dict(interests.order_by().values_list("status").annotate(n=Count("id")))
    columns = []
    for status in BOARD_STATUSES:
        total = counts.get(status.value, 0)
        cards = (
            list(
                interests.filter(status=status)
                .select_related("candidate", "resume")
                .order_by("-created_at", "-id")[:cap]
            )
            if total
            else []
        )
        columns.append(BoardColumn(status.value, status.label, total, cards))
    return columns
