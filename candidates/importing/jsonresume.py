"""JSON Resume (jsonresume.org, schema v1): one resume object or a JSON array of them.

basics.name → first and last name (the last word is the last name), email, phone
(read in basics.location.countryCode), label → headline, location → city, region and
country; the LinkedIn profile → LinkedIn URL, other profile URLs and basics.url → links;
the latest job (the first without an end date, else the first) → current title and
company; skills' names and keywords → skills.
"""

from __future__ import annotations

import json

from candidates.importing.mapping import country_code, split_name
from candidates.importing.readers import ImportFileError
from candidates.importing.records import Record


def _obj(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def parse(text: str) -> list[dict]:
    """The resume objects in `text`, or ImportFileError when it is not JSON or holds no resume."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    if isinstance(document, dict):
        if not any(key in document for key in ("basics", "work", "skills")):
            raise ImportFileError("This JSON is not a JSON Resume: it has no “basics” section.")
        return [document]
    if isinstance(document, list):
        if not document:
            raise ImportFileError("The file holds an empty list: there are no resumes to import.")
        return document
    raise ImportFileError("Expected a JSON Resume object, or a JSON array of them.")


def _linkedin_and_links(basics: dict) -> tuple[str, list[str]]:
    linkedin, links = "", []
    for profile in _list(basics.get("profiles")):
        profile = _obj(profile)
        network, url = _text(profile.get("network")).casefold(), _text(profile.get("url"))
        username = _text(profile.get("username"))
        if not linkedin and (network == "linkedin" or "linkedin.com" in url.lower()):
            linkedin = url or (f"linkedin.com/in/{username}" if username else "")
        elif url:
            links.append(url)
    website = _text(basics.get("url")) or _text(basics.get("website"))  # `website` in pre-1.0 resumes
    return linkedin, ([website] if website else []) + links


def _latest_job(work: list) -> dict:
    jobs = [_obj(job) for job in work if _obj(job)]
    current = next((job for job in jobs if not _text(job.get("endDate"))), None)
    return current or (jobs[0] if jobs else {})


def to_record(resume: object, row: int) -> Record:
    """One resume as a Record (with `error` set when it is not a resume object)."""
    if not isinstance(resume, dict) or not isinstance(resume.get("basics"), dict):
        raw = {"resume": json.dumps(resume, ensure_ascii=False)[:200]}
        return Record(row=row, raw=raw, error="Not a JSON Resume: it has no “basics” object.")
    basics = resume["basics"]
    location = _obj(basics.get("location"))
    first, last = split_name(_text(basics.get("name")))
    linkedin, links = _linkedin_and_links(basics)
    job = _latest_job(_list(resume.get("work")))
    candidate = {
        "first_name": first,
        "last_name": last,
        "email": _text(basics.get("email")),
        "phone": _text(basics.get("phone")),
        "headline": _text(basics.get("label")),
        "city": _text(location.get("city")),
        "region": _text(location.get("region")),
        "country_code": country_code(_text(location.get("countryCode"))),
        "linkedin_url": linkedin,
        "current_title": _text(job.get("position")),
        "current_company": _text(job.get("name")) or _text(job.get("company")),  # `company` before 1.0
    }
    data: dict = {name: value for name, value in candidate.items() if value}
    if links:
        data["links"] = links
    skills: list[str] = []
    for skill in _list(resume.get("skills")):
        skill = _obj(skill)
        skills += [name for name in [_text(skill.get("name"))] if name]
        skills += [keyword for keyword in map(_text, _list(skill.get("keywords"))) if keyword]
    raw = {"name": _text(basics.get("name")), "email": _text(basics.get("email"))}
    return Record(row=row, raw=raw, data=data, skills=skills)
