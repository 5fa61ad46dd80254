"""Jobs made through the real write path, for the job tests."""

from __future__ import annotations

from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.models import Job


def make_job(tenant, *, title="Backend Engineer", open_it=False, **data) -> Job:
    fields = {
        "team": "Platform",
        "description": "Build **APIs** in Python.",
        "locations": ["Berlin"],
        "skills": ["Python", "Django"],
        **data,
    }
    job = jobs.job_create(org=tenant.org, actor=tenant.user, data={"title": title, **fields})
    return jobs.job_open(job=job) if open_it else job
