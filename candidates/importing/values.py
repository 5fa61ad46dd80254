"""What a cell's value looks like: an e-mail address, a web address, a date, a phone number.

Used where a file says nothing about its columns: telling a header from a first row of data,
guessing the fields of a file that has no header, and reading JSON Resume's dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EMAIL = re.compile(r"^(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+$", re.IGNORECASE)
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_LINKEDIN = re.compile(r"^(https?://)?([a-z]{2,3}\.|www\.|m\.)?linkedin\.com/(in|pub)/\S+$", re.IGNORECASE)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"^("
    rf"\d{{1,2}} {_MONTH} \d{{4}}"  # 11 Jun 2021: LinkedIn's "Connected On" in recent exports
    rf"|{_MONTH} \d{{1,2}},? \d{{4}}"  # Jun 11, 2021
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(,? \d{1,2}:\d{2}( ?[ap]m)?)?"  # 1/8/18, 6:14 PM: in 2018's
    r"|\d{4}-\d{2}(-\d{2})?"  # ISO 8601
    r")$",
    re.IGNORECASE,
)
# Digits with the usual separators, at least seven digits: not a year, not a postcode.
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")
# JSON Resume's date (schema v1.0.0: YYYY, YYYY-MM or YYYY-MM-DD), a time after it tolerated.
_RESUME_DATE = re.compile(r"^[12]\d{3}(-[01]\d(-[0-3]\d([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$")


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def is_url(value: str) -> bool:
    return bool(_URL.match(value.strip())) or is_linkedin_url(value)


def is_linkedin_url(value: str) -> bool:
    return bool(_LINKEDIN.match(value.strip()))


def is_date(value: str) -> bool:
    return bool(_DATE.match(value.strip()))


def is_phone(value: str) -> bool:
    value = value.strip()
    return bool(_PHONE.match(value)) and sum(char.isdigit() for char in value) >= 7


def is_resume_date(value: str) -> bool:
    return bool(_RESUME_DATE.match(value.strip()))


def looks_like_data(value: str) -> bool:
    """A value no column header would be: an e-mail, a web address, a date or a phone number."""
    return is_email(value) or is_url(value) or is_date(value) or is_phone(value)


def all_present(values: list[str], test: Callable[[str], bool]) -> bool:
    """At least one value is present, and every present one passes `test`."""
    present = [value for value in values if value.strip()]
    return bool(present) and all(test(value) for value in present)
