"""Exports: a list of candidates as CSV (streamed, flat memory) and one candidate as a JSON Resume."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet

from candidates.models import Candidate

CHUNK = 2000
CSV_COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "headline", "current_title", "current_company",
    "industry", "city", "region", "country_code", "linkedin_url", "skills", "tags", "source", "stage",
    "owner_email", "created_at",
)  # fmt: skip
_VALUES = (
    "id", "first_name", "last_name", "email", "phone", "headline", "current_title", "current_company",
    "industry", "city", "region", "country_code", "linkedin_url", "source", "stage", "owner__email", "created_at",
)  # fmt: skip
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
JSON_RESUME_SCHEMA = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection); phone numbers like +4420… stay as they are."""
    if value.startswith(_FORMULA_START) and not value[1:].replace(" ", "").isdigit():
        return "'" + value
    return value


def _names_by_candidate(candidate_ids: list[int], *, relation: str) -> dict[int, list[str]]:
    """Skill (or tag) names for each of these candidates, in name order, in one query."""
    through = getattr(Candidate, relation).through
    label = relation[:-1]  # skills → skill, tags → tag
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(candidate_id__in=candidate_ids)
        .order_by(f"{label}__name")
        .values_list("candidate_id", f"{label}__name")
    )
    for candidate_id, name in rows:
        names[candidate_id].append(name)
    return names


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def csv_rows(candidates: QuerySet[Candidate]) -> Iterator[list[str]]:
    """The header, then one row per candidate in the queryset's order.

    Rows are read with a database cursor in chunks, and each chunk's skills and
    tags with one query each, so memory stays flat however many candidates match.
    """
    yield list(CSV_COLUMNS)
    rows = candidates.prefetch_related(None).values(*_VALUES).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows, CHUNK):
        ids = [row["id"] for row in chunk]
        skills = _names_by_candidate(ids, relation="skills")
        tags = _names_by_candidate(ids, relation="tags")
        for row in chunk:
            values = {
                **row,
                "linkedin_url": f"https://www.{row['linkedin_url']}" if row["linkedin_url"] else "",
                "skills": "; ".join(skills.get(row["id"], ())),
                "tags": "; ".join(tags.get(row["id"], ())),
                "owner_email": row["owner__email"] or "",
                "created_at": row["created_at"].isoformat(),
            }
            yield [_safe_cell(str(values[column])) for column in CSV_COLUMNS]


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream(candidates: QuerySet[Candidate]) -> Iterator[str]:
    """CSV text for a StreamingHttpResponse, starting with a BOM so spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in csv_rows(candidates):
        yield writer.writerow(row)


def _compact(value):
    """Drop empty strings, lists and objects: the schema's formats (email, uri) reject ""."""
    if isinstance(value, dict):
        cleaned = {key: _compact(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in ("", None, [], {})}
    if isinstance(value, list):
        return [item for item in (_compact(item) for item in value) if item not in ("", None, [], {})]
    return value


def json_resume(candidate: Candidate) -> dict:
    """The candidate as a JSON Resume (jsonresume.org schema v1.0.0); empty fields are left out."""
    profiles = []
    if candidate.linkedin_url:
        profiles.append(
            {
                "network": "LinkedIn",
                "username": candidate.linkedin_url.rstrip("/").rsplit("/", 1)[-1],
                "url": candidate.linkedin_href,
            }
        )
    work = []
    if candidate.current_company or candidate.current_title:
        work.append({"name": candidate.current_company, "position": candidate.current_title})
    resume = {
        "$schema": JSON_RESUME_SCHEMA,
        "basics": {
            "name": candidate.full_name,
            "label": candidate.headline,
            "email": candidate.email,
            "phone": candidate.phone,
            "url": (candidate.links or [""])[0],
            "location": {"city": candidate.city, "region": candidate.region, "countryCode": candidate.country_code},
            "profiles": profiles,
        },
        "work": work,
        "skills": [{"name": skill.name} for skill in candidate.skills.all()],
        "meta": {"lastModified": candidate.updated_at.isoformat(timespec="seconds")},
    }
    return _compact(resume)
