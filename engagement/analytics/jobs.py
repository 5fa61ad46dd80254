"""A job's figures: interest (interested, shortlisted, handed over, time to first interest) and the response
rate of the outreach about it. Two queries whatever the job's size.

Interest is read from `JobInterest` as it stands: *interested* counts every live hand (not withdrawn,
not judged "not a fit"), *shortlisted* those shortlisted or already handed over (handing over comes
after the shortlist), *handed over* those handed to the ATS. *Time to first interest* runs from
when the job was (last) opened to the first interest raised since.

The response rate is the product's own (docs/analytics.md), over the conversations started about
the job (`JobOutreach`: bulk messages from "who fits", sequences enrolled for it) as the roll-ups
record them (`ResponseOutreach`, one row per outreach actually sent): answered within the response
window; pending while the window runs; bounced ones leave the denominator; settled rate = answered ÷
(answered + unanswered past the window), with its Wilson 95% interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from engagement.analytics.models import ResponseOutreach
from engagement.analytics.rates import org_setting, ratio, wilson_interval
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.outreach import JobOutreach

Status = JobInterest.Status
SMALL_SAMPLE = 10  # like the dashboard: a rate on fewer settled outreach is "too few to judge"


@dataclass(frozen=True)
class JobFigures:
    interested: int
    shortlisted: int
    handed_over: int
    not_a_fit: int
    withdrawn: int
    first_interest_at: datetime | None
    time_to_first_interest: timedelta | None
    sent: int
    answered: int
    unanswered: int
    pending: int
    bounced: int
    window_days: int

    @property
    def settled(self) -> int:
        return self.answered + self.unanswered

    @property
    def response_rate(self) -> float | None:
        return ratio(self.answered, self.settled)

    @property
    def interval(self) -> tuple[float | None, float | None]:
        return wilson_interval(self.answered, self.settled)

    @property
    def small_sample(self) -> bool:
        return self.settled < SMALL_SAMPLE

    def as_dict(self) -> dict:
        low, high = self.interval
        return {
            "interested": self.interested, "shortlisted": self.shortlisted, "handed_over": self.handed_over,
            "not_a_fit": self.not_a_fit, "withdrawn": self.withdrawn,
            "first_interest_at": self.first_interest_at,
            "time_to_first_interest_hours": (
                round(self.time_to_first_interest.total_seconds() / 3600, 1)
                if self.time_to_first_interest is not None else None
            ),
            "outreach": {
                "sent": self.sent, "answered": self.answered, "unanswered": self.unanswered, "pending": self.pending,
                "bounced": self.bounced, "window_days": self.window_days, "response_rate": self.response_rate,
                "ci_low": low, "ci_high": high, "small_sample": self.small_sample,
            },
        }  # fmt: skip


def _interest_figures(job: Job) -> dict:
    live = [Status.INTERESTED, Status.SHORTLISTED, Status.HANDED_TO_ATS]
    since = Q(created_at__gte=job.opened_at) if job.opened_at else Q()
    return JobInterest.objects.filter(job=job).aggregate(
        interested=Count("pk", filter=Q(status__in=live)),
        shortlisted=Count("pk", filter=Q(status__in=[Status.SHORTLISTED, Status.HANDED_TO_ATS])),
        handed_over=Count("pk", filter=Q(status=Status.HANDED_TO_ATS)),
        not_a_fit=Count("pk", filter=Q(status=Status.NOT_A_FIT)),
        withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        first_interest_at=Min("created_at", filter=since),
    )


def _outreach_figures(job: Job, *, window_days: int, now: datetime) -> dict:
    settled_until = timezone.localdate(now, timezone=UTC) - timedelta(days=window_days + 1)
    threads = JobOutreach.objects.filter(job=job, organization_id=job.organization_id).values("thread_id")
    answered = Q(bounced=False, answered_at__isnull=False, answer_bucket_hours__lte=24 * window_days)
    not_answered = Q(bounced=False) & ~answered
    return ResponseOutreach.objects.filter(organization_id=job.organization_id, thread_id__in=threads).aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=answered),
        unanswered=Count("pk", filter=not_answered & Q(day__lte=settled_until)),
        pending=Count("pk", filter=not_answered & Q(day__gt=settled_until)),
        bounced=Count("pk", filter=Q(bounced=True)),
    )


def job_figures(*, job: Job, now: datetime | None = None, window_days: int | None = None) -> JobFigures:
    """The job's interest and outreach figures (two queries; the window defaults to the organisation's)."""
    now = now or timezone.now()
    window = window_days or int(org_setting(job.organization, "response_window_days"))
    interest = _interest_figures(job)
    first = interest["first_interest_at"]
    return JobFigures(
        **interest,
        time_to_first_interest=(first - job.opened_at) if first and job.opened_at else None,
        **_outreach_figures(job, window_days=window, now=now),
        window_days=window,
    )
