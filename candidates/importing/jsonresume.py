"""JSON Resume (jsonresume.org, schema v1): one resume object or a JSON array of them.

basics.name → first and last name (the last word is the last name), email, phone
(read in basics.location.countryCode), label → headline, location → city, region and
country (a country's name is read too); the LinkedIn profile → LinkedIn URL, other
profiles (their URL, or one made from the network and username) and basics.url → links;
the current job (the latest started without an end date, else the latest ended) →
current title and company; skills' names and keywords → skills. Every section of the
standard is optional, so a resume without `basics` is read too (and skipped for having
no name); shapes people write that the schema does not (skills as plain strings,
keywords as one string) are read as meant. A work date that is not a date ("Present")
is left out with a warning on the row. The candidate profile has no place for education,
projects, awards, languages or the rest, so they are not imported.
"""

from __future__ import annotations

import json

from candidates.importing import values
from candidates.importing.mapping import country_code, header_key, split_list, split_name
from candidates.importing.readers import ImportFileError
from candidates.importing.records import Record

# The standard's top-level keys: an object with one of them is a resume (every one is optional).
SECTIONS = frozenset({
    "$schema",
    "basics", "work", "volunteer", "education", "awards", "certificates", "publications", "skills",
    "languages", "interests", "references", "projects", "meta",
})  # fmt: skip
# A profile's address from its network and username, when it gives no URL.
_PROFILE_URLS = {
    "github": "https://github.com/{}",
    "gitlab": "https://gitlab.com/{}",
    "bitbucket": "https://bitbucket.org/{}",
    "twitter": "https://twitter.com/{}",
    "x": "https://x.com/{}",
    "soundcloud": "https://soundcloud.com/{}",
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "medium": "https://medium.com/@{}",
    "dribbble": "https://dribbble.com/{}",
    "behance": "https://www.behance.net/{}",
    "youtube": "https://www.youtube.com/@{}",
}


def _obj(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def parse(text: str) -> list[object]:
    """The resume objects in `text`, or ImportFileError when it is not JSON or holds no resume."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:  # brackets nested thousands deep: no resume is shaped like that
        raise ImportFileError("The JSON is nested too deeply to be a JSON Resume.") from None
    if isinstance(document, dict):
        if not SECTIONS & document.keys():
            raise ImportFileError(
                "This JSON is not a JSON Resume: it has no “basics” section, nor any other section of the standard."
            )
        return [document]
    if isinstance(document, list):
        if not document:
            raise ImportFileError("The file holds an empty list: there are no resumes to import.")
        return document
    raise ImportFileError("Expected a JSON Resume object, or a JSON array of them.")


def _profile_url(profile: dict) -> str:
    url = _text(profile.get("url"))
    username = _text(profile.get("username")).lstrip("@")
    template = _PROFILE_URLS.get(header_key(_text(profile.get("network"))))
    return url or (template.format(username) if template and username else "")


def _linkedin_and_links(basics: dict) -> tuple[str, list[str]]:
    linkedin, links = "", []
    for profile in map(_obj, _list(basics.get("profiles"))):
        network, url = header_key(_text(profile.get("network"))), _profile_url(profile)
        username = _text(profile.get("username"))
        if not linkedin and (network == "linkedin" or "linkedin.com" in url.lower()):
            linkedin = url or (f"linkedin.com/in/{username}" if username else "")
        elif url:
            links.append(url)
    website = _text(basics.get("url")) or _text(basics.get("website"))  # `website` in pre-1.0 resumes
    return linkedin, list(dict.fromkeys(([website] if website else []) + links))


def _date(job: dict, key: str, position: int, warnings: list[str]) -> str:
    """The job's date as written (YYYY, YYYY-MM or YYYY-MM-DD), or "" with a warning when it is not one."""
    value = _text(job.get(key))
    if value and not values.is_resume_date(value):
        warnings.append(f"work {position} {key}: “{value}” is not a date (YYYY, YYYY-MM or YYYY-MM-DD). Left out.")
        return ""
    return value


def _current_job(work: list, warnings: list[str]) -> dict:
    """The latest started of the jobs without an end date, else the latest ended; undated ones in file order."""
    jobs = []
    for position, job in enumerate(work, start=1):
        if isinstance(job, dict) and job:
            start, end = _date(job, "startDate", position, warnings), _date(job, "endDate", position, warnings)
            jobs.append((job, start, end))
    current = [(job, start) for job, start, end in jobs if not end]
    candidates = current or [(job, end) for job, _start, end in jobs]
    # `max` keeps the first of equals: resumes list the newest first.
    return max(candidates, key=lambda pair: pair[1])[0] if candidates else {}


def _skills(resume: dict) -> list[str]:
    skills: list[str] = []
    for skill in _list(resume.get("skills")):
        if isinstance(skill, str):  # `"skills": ["Python", "Go"]`: not the standard, but meant plainly
            skills += [skill.strip()] if skill.strip() else []
            continue
        skill = _obj(skill)
        keywords = skill.get("keywords")
        skills += [name for name in [_text(skill.get("name"))] if name]
        if isinstance(keywords, str):  # `"keywords": "gRPC, protobuf"`
            skills += split_list(keywords)
        else:
            skills += [keyword.strip() for keyword in _list(keywords) if isinstance(keyword, str) and keyword.strip()]
    return skills


def to_record(resume: object, row: int) -> Record:
    """One resume as a Record (with `error` set when it is not a resume object)."""
    if not isinstance(resume, dict) or not SECTIONS & resume.keys():
        raw = {"resume": json.dumps(resume, ensure_ascii=False)[:200]}
        return Record(row=row, raw=raw, error="Not a JSON Resume: it has no “basics” object, nor any other section.")
    basics = _obj(resume.get("basics"))
    location = _obj(basics.get("location"))
    first, last = split_name(_text(basics.get("name")))
    linkedin, links = _linkedin_and_links(basics)
    warnings: list[str] = []
    job = _current_job(_list(resume.get("work")), warnings)
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
    raw = {"name": _text(basics.get("name")), "email": _text(basics.get("email"))}
    return Record(row=row, raw=raw, data=data, skills=_skills(resume), warnings=warnings)
