"""Normalising what people type or import, so duplicates match and records stay clean."""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from candidates import countries

INDUSTRIES: tuple[str, ...] = tuple(
    line.strip()
    for line in (Path(__file__).parent / "data" / "industries.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_INDUSTRY_BY_KEY = {name.casefold(): name for name in INDUSTRIES}


def email(value: str) -> str:
    value = (value or "").strip().strip("<>").lower()
    if value.startswith("mailto:"):
        value = value[len("mailto:") :]
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(f"“{value}” is not a valid e-mail address.", code="invalid") from None
    return value


def phone(value: str, country_code: str = "") -> str:
    """E.164 (`+442079460958`); a number without a country code is read in `country_code`."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            f"“{value}” is not a phone number we can read. Include the country code, e.g. +44 20 7946 0958.",
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_LINKEDIN_HOST = re.compile(r"^([a-z]{2,3}\.|www\.|m\.)?linkedin\.com$")


def linkedin_url(value: str) -> str:
    """`https://uk.linkedin.com/in/Jane-Doe/?trk=x` → `linkedin.com/in/jane-doe`."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value if "//" in value else f"https://{value}")
    host = (parts.hostname or "").lower()
    path = re.sub(r"/+", "/", parts.path).rstrip("/").lower()
    if not _LINKEDIN_HOST.match(host) or not re.match(r"^/(in|pub)/[^/]+", path):
        raise ValidationError(
            f"“{value}” is not a LinkedIn profile URL (expected linkedin.com/in/<name>).", code="invalid"
        )
    return f"linkedin.com{path}"


def industry(value: str) -> str:
    """The taxonomy's spelling of an industry, or a ValidationError naming the problem."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return _INDUSTRY_BY_KEY[value.casefold()]
    except KeyError:
        raise ValidationError(f"“{value}” is not an industry in our list.", code="invalid") from None


def country_code(value: str) -> str:
    """The ISO 3166-1 code of a country given by code, name or common alias (see candidates/countries.py)."""
    value = (value or "").strip()
    code = countries.lookup(value)
    if value and not code:
        raise ValidationError(f"“{value}” is not a country code in ISO 3166, such as GB or US.", code="invalid")
    return code


@functools.cache
def _zones_by_country() -> dict[str, list[str]]:
    zones: dict[str, list[str]] = {}
    for root in zoneinfo.TZPATH:
        tab = Path(root) / "zone.tab"
        if tab.exists():
            for line in tab.read_text().splitlines():
                if line and not line.startswith("#"):
                    fields = line.split("\t")
                    zones.setdefault(fields[0], []).append(fields[2])
            break
    return zones


# Two instants, one in each half of the year: zones that agree on both keep the same clock.
_SAMPLE_INSTANTS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))


@functools.cache
def _one_clock(country: str) -> str:
    """The country's first (most populous) zone when all its zones keep the same time, else ""."""
    zones = _zones_by_country().get(country, [])
    clocks = {
        tuple(instant.astimezone(zoneinfo.ZoneInfo(z)).utcoffset() for instant in _SAMPLE_INSTANTS) for z in zones
    }
    return zones[0] if len(clocks) == 1 else ""


def time_zone_for(*, country: str, city: str = "") -> str:
    """A best guess from the location: the zone named after the city, else the country's clock when
    all its zones keep the same time (Germany's Berlin and Büsingen), else "" (the United States)."""
    country = (country or "").upper()
    zones = _zones_by_country().get(country, [])
    city_key = (city or "").strip().replace(" ", "_").casefold()
    for zone in zones:
        if city_key and zone.rsplit("/", 1)[-1].casefold() == city_key:
            return zone
    return _one_clock(country) if zones else ""


def label(value: str) -> str:
    """A skill or tag name: trimmed, inner whitespace folded."""
    return re.sub(r"\s+", " ", (value or "").strip())[:80]
