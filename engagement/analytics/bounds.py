"""What every analytics read accepts: the date range and the response window, and the error for the rest.

Years 2000 to 2100 and a range of at most five years (5 times 365 days and two leap days): wider ranges
cost seconds of CPU for no use, and years far out overflowed the date arithmetic (a 500). The
dashboard's form and the API check their input here, so the page and the API give the same messages.
"""

from __future__ import annotations

from datetime import date

from talentcircles.services import ServiceError

MAX_WINDOW_DAYS = 365
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_YEARS = 5
MAX_RANGE_DAYS = MAX_RANGE_YEARS * 365 + 2


class AnalyticsError(ServiceError, ValueError):
    """Bad input for an analytics read; `field` names what to fix."""

    field: str

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


def validate_range(*, date_from: date | None, date_to: date | None, window_days: int | None = None) -> None:
    if date_from is None:
        raise AnalyticsError("Give a start date (from).", field="from")
    if date_to is None:
        raise AnalyticsError("Give an end date (to).", field="to")
    for name, day in (("from", date_from), ("to", date_to)):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise AnalyticsError(f"Give a date in the years {MIN_YEAR} to {MAX_YEAR}.", field=name)
    if date_from > date_to:
        raise AnalyticsError("The start date is after the end date.", field="from")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise AnalyticsError(
            f"The range is at most {MAX_RANGE_YEARS} years ({MAX_RANGE_DAYS:,} days); shorten it.", field="to"
        )
    if window_days is not None and not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise AnalyticsError(f"The response window is 1 to {MAX_WINDOW_DAYS} days.", field="window_days")
