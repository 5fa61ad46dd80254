"""The rates: response_rates, live_rate, rate_over_time and reply_time_distribution, from the roll-ups."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.db.models import Q
from django.utils import timezone

from engagement.analytics.bounds import AnalyticsError, validate_range
from engagement.analytics.models import Dimension, ResponseStat, ResponseStatWeek
from engagement.analytics.rollups.store import week_of

GROUP_BY = ("all", "recruiter", "template", "sequence", "step", "circle", "source", "industry")
GUARD_THRESHOLD = 0.13
LIVE_DAYS = 14

# Organisation settings (fields on Organization); read with these defaults until they exist.
ORG_SETTING_DEFAULTS = {
    "response_window_days": 30,
    "live_rate_min_sends": 100,
    "response_guard_enabled": True,
    "share_team_analytics": True,
}

# Reply-time distribution buckets: (label, answers up to this many hours, inclusive).
REPLY_TIME_BUCKETS = (
    ("Within 1 hour", 1),
    ("1-4 hours", 4),
    ("4-24 hours", 24),
    ("1-3 days", 72),
    ("3-7 days", 168),
    ("7-14 days", 336),
    ("14-30 days", 720),
    ("Over 30 days", None),
)


def org_setting(org, name: str):
    return getattr(org, name, ORG_SETTING_DEFAULTS[name])


@dataclass
class RateRow:
    key: str
    label: str
    sent: int = 0
    answered: int = 0
    unanswered: int = 0
    pending: int = 0
    bounced: int = 0
    settled_rate: float | None = None
    live_14d_rate: float | None = None
    live_14d_sent: int = 0
    small_sample: bool = True
    median_hours_to_reply: float | None = None
    interested_rate: float | None = None
    unsubscribe_rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    interested: int = 0
    not_interested: int = 0
    unsubscribed: int = 0


@dataclass
class PeriodRow:
    period_start: date
    sent: int = 0
    answered: int = 0
    unanswered: int = 0
    pending: int = 0
    bounced: int = 0
    settled_rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass
class DistributionRow:
    label: str
    up_to_hours: int | None
    count: int
    share: float | None


@dataclass
class LiveRate:
    sent: int
    answered: int
    rate: float | None
    small_sample: bool
    min_sends: int
    threshold: float = GUARD_THRESHOLD
    below_threshold: bool = False


@dataclass
class _Sums:
    sent: int = 0
    bounced: int = 0
    answered: int = 0
    unanswered: int = 0
    pending: int = 0
    interested: int = 0
    not_interested: int = 0
    unsubscribed: int = 0
    hours: Counter = field(default_factory=Counter)
    delivered_settled: int = 0
    raw_settled: dict = field(default_factory=dict)
    raw_pending: dict = field(default_factory=dict)


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """Wilson score interval (95%): honest bounds for small samples."""
    if total <= 0:
        return None, None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


_ROW_FIELDS = (
    "key", "day", "sent", "bounced", "answered", "answer_hours", "interested", "not_interested", "unsubscribed",
)  # fmt: skip


def _rows(
    *,
    org,
    dimensions: Sequence[str],
    date_from: date,
    date_to: date,
    recruiter_id: int | None,
    fields=_ROW_FIELDS,
    weekly: bool = False,
    settled_until: date | None = None,
) -> Iterable[tuple]:
    """(dimension, *fields) of the roll-up rows of `dimensions` between the dates: daily, or with `weekly`
    whole weeks summed.

    Summed weeks cut the rows a read folds about sevenfold. A week holding both `settled_until` and the
    day after it is read by days: the settled and the pending part of a range are summed apart.
    """
    weeks, days = _week_split(date_from, date_to, split_after=settled_until) if weekly else ([], [(date_from, date_to)])
    scope = Q()
    for dimension in dimensions:
        scope |= _scope(dimension, recruiter_id)
    parts = [
        model.objects.for_org(org).filter(scope, _in_ranges(ranges)).values_list("dimension", *fields)
        for model, ranges in ((ResponseStat, days), (ResponseStatWeek, weeks))
        if ranges
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows  # a few thousand rows at most: one fetch, not a server-side cursor


def _scope(dimension: str, recruiter_id: int | None) -> Q:
    """The rows of one dimension for everyone, or for one recruiter."""
    if dimension == Dimension.RECRUITER:  # one row per recruiter, each kept once (recruiter_id 0)
        rows = Q(dimension=dimension, recruiter_id=0)
        return rows & Q(key=str(recruiter_id)) if recruiter_id is not None else rows
    return Q(dimension=dimension, recruiter_id=recruiter_id or 0)


def _in_ranges(ranges: list[tuple[date, date]]) -> Q:
    match = Q()
    for first, last in ranges:
        match |= Q(day__gte=first, day__lte=last)
    return match


def _week_split(
    date_from: date, date_to: date, *, split_after: date | None
) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """([first Monday, last Monday] runs of whole weeks, [first, last] runs of the remaining days)."""
    whole: list[date] = []
    monday = week_of(date_from + timedelta(days=6))  # the first Monday on or after date_from
    while monday + timedelta(days=6) <= date_to:
        if split_after is None or not monday <= split_after < monday + timedelta(days=6):
            whole.append(monday)
        monday += timedelta(days=7)
    weeks: list[tuple[date, date]] = []
    for monday in whole:
        if weeks and weeks[-1][1] + timedelta(days=7) == monday:
            weeks[-1] = (weeks[-1][0], monday)
        else:
            weeks.append((monday, monday))
    days: list[tuple[date, date]] = []
    cursor = date_from
    for first, last in weeks:
        if cursor < first:
            days.append((cursor, first - timedelta(days=1)))
        cursor = last + timedelta(days=7)
    if cursor <= date_to:
        days.append((cursor, date_to))
    return weeks, days


def _add(sums: _Sums, row: Sequence, *, settled_until: date) -> None:
    """Fold one day's row in; the window is applied once per group in `_finish` (thousands of rows per read)."""
    _key, day, sent, bounced, _answered, hours, interested, not_interested, unsubscribed = row
    settled = day <= settled_until
    sums.sent += sent
    sums.bounced += bounced
    if settled:
        sums.delivered_settled += sent - bounced
    target = sums.raw_settled if settled else sums.raw_pending
    get = target.get
    for bucket, count in hours.items():
        target[bucket] = get(bucket, 0) + count
    sums.interested += interested
    sums.not_interested += not_interested
    sums.unsubscribed += unsubscribed


