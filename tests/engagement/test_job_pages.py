"""The recruiter's job pages under /o/<org>/jobs/: list, form, detail, status moves, and tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.circles.jobs.models import Job
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Data Engineer",
    "team": "Data",
    "description": "Pipelines.",
    "locations": "Berlin, Remote-friendly Lisbon",
    "remote_policy": "hybrid",
    "employment_type": "full_time",
    "seniority": "senior",
    "skills": "Python, SQL",
    "salary_min": "60000",
    "salary_max": "80000",
    "salary_currency": "eur",
    "ats_url": "https://jobs.example.com/42",
}


def test_the_list_shows_an_empty_state(acme):
    response = acme.client.get(reverse("job_list", args=[acme.org.slug]))
    assert response.status_code == 200
    assert b'id="jobs-empty"' in response.content
    assert b">Jobs</a>" in response.content  # the navigation entry


def test_the_list_filters_by_status_with_a_fixed_query_count(acme, django_assert_num_queries):
    for n in range(3):
        make_job(acme, title=f"Open {n}", open_it=True)
    make_job(acme, title="Still a draft")
    url = reverse("job_list", args=[acme.org.slug])
    acme.client.get(url)  # warm the session and the membership cache
    # session, user, membership, organisation (+ memberships for the switcher), count, page, status counts
    with django_assert_num_queries(7):
        response = acme.client.get(url, {"status": "open"})
    content = response.content.decode()
    assert "3 jobs" in content and "Open 2" in content and "Still a draft" not in content
    for n in range(3, 8):
        make_job(acme, title=f"Open {n}", open_it=True)
    with django_assert_num_queries(7):
        acme.client.get(url, {"status": "open"})


def test_the_list_paginates_and_keeps_the_filter(acme):
    Job.objects.bulk_create(
        [Job(organization=acme.org, title=f"Job {n}", slug=f"job-{n}", status="open") for n in range(30)]
    )
    response = acme.client.get(reverse("job_list", args=[acme.org.slug]), {"status": "open", "page": 2})
    content = response.content.decode()
    assert "Page 2 of 2" in content and "?status=open&amp;page=1" in content


def test_a_recruiter_creates_a_job_and_it_is_a_draft(acme):
    response = acme.client.post(reverse("job_create", args=[acme.org.slug]), {**FORM, "owner": acme.user.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[acme.org.slug, job.pk])
    assert (job.status, job.owner, job.salary_currency) == ("draft", acme.user, "EUR")
    assert job.locations == ["Berlin", "Remote-friendly Lisbon"] and job.skills == ["Python", "SQL"]


def test_the_form_shows_errors_next_to_the_fields_and_saves_nothing(acme):
    data = {**FORM, "title": "", "salary_min": "90000", "salary_max": "10"}
    response = acme.client.post(reverse("job_create", args=[acme.org.slug]), data)
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    response = acme.client.post(reverse("job_create", args=[acme.org.slug]), {**data, "title": "Fine"})
    assert response.status_code == 400
    assert response.context["form"].errors["salary_max"] == ["The maximum salary must not be below the minimum."]
    assert not Job.objects.exists()


def test_a_recruiter_edits_opens_and_closes_a_job(acme):
    job = make_job(acme)
    acme.client.post(reverse("job_edit", args=[acme.org.slug, job.pk]), {**FORM, "title": "Lead Data Engineer"})
    job.refresh_from_db()
    assert job.title == "Lead Data Engineer"
    detail = acme.client.get(reverse("job_detail", args=[acme.org.slug, job.pk]))
    assert b"Open the job" in detail.content
    status_url = reverse("job_status", args=[acme.org.slug, job.pk])
    acme.client.post(status_url, {"status": "open"})
    job.refresh_from_db()
    assert job.status == "open"
    acme.client.post(status_url, {"status": "closed"})
    job.refresh_from_db()
    assert job.status == "closed"


def test_a_refused_status_move_says_why(acme):
    job = make_job(acme, description="")
    response = acme.client.post(reverse("job_status", args=[acme.org.slug, job.pk]), {"status": "open"}, follow=True)
    assert "Describe the job before opening it" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "draft"


def test_another_organisations_member_gets_404_on_every_page(acme, globex):
    job = make_job(acme)
    slug = acme.org.slug
    for name, args in [("job_detail", [slug, job.pk]), ("job_edit", [slug, job.pk])]:
        assert globex.client.get(reverse(name, args=args)).status_code == 404
    assert globex.client.get(reverse("job_list", args=[slug])).status_code == 404
    assert globex.client.get(reverse("job_create", args=[slug])).status_code == 404
    assert globex.client.post(reverse("job_status", args=[slug, job.pk]), {"status": "open"}).status_code == 404
    # and their own org's URLs do not reach it either
    assert globex.client.get(reverse("job_detail", args=[globex.org.slug, job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "draft"
