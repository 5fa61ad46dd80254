"""What the admin's retention pages read: the forecast, the people due, the runs, the exclusions.

The forecast counts and groups the clocks that run out in the window by their start day, reading
only the `cand_retain` index (organisation, clock start, id; rows not erased): 131 ms for an
organisation of 100,000 people with 23,457 due within 90 days (docs/privacy.md has the figures).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from candidates.models import Candidate, CandidateQuerySet
from candidates.retention import clock
from candidates.retention.models import RetentionExclusion, RetentionNotice, RetentionRun
from talentcircles.models import Organization

WINDOWS = (30, 60, 90)
MAX_DAYS_SHOWN = 12


@dataclass
class Forecast:
    enabled: bool  # False: what switching it on today would do
    today: date
    by_window: dict[int, int] = field(default_factory=dict)  # next N days → people
    by_day: list[tuple[date, int]] = field(default_factory=list)  # the first days with anyone due


def as_policy(org: Organization, now: datetime) -> Organization:
    """The organisation as the forecast sees it: an off policy is shown as if switched on now."""
    if org.retention_enabled:
        return org
    hypothetical = copy.copy(org)
    hypothetical.retention_enabled, hypothetical.retention_notice_from = True, now
    return hypothetical


def retention_forecast(*, org: Organization, now: datetime | None = None) -> Forecast:
    """How many people the next 30, 60 and 90 days' runs will anonymise, and on which days (two queries)."""
    now = now or timezone.now()
    policy, day = as_policy(org, now), clock.today(now)
    forecast = Forecast(enabled=org.retention_enabled, today=day)
    limits = {days: clock.anchor_limit(policy, day + timedelta(days=days)) for days in WINDOWS}
    widest = limits[WINDOWS[-1]]
    if widest is None:
        forecast.by_window = dict.fromkeys(WINDOWS, 0)
        return forecast
    people = clock.retainable(org).filter(retention_anchor_at__lt=widest)
    counts = people.aggregate(
        **{f"d{days}": Count("pk", filter=Q(retention_anchor_at__lt=limit)) for days, limit in limits.items() if limit}
    )
    forecast.by_window = {days: counts.get(f"d{days}", 0) for days in WINDOWS}
    started = (
        people.annotate(started=TruncDate("retention_anchor_at", tzinfo=UTC))
        .values("started")
        .annotate(people=Count("pk"))
        .order_by("started")
    )
    by_day: dict[date, int] = {}
    for row in started.iterator():
        run_day = clock.run_day(policy, clock.midnight(row["started"]), today_=day)
        if len(by_day) == MAX_DAYS_SHOWN and run_day not in by_day:
            break
        by_day[run_day] = by_day.get(run_day, 0) + row["people"]
    forecast.by_day = sorted(by_day.items())
    return forecast


def retention_due_list(*, org: Organization, within_days: int, now: datetime | None = None) -> CandidateQuerySet:
    """The people the runs of the next `within_days` days anonymise, soonest first (for a paginated page)."""
    now = now or timezone.now()
    policy = as_policy(org, now)
    limit = clock.anchor_limit(policy, clock.today(now) + timedelta(days=within_days))
    if limit is None:
        return clock.retainable(org).none()
    return (
        clock.retainable(org)
        .filter(retention_anchor_at__lt=limit)
        .only("pk", "organization_id", "first_name", "last_name", "email", "retention_anchor_at", "stage")
        .order_by("retention_anchor_at", "pk")
    )


def notices_sent(*, org: Organization, candidates: list[Candidate]) -> dict[int, datetime]:
    """When each of these people was sent the notice of their current clock (one query)."""
    anchors = {candidate.pk: candidate.retention_anchor_at for candidate in candidates}
    rows = (
        RetentionNotice.objects.for_org(org)
        .filter(candidate_id__in=list(anchors), status=RetentionNotice.Status.SENT)
        .values_list("candidate_id", "cycle_anchor_at", "sent_at")
    )
    return {pk: sent_at for pk, anchor, sent_at in rows if sent_at and anchors.get(pk) == anchor}


def retention_runs(*, org: Organization) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.for_org(org).order_by("-started_at", "-pk")


def retention_exclusions(*, org: Organization) -> QuerySet[RetentionExclusion]:
    return (
        RetentionExclusion.objects.for_org(org).select_related("candidate", "created_by").order_by("-created_at", "-pk")
    )
