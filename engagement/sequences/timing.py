"""When a step may run: the organisation's send days and window, in the candidate's time zone.

Pure functions of explicit datetimes, so they are tested without a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from candidates.models import Candidate
from engagement.sequences.models import Sequence, SequenceStep
from talentcircles.models import Organization

# --- Timing (pure) ------------------------------------------------------------------------------


def zone(tz_name: str | None, fallback: str = "UTC") -> ZoneInfo:
    for name in (tz_name, fallback, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _weekdays(org: Organization) -> frozenset[int]:
    # An empty setting would mean "never"; treat it as every day rather than stall every sequence.
    days = frozenset(int(d) for d in (org.send_weekdays or "") if d.isdigit() and 1 <= int(d) <= 7)
    return days or frozenset(range(1, 8))


def _window(org: Organization, window_start: time | None, window_end: time | None) -> tuple[time, time]:
    start, end = window_start or org.send_window_start, window_end or org.send_window_end
    if start >= end:  # a broken override falls back to the organisation's window
        start, end = org.send_window_start, org.send_window_end
    return start, end


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # Round trip through UTC so a wall time inside a DST gap becomes a real instant.
    return datetime.combine(day, at, tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz)


def next_opening(
    when: datetime,
    *,
    org: Organization,
    tz_name: str | None,
    window_start: time | None = None,
    window_end: time | None = None,
) -> datetime:
    """`when` if it falls inside the send window, else the window's next opening.

    The window is the organisation's (or the sequence's override) on the organisation's send
    weekdays, read in `tz_name` (the candidate's time zone), falling back to the organisation's.
    Returns an aware datetime in that time zone.
    """
    tz = zone(tz_name, org.time_zone)
    start, end = _window(org, window_start, window_end)
    days = _weekdays(org)
    local = when.astimezone(tz)
    if local.isoweekday() in days and start <= local.timetz().replace(tzinfo=None) < end:
        return local
    day = local.date()
    if local.isoweekday() in days and local.time() < start:
        return _local(day, start, tz)
    for _ in range(7):
        day += timedelta(days=1)
        if day.isoweekday() in days:
            return _local(day, start, tz)
    return _local(day, start, tz)  # unreachable: _weekdays is never empty


def in_window(when: datetime, *, org: Organization, tz_name: str | None, **window) -> bool:
    return next_opening(when, org=org, tz_name=tz_name, **window) == when


def add_delay(
    start: datetime,
    *,
    hours: int | None = None,
    business_days: int | None = None,
    tz_name: str | None = "UTC",
    weekdays: Iterable[int] = (1, 2, 3, 4, 5),
) -> datetime:
    """`start` plus a delay: hours of elapsed time, or business days (the same local time of day
    `business_days` working days later, counted on `weekdays` in `tz_name`)."""
    if business_days:
        tz, days = zone(tz_name), frozenset(weekdays) or frozenset(range(1, 8))
        local = start.astimezone(tz)
        day, left = local.date(), business_days
        while left:
            day += timedelta(days=1)
            if day.isoweekday() in days:
                left -= 1
        return _local(day, local.time(), tz)
    return start + timedelta(hours=hours or 0)


def candidate_tz(candidate: Candidate, org: Organization) -> str:
    return candidate.time_zone or org.time_zone


def schedule_step(step: SequenceStep, *, after: datetime, org: Organization, tz_name: str | None) -> datetime:
    """When `step` runs if the previous one ran at `after`: its delay, then into the send window."""
    sequence = step.sequence
    due = add_delay(
        after,
        hours=step.delay_hours,
        business_days=step.delay_business_days,
        tz_name=tz_name or org.time_zone,
        weekdays=_weekdays(org),
    )
    return next_opening(
        due, org=org, tz_name=tz_name, window_start=sequence.send_window_start, window_end=sequence.send_window_end
    )


def next_day_opening(now: datetime, *, org: Organization, tz_name: str | None, sequence: Sequence) -> datetime:
    """The first send-window opening on a later day (in the organisation's time zone) than `now`."""
    org_tz = zone(org.time_zone)
    tomorrow = datetime.combine(now.astimezone(org_tz).date() + timedelta(days=1), time(0, 0), tzinfo=org_tz)
    return next_opening(
        tomorrow,
        org=org,
        tz_name=tz_name,
        window_start=sequence.send_window_start,
        window_end=sequence.send_window_end,
    )


def local_day_start(now: datetime, *, org: Organization) -> datetime:
    org_tz = zone(org.time_zone)
    return datetime.combine(now.astimezone(org_tz).date(), time(0, 0), tzinfo=org_tz)
