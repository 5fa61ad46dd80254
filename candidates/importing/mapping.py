"""Column header → candidate field: guessed from header names and sample values, editable on the mapping page.

A mapping is a dict of header → field name ("" or absent: ignore the column). Fields
are profile fields plus a few import-only ones: `full_name` (split into first and
last name), `skills` and `tags` (lists separated by `;` or `,`), `links` (other URLs).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from pathlib import Path

from django.core.exceptions import ValidationError

from candidates import countries
from candidates.importing import values
from candidates.models import Candidate

FIELD_CHOICES: list[tuple[str, str]] = [
    ("full_name", "Full name (split into first and last)"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("headline", "Headline"),
    ("current_title", "Current title"),
    ("current_company", "Current company"),
    ("industry", "Industry"),
    ("city", "City"),
    ("region", "Region or state"),
    ("country_code", "Country"),
    ("time_zone", "Time zone"),
    ("linkedin_url", "LinkedIn URL"),
    ("links", "Other link (website, GitHub…)"),
    ("skills", "Skills (separated by ; or ,)"),
    ("tags", "Tags (separated by ; or ,)"),
    ("source", "Source"),
    ("referrer", "Referrer"),
]
FIELDS = dict(FIELD_CHOICES)
LIST_FIELDS = frozenset({"skills", "tags", "links"})
# Columns that identify someone: without one of these, no row can become a candidate.
IDENTIFYING_FIELDS = frozenset({"full_name", "first_name", "email", "linkedin_url"})

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": ("name", "fullname", "candidatename", "contactname"),
    "first_name": ("firstname", "first", "givenname", "forename", "prenom", "vorname", "nombre"),
    "last_name": ("lastname", "last", "surname", "familyname", "nom", "nachname", "apellido", "apellidos"),
    "email": (
        "email", "emailaddress", "mail", "emailadresse", "courriel", "workemail", "personalemail",
        "primaryemail", "emails",
    ),
    "phone": (
        "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "telephone",
        "tel", "telefon", "telefono",
    ),
    "headline": ("headline", "tagline", "profileheadline"),
    "current_title": (
        "title", "jobtitle", "position", "role", "currenttitle", "currentposition", "currentrole", "occupation",
        "designation",
    ),
    "current_company": (
        "company", "organisation", "organization", "employer", "currentcompany", "companyname",
        "currentemployer", "firma", "entreprise",
    ),
    "industry": ("industry", "sector"),
    "city": ("city", "town", "ville", "stadt"),
    "region": ("region", "state", "province", "county", "stateprovince"),
    "country_code": ("country", "countrycode", "nation", "land", "pays"),
    "time_zone": ("timezone", "tz"),
    "linkedin_url": ("linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl", "linkedinlink"),
    "links": ("website", "portfolio", "github", "githuburl", "personalwebsite", "homepage", "blog"),
    "skills": ("skills", "skill", "skillset", "expertise", "competencies", "technologies", "keywords"),
    "tags": ("tags", "tag", "labels"),
    "source": ("source", "candidatesource", "leadsource"),
    "referrer": ("referrer", "referredby", "referral"),
}  # fmt: skip
_FIELD_BY_KEY = {key: field for field, keys in _SYNONYMS.items() for key in keys}
# Generic link columns: LinkedIn's when their values say so, otherwise "other links".
_URL_KEYS = frozenset({"url", "profileurl", "profile", "link", "links", "publicprofileurl", "web"})


def header_key(header: str) -> str:
    """`E-mail Address` → `emailaddress`: case, accents, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKD", header.casefold())
    return "".join(char for char in text if char.isascii() and char.isalnum())


def is_known_header(header: str) -> bool:
    """A column name we recognise (`E-mail`, `Company`, `URL`…)."""
    key = header_key(header)
    return key in _FIELD_BY_KEY or key in _URL_KEYS


def _looks_like_linkedin(cells: list[str]) -> bool:
    present = [cell for cell in cells if cell.strip()]
    return bool(present) and sum("linkedin.com" in cell.lower() for cell in present) * 2 >= len(present)


def _field_from_values(cells: list[str]) -> str:
    """A column without a name, guessed from what it holds: e-mails, LinkedIn or other URLs, phones."""
    if values.all_present(cells, values.is_email):
        return "email"
    if values.all_present(cells, values.is_linkedin_url):
        return "linkedin_url"
    if values.all_present(cells, values.is_url):
        return "links"
    if values.all_present(cells, values.is_phone) and not values.all_present(cells, values.is_date):
        return "phone"
    return ""


