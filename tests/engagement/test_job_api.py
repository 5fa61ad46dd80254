"""The jobs API: /api/v1/jobs/ and its status action, scoped to the caller's organisation."""

from __future__ import annotations

import pytest

from engagement.circles.jobs.models import Job
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

URL = "/api/v1/jobs/"
NEW = {
    "title": "Site Reliability Engineer",
    "description": "Keep things **up**.",
    "locations": ["Berlin"],
    "remote_policy": "hybrid",
    "skills": ["Kubernetes"],
    "salary_min": 70000,
    "salary_max": 90000,
    "salary_currency": "EUR",
}


def test_it_creates_a_draft_owned_by_the_caller(acme):
    response = acme.client.post(URL, NEW, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["owner"], body["slug"]) == ("draft", acme.user.pk, "site-reliability-engineer")
    assert body["description_html"] == "<p>Keep things <strong>up</strong>.</p>"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"salary_min": 90000, "salary_max": 1}, "salary_max"),
        ({"title": ""}, "title"),
        ({"remote_policy": "moon"}, "remote_policy"),
        ({"skills": "Python"}, "skills"),
        ({"hiring_manager": 999999}, "hiring_manager"),
        ({"salary_currency": ""}, "salary_currency"),
    ],
)
def test_bad_input_is_a_400_with_a_field_message(acme, data, field):
    response = acme.client.post(URL, {**NEW, **data}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.exists()


def test_a_member_of_another_organisation_is_not_a_valid_hiring_manager(acme, globex):
    response = acme.client.post(URL, {**NEW, "hiring_manager": globex.user.pk}, content_type="application/json")
    assert response.status_code == 400 and "hiring_manager" in response.json()


def test_it_lists_by_status_with_a_fixed_query_count(acme, django_assert_max_num_queries):
    make_job(acme, title="Open", open_it=True)
    make_job(acme, title="Draft")
    acme.client.get(URL)
    with django_assert_max_num_queries(8):
        body = acme.client.get(URL, {"status": "open"}).json()
    assert [job["title"] for job in body["results"]] == ["Open"]
    assert acme.client.get(URL, {"status": "nope"}).status_code == 400


def test_it_updates_and_moves_status(acme):
    job = make_job(acme)
    response = acme.client.patch(f"{URL}{job.pk}/", {"title": "Renamed"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    response = acme.client.post(f"{URL}{job.pk}/status/", {"status": "open"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    response = acme.client.post(f"{URL}{job.pk}/status/", {"status": "draft"}, content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()


def test_another_organisation_gets_404(acme, globex):
    job = make_job(acme)
    assert globex.client.get(f"{URL}{job.pk}/").status_code == 404
    assert globex.client.patch(f"{URL}{job.pk}/", {"title": "x"}, content_type="application/json").status_code == 404
    assert (
        globex.client.post(f"{URL}{job.pk}/status/", {"status": "open"}, content_type="application/json").status_code
        == 404
    )
    assert globex.client.get(URL).json()["results"] == []
    job.refresh_from_db()
    assert (job.title, job.status) == ("Backend Engineer", "draft")