def _finish(sums: _Sums, *, window_days: int) -> _Sums:
    """Answered within the window, unanswered (settled days) and pending, from the merged histograms."""
    limit = 24 * window_days
    answered = {True: 0, False: 0}
    for settled, raw in ((True, sums.raw_settled), (False, sums.raw_pending)):
        for bucket, count in raw.items():
            hours = int(bucket)
            if hours <= limit:
                answered[settled] += count
                sums.hours[hours] += count
    sums.answered = answered[True] + answered[False]
    sums.unanswered = sums.delivered_settled - answered[True]
    sums.pending = (sums.sent - sums.bounced - sums.delivered_settled) - answered[False]
    return sums


def _median_hours(hours: Counter) -> float | None:
    total = sum(hours.values())
    if not total:
        return None
    ordered = sorted(hours.items())
    # The median of the bucket upper bounds (hours, rounded up; whole days after two days).
    values: list[int] = []
    for middle in {(total - 1) // 2, total // 2}:
        seen = 0
        for bucket, count in ordered:
            seen += count
            if seen > middle:
                values.append(bucket)
                break
    return float(median(values))


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _settled_until(now: datetime, window_days: int) -> date:
    return timezone.localdate(now, timezone=UTC) - timedelta(days=window_days + 1)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def response_rates(
    *,
    org,
    group_by: str,
    date_from: date,
    date_to: date,
    window_days: int = 30,
    now: datetime | None = None,
    recruiter_id: int | None = None,
) -> list[RateRow]:
    """One row per value of `group_by` with outreach first sent between the dates (inclusive, UTC days)."""
    return response_rates_by(
        org=org, group_bys=[group_by], date_from=date_from, date_to=date_to, window_days=window_days, now=now,
        recruiter_id=recruiter_id,
    )[group_by]  # fmt: skip


def response_rates_by(
    *,
    org,
    group_bys: Sequence[str],
    date_from: date,
    date_to: date,
    window_days: int = 30,
    now: datetime | None = None,
    recruiter_id: int | None = None,
) -> dict[str, list[RateRow]]:
    """`response_rates` for several cuts at once (one read of the roll-ups for all of them): cut → rows."""
    for group_by in group_bys:
        if group_by not in GROUP_BY:
            raise AnalyticsError(f"Unknown group_by {group_by!r}; use one of {', '.join(GROUP_BY)}.", field="group_by")
    validate_range(date_from=date_from, date_to=date_to, window_days=window_days)
    now = _now(now)
    settled_until = _settled_until(now, window_days)
    sums: dict[str, dict[str, _Sums]] = {group_by: defaultdict(_Sums) for group_by in group_bys}
    rows = _rows(
        org=org, dimensions=group_bys, date_from=date_from, date_to=date_to, recruiter_id=recruiter_id,
        weekly=True, settled_until=settled_until,
    )  # fmt: skip
    for dimension, *row in rows:
        _add(sums[dimension][row[0]], row, settled_until=settled_until)
    live = _live_by_key(org=org, group_bys=group_bys, now=now, recruiter_id=recruiter_id)
    min_sends = org_setting(org, "live_rate_min_sends")
    return {
        group_by: _rate_rows(
            org, group_by, sums[group_by], live[group_by], window_days=window_days, min_sends=min_sends
        )
        for group_by in group_bys
    }


def _rate_rows(
    org, group_by: str, sums: dict[str, _Sums], live: dict[str, tuple[int, int]], *, window_days: int, min_sends: int
) -> list[RateRow]:
    for total in sums.values():
        _finish(total, window_days=window_days)
    labels = _labels(org=org, group_by=group_by, keys=list(sums))
    result = []
    for key, total in sums.items():
        delivered = total.sent - total.bounced
        settled = total.answered + total.unanswered
        ci_low, ci_high = wilson_interval(total.answered, settled)
        live_sent, live_answered = live.get(key, (0, 0))
        result.append(
            RateRow(
                key=key,
                label=labels.get(key, key or "—"),
                sent=total.sent,
                answered=total.answered,
                unanswered=total.unanswered,
                pending=total.pending,
                bounced=total.bounced,
                settled_rate=ratio(total.answered, settled),
                live_14d_rate=ratio(live_answered, live_sent),
                live_14d_sent=live_sent,
                small_sample=live_sent < min_sends,
                median_hours_to_reply=_median_hours(total.hours),
                interested_rate=ratio(total.interested, delivered),
                unsubscribe_rate=ratio(total.unsubscribed, delivered),
                ci_low=ci_low,
                ci_high=ci_high,
                interested=total.interested,
                not_interested=total.not_interested,
                unsubscribed=total.unsubscribed,
            )
        )
    result.sort(key=lambda row: (-row.sent, row.label))
    return result


def _live_by_key(
    *, org, group_bys: Sequence[str], now: datetime, recruiter_id: int | None
) -> dict[str, dict[str, tuple[int, int]]]:
    """Cut → key → (delivered outreach, answered so far) over the last 14 UTC days, today included."""
    today = timezone.localdate(now, timezone=UTC)
    live: dict[str, dict[str, tuple[int, int]]] = {group_by: {} for group_by in group_bys}
    rows = _rows(
        org=org, dimensions=group_bys, date_from=today - timedelta(days=LIVE_DAYS - 1), date_to=today,
        recruiter_id=recruiter_id, fields=("key", "sent", "bounced", "answered"),
    )  # fmt: skip
    for dimension, key, sent, bounced, answered in rows:
        delivered, answers = live[dimension].get(key, (0, 0))
        live[dimension][key] = (delivered + sent - bounced, answers + answered)
    return live


def live_rate(*, org, recruiter_id: int | None, now: datetime | None = None) -> LiveRate:
    """LinkedIn's assessment: answered so far ÷ outreach sent (not bounced) in the last 14 days."""
    group_by = "recruiter" if recruiter_id is not None else "all"
    live = _live_by_key(org=org, group_bys=[group_by], now=_now(now), recruiter_id=recruiter_id)[group_by]
    sent, answered = live.get(str(recruiter_id) if recruiter_id is not None else "", (0, 0))
    min_sends = org_setting(org, "live_rate_min_sends")
    rate = ratio(answered, sent)
    small = sent < min_sends
    return LiveRate(
        sent=sent, answered=answered, rate=rate, small_sample=small, min_sends=min_sends,
        below_threshold=not small and rate is not None and rate < GUARD_THRESHOLD,
    )  # fmt: skip


def rate_over_time(
    *,
    org,
    date_from: date,
    date_to: date,
    window_days: int = 30,
    recruiter_id: int | None = None,
    now: datetime | None = None,
    bucket: str = "week",
) -> list[PeriodRow]:
    """Settled rate per day or per week (weeks start on Monday), every period present, oldest first."""
    if bucket not in ("day", "week"):
        raise AnalyticsError("Bucket is day or week.", field="bucket")
    validate_range(date_from=date_from, date_to=date_to, window_days=window_days)
    settled_until = _settled_until(_now(now), window_days)

    def start_of(day: date) -> date:
        return day if bucket == "day" else day - timedelta(days=day.weekday())

    periods: dict[date, _Sums] = {}
    cursor = start_of(date_from)
    while cursor <= date_to:
        periods[cursor] = _Sums()
        cursor += timedelta(days=1 if bucket == "day" else 7)
    rows = _rows(
        org=org, dimensions=["all"], date_from=date_from, date_to=date_to, recruiter_id=recruiter_id,
        weekly=bucket == "week", settled_until=settled_until,
    )  # fmt: skip
    for _dimension, *row in rows:
        _add(periods[start_of(row[1])], row, settled_until=settled_until)
    for total in periods.values():
        _finish(total, window_days=window_days)
    result = []
    for start, total in periods.items():
        settled = total.answered + total.unanswered
        ci_low, ci_high = wilson_interval(total.answered, settled)
        result.append(
            PeriodRow(
                period_start=start, sent=total.sent, answered=total.answered, unanswered=total.unanswered,
                pending=total.pending, bounced=total.bounced, settled_rate=ratio(total.answered, settled),
                ci_low=ci_low, ci_high=ci_high,
            )
        )  # fmt: skip
    return result


def reply_time_distribution(
    *,
    org,
    date_from: date,
    date_to: date,
    window_days: int = 30,
    recruiter_id: int | None = None,
    now: datetime | None = None,
) -> list[DistributionRow]:
    """How long answers (within the window) took after the first send, in fixed buckets."""
    validate_range(date_from=date_from, date_to=date_to, window_days=window_days)
    total = _Sums()
    settled_until = _settled_until(_now(now), window_days)
    rows = _rows(
        org=org, dimensions=["all"], date_from=date_from, date_to=date_to, recruiter_id=recruiter_id,
        weekly=True, settled_until=settled_until,
    )  # fmt: skip
    for _dimension, *row in rows:
        _add(total, row, settled_until=settled_until)
    _finish(total, window_days=window_days)
    counts: Counter[str] = Counter()
    for hours, count in total.hours.items():
        for label, up_to in REPLY_TIME_BUCKETS:
            if up_to is None or hours <= up_to:
                counts[label] += count
                break
    answers = sum(counts.values())
    distribution: list[DistributionRow] = []
    lower = 0
    for label, up_to in REPLY_TIME_BUCKETS:
        if lower < 24 * window_days:  # buckets that start beyond the window can hold nothing
            distribution.append(
                DistributionRow(
                    label=label, up_to_hours=up_to, count=counts[label], share=ratio(counts[label], answers)
                )
            )
        lower = up_to or lower
    return distribution


def _labels(**kwargs):
    from engagement.analytics.labels import key_labels

    return key_labels(**kwargs)