def auto_map(
    headers: list[str], sample: list[dict[str, str]] | None = None, *, has_header: bool = True
) -> dict[str, str]:
    """The best guess for every header ("" when none); each single-valued field is used once.

    Without a header (`has_header=False`), a column is guessed from its values alone.
    """
    sample = sample or []
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        cells = [row.get(header, "") for row in sample]
        key = header_key(header) if has_header else ""
        field = _FIELD_BY_KEY.get(key, "") if has_header else _field_from_values(cells)
        if key in _URL_KEYS or (not field and "url" in key):
            field = "linkedin_url" if _looks_like_linkedin(cells) or "linkedin" in key else "links"
        if field and field not in LIST_FIELDS and field in taken:
            field = ""
        mapping[header] = field
        taken.add(field)
    return mapping


def validate(mapping: object, headers: list[str]) -> dict[str, str]:
    """The mapping with every header present, or ValidationError({"mapping": [...]}) saying what is wrong."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": ["Send the mapping as a JSON object of column header → field."]})
    problems = []
    unknown_columns = [str(header) for header in mapping if header not in headers]
    if unknown_columns:
        problems.append(
            f"Not columns of this file: {', '.join(unknown_columns)}. The columns are: {', '.join(headers)}."
        )
    unknown_fields = sorted({str(f) for f in mapping.values() if f and f not in FIELDS})
    if unknown_fields:
        problems.append(f"Not fields we import: {', '.join(unknown_fields)}. Choose from: {', '.join(FIELDS)}.")
    by_field: dict[str, list[str]] = {}
    for header, field in mapping.items():
        if field in FIELDS and field not in LIST_FIELDS:
            by_field.setdefault(field, []).append(str(header))
    for field, columns in by_field.items():
        if len(columns) > 1:
            problems.append(f"“{FIELDS[field]}” is chosen for more than one column ({', '.join(columns)}).")
    if not problems and not IDENTIFYING_FIELDS & set(mapping.values()):
        problems.append("Choose a column for the name, the e-mail or the LinkedIn URL.")
    if problems:
        raise ValidationError({"mapping": problems})
    return {header: mapping.get(header) or "" for header in headers}


def split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n|]", value) if part.strip()]


def split_name(full_name: str) -> tuple[str, str]:
    """`Ada King Lovelace` → (`Ada King`, `Lovelace`): the last word is the last name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), ""
    return " ".join(words[:-1]), words[-1]


@functools.cache
def _countries_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for root in zoneinfo.TZPATH:
        table = Path(root) / "iso3166.tab"
        if table.exists():
            for line in table.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    code, name = line.split("\t", 1)
                    names[header_key(name)] = code
            break
    aliases = {
        "uk": "GB", "unitedkingdom": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB",
        "wales": "GB", "northernireland": "GB", "usa": "US", "unitedstatesofamerica": "US", "america": "US",
        "southkorea": "KR", "northkorea": "KP", "russia": "RU", "czechia": "CZ", "czechrepublic": "CZ",
        "holland": "NL", "thenetherlands": "NL", "uae": "AE", "deutschland": "DE", "espana": "ES",
        "italia": "IT", "suisse": "CH", "schweiz": "CH", "osterreich": "AT", "vietnam": "VN", "turkey": "TR",
        "iran": "IR", "syria": "SY", "taiwan": "TW", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
        "laos": "LA", "moldova": "MD", "ivorycoast": "CI",
    }  # fmt: skip
    return names | aliases


def country_code(value: str) -> str:
    """A country's code, English name or common alias as its ISO code (candidates/countries.py); else unchanged.

    Left unchanged, a value that is no country is reported as a warning by the profile's cleaning.
    """
    value = value.strip()
    return countries.lookup(value) or _countries_by_name().get(header_key(value), value)


def source(value: str) -> str:
    """One of the candidate sources, by value or label; anything else is "other"."""
    key = value.strip().casefold()
    for choice, label in Candidate.Source.choices:
        if key in (choice, label.casefold()):
            return choice
    return Candidate.Source.OTHER


def first_email(value: str) -> str:
    """The first address of a cell that lists several (`a@x.com; b@y.com`)."""
    parts = re.split(r"[;,\s]+", value.strip())
    return parts[0] if parts else ""


def apply(mapping: dict[str, str], row: dict[str, str]) -> tuple[dict, list[str], list[str]]:
    """Profile data, skills and tags from one row; empty cells are left out."""
    data: dict = {}
    skills: list[str] = []
    tags: list[str] = []
    links: list[str] = []
    full_name = ""
    for header, field in mapping.items():
        value = (row.get(header) or "").strip()
        if not field or not value:
            continue
        if field == "skills":
            skills += split_list(value)
        elif field == "tags":
            tags += split_list(value)
        elif field == "links":
            links.append(value)
        elif field == "full_name":
            full_name = value
        else:
            data.setdefault(field, value)
    if full_name:
        first, last = split_name(full_name)
        data.setdefault("first_name", first)
        if last:
            data.setdefault("last_name", last)
    if links:
        data["links"] = links
    if "email" in data:
        data["email"] = first_email(data["email"])
    if "country_code" in data:
        data["country_code"] = country_code(data["country_code"])
    if "source" in data:
        data["source"] = source(data["source"])
    return data, skills, tags
