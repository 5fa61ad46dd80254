"""A job as others read it: schema.org `JobPosting` data for search engines, and JSON Feed items.

https://schema.org/JobPosting and Google's job posting guidelines: title, description, datePosted,
hiringOrganization and a place (jobLocation, or for a remote job jobLocationType TELECOMMUTE with
applicantLocationRequirements) are required; employmentType, baseSalary and identifier help.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from engagement.circles.jobs.models import Job

# JobPosting.employmentType's values, which ours are the lower-case of.
EMPLOYMENT_TYPES = {value: value.upper() for value in Job.EmploymentType.values}
# Inside <script> a "</script>" or "<!--" in a title would end or change the block: escape <, > and &
# as JSON escapes (as Django's json_script does), which JSON readers decode to the same text.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _places(job: Job) -> dict[str, Any]:
    if job.remote_policy == Job.RemotePolicy.REMOTE:
        place: dict[str, Any] = {"jobLocationType": "TELECOMMUTE"}
        if job.locations:
            place["applicantLocationRequirements"] = [
                {"@type": "AdministrativeArea", "name": name} for name in job.locations
            ]
        return place
    return {
        "jobLocation": [
            {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": name}} for name in job.locations
        ]
    }


def _salary(job: Job) -> dict[str, Any]:
    if job.salary_min is None and job.salary_max is None:
        return {}
    value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": "YEAR"}
    if job.salary_min is not None:
        value["minValue"] = job.salary_min
    if job.salary_max is not None:
        value["maxValue"] = job.salary_max
    return {"baseSalary": {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}}


def job_posting(job: Job, *, url: str, organisation_url: str) -> dict[str, Any]:
    """The job as a schema.org JobPosting (a dict ready for JSON)."""
    org = job.organization
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html,
        "datePosted": (job.opened_at or job.created_at).date().isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": org.name, "sameAs": organisation_url},
        "employmentType": EMPLOYMENT_TYPES[job.employment_type],
        "identifier": {"@type": "PropertyValue", "name": org.name, "value": job.slug},
        "url": url,
        **_places(job),
        **_salary(job),
    }
    if job.skills:
        data["skills"] = ", ".join(job.skills)
    return data


def script_json(data: dict[str, Any]) -> SafeString:
    """JSON to put inside a <script type="application/ld+json"> element as is."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE))
