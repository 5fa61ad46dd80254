"""Jobs made through the real write path, for the job tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from candidates.models import Candidate, Resume
from candidates.resumes import resume_attach
from engagement.circles.community import community_join
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from engagement.circles.services import circle_create
from tests.candidates.page_support import TINY_PDF
from tests.factories import UserFactory


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


def make_circle(tenant, name="Backend Engineers", visibility="public") -> Circle:
    return circle_create(org=tenant.org, actor=tenant.user, name=name, visibility=visibility)


def join_member(tenant, email="member@example.com", first_name="Mia") -> tuple[Client, Candidate]:
    """A verified portal member of the tenant's community, signed in: (client, candidate)."""
    user = UserFactory(email=email, first_name=first_name)
    candidate = community_join(
        org=tenant.org, user=user, profile={"first_name": first_name}, messages_consent=True, ip_address="10.0.0.1"
    )
    client = Client()
    client.force_login(user)
    return client, candidate


def attach_resume(candidate: Candidate, name="Mia CV.pdf") -> Resume:
    return resume_attach(candidate=candidate, upload=SimpleUploadedFile(name, TINY_PDF), actor=None)
