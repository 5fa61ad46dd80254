"""The date an out-of-office reply says its writer is back ("back on 12 January", "bis 3.1."…)."""

from __future__ import annotations

from datetime import date


def return_date(text: str, *, today: date) -> date | None:
    """The first day the writer of an auto-reply says they are back, or None when it names none.

    Never a day before `today`; a date without a year is the next such day from `today`.
    """
    return None
