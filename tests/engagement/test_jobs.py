"""Jobs: the model's invariants and the services that create, edit and move them between statuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.models import Job
from tests.engagement.job_support import make_job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_draft_owned_by_its_creator_with_safe_html(acme):
    job = make_job(acme, description="Hello <script>alert(1)</script> **team**", skills="Python, django, Python")
    assert job.status == Job.Status.DRAFT
    assert job.owner == acme.user
    assert job.slug == "backend-engineer"
    assert "<script>" not in job.description_html
    assert "<strong>team</strong>" in job.description_html
    assert job.skills == ["Python", "django"]


def test_slugs_stay_unique_within_an_organisation_only(acme, globex):
    assert make_job(acme).slug == "backend-engineer"
    assert make_job(acme).slug == "backend-engineer-2"
    assert make_job(globex).slug == "backend-engineer"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"salary_min": 90_000, "salary_max": 80_000, "salary_currency": "EUR"}, "salary_max"),
        ({"salary_min": 80_000}, "salary_currency"),
        ({"salary_min": -1, "salary_currency": "EUR"}, "salary_min"),
        ({"remote_policy": "moon"}, "remote_policy"),
        ({"employment_type": "forever"}, "employment_type"),
        ({"seniority": "wizard"}, "seniority"),
        ({"ats_url": "javascript:alert(1)"}, "ats_url"),
        ({"skills": ["x" * 81]}, "skills"),
        ({"locations": [f"city {n}" for n in range(31)]}, "locations"),
    ],
)
def test_it_refuses_bad_fields_with_a_message_on_the_field(acme, data, field):
    with pytest.raises(ValidationError) as raised:
        jobs.job_create(org=acme.org, actor=acme.user, data={"title": "Engineer", **data})
    assert field in raised.value.message_dict
    assert not Job.objects.exists()


def test_owner_and_hiring_manager_must_be_members(acme, globex):
    with pytest.raises(ValidationError) as raised:
        jobs.job_create(org=acme.org, actor=acme.user, data={"title": "Engineer", "hiring_manager": globex.user})
    assert "hiring_manager" in raised.value.message_dict
    with pytest.raises(ValidationError):
        jobs.job_create(org=acme.org, actor=acme.user, data={"title": "Engineer", "owner": UserFactory()})


def test_the_database_refuses_a_salary_range_upside_down(acme):
    job = make_job(acme, salary_min=50_000, salary_max=60_000, salary_currency="EUR")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(salary_min=70_000)


def test_update_changes_the_fields_given_and_keeps_the_slug(acme):
    job = make_job(acme)
    jobs.job_update(job=job, data={"title": "Staff Engineer", "description": "_New_"})
    job.refresh_from_db()
    assert (job.title, job.slug, job.team) == ("Staff Engineer", "backend-engineer", "Platform")
    assert job.description_html == "<p><em>New</em></p>"


def test_a_refused_update_writes_nothing(acme):
    job = make_job(acme)
    with pytest.raises(ValidationError):
        jobs.job_update(job=job, data={"title": "Renamed", "salary_min": 5, "salary_max": 1, "salary_currency": "EUR"})
    job.refresh_from_db()
    assert job.title == "Backend Engineer"


def test_opening_and_closing_stamp_the_times(acme):
    job = jobs.job_open(job=make_job(acme))
    assert job.status == Job.Status.OPEN and job.opened_at is not None and job.closed_at is None
    job = jobs.job_close(job=job)
    assert job.status == Job.Status.CLOSED and job.closed_at is not None
    job = jobs.job_open(job=job)
    assert job.closed_at is None


@pytest.mark.parametrize(
    ("start", "target"),
    [("draft", "on_hold"), ("draft", "filled"), ("filled", "closed"), ("closed", "on_hold"), ("open", "open")],
)
def test_it_refuses_status_moves_that_make_no_sense(acme, start, target):
    job = make_job(acme)
    Job.objects.filter(pk=job.pk).update(status=start)
    job.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        jobs.job_set_status(job=job, status=target)
    assert "status" in raised.value.message_dict
    job.refresh_from_db()
    assert job.status == start


def test_open_filter_is_scoped_and_keeps_only_open_jobs(acme, globex):
    opened = make_job(acme, open_it=True)
    make_job(acme, title="Draft")
    make_job(globex, open_it=True)
    assert list(Job.objects.for_org(acme.org).open()) == [opened]


@pytest.mark.parametrize(
    ("data", "field"),
    [({"description": ""}, "description"), ({"locations": [], "remote_policy": "hybrid"}, "locations")],
)
def test_a_job_opens_only_when_it_says_what_and_where(acme, data, field):
    job = make_job(acme, **data)
    with pytest.raises(ValidationError) as raised:
        jobs.job_open(job=job)
    assert field in raised.value.message_dict
    job.refresh_from_db()
    assert job.status == Job.Status.DRAFT


def test_a_remote_job_opens_without_a_location_and_keeps_its_facts_while_open(acme):
    job = jobs.job_open(job=make_job(acme, locations=[], remote_policy="remote"))
    with pytest.raises(ValidationError):
        jobs.job_update(job=job, data={"remote_policy": "onsite"})
    job.refresh_from_db()
    assert job.remote_policy == "remote"
