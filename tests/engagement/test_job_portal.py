"""The portal's jobs: the open jobs list, the public job page with its JobPosting data, and the feeds."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from engagement.circles.jobs import services as jobs
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

# schema.org / Google: the properties a JobPosting must have.
REQUIRED = {"@context", "@type", "title", "description", "datePosted", "hiringOrganization"}


def _json_ld(content: bytes) -> dict:
    blocks = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_open_jobs_are_listed_for_anyone_and_drafts_are_not(acme, globex):
    make_job(acme, title="Open role", open_it=True)
    make_job(acme, title="Secret draft")
    make_job(globex, title="Globex role", open_it=True)
    response = Client().get(reverse("portal_jobs", args=[acme.org.slug]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Open role" in content and "Secret draft" not in content and "Globex role" not in content


def test_the_list_has_an_empty_state_and_a_fixed_query_count(acme, django_assert_num_queries):
    url = reverse("portal_jobs", args=[acme.org.slug])
    assert b'id="portal-jobs-empty"' in Client().get(url).content
    for n in range(3):
        make_job(acme, title=f"Role {n}", open_it=True)
    with django_assert_num_queries(3):  # organisation, count, page
        Client().get(url)


@pytest.mark.parametrize("status", ["draft", "on_hold", "filled", "closed"])
def test_a_job_that_is_not_open_is_404_in_the_portal(acme, status):
    job = make_job(acme, open_it=True)
    if status != "draft":
        jobs.job_set_status(job=job, status=status)
    else:
        type(job).objects.filter(pk=job.pk).update(status="draft")
    assert Client().get(reverse("portal_job_detail", args=[acme.org.slug, job.slug])).status_code == 404


def test_another_organisations_portal_does_not_show_the_job(acme, globex):
    job = make_job(acme, open_it=True)
    assert Client().get(reverse("portal_job_detail", args=[globex.org.slug, job.slug])).status_code == 404


def test_the_job_page_carries_a_valid_job_posting(acme):
    job = make_job(
        acme,
        title="Backend </script><script>alert(1)</script>",
        employment_type="contractor",
        salary_min=60_000,
        salary_max=80_000,
        salary_currency="EUR",
        open_it=True,
    )
    page = reverse("portal_job_detail", args=[acme.org.slug, job.slug])
    response = Client().get(page, {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
    data = _json_ld(response.content)
    assert data.keys() >= REQUIRED
    assert (data["@context"], data["@type"]) == ("https://schema.org/", "JobPosting")
    assert data["title"] == job.title
    assert "<strong>APIs</strong>" in data["description"]
    assert data["datePosted"] == job.opened_at.date().isoformat()
    assert data["hiringOrganization"]["@type"] == "Organization"
    assert data["hiringOrganization"]["name"] == acme.org.name
    assert data["employmentType"] == "CONTRACTOR"
    assert data["url"] == f"http://testserver{page}"  # canonical, without the query string
    assert data["jobLocation"][0]["address"]["addressLocality"] == "Berlin"
    assert "jobLocationType" not in data
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "unitText": "YEAR", "minValue": 60_000,
                                           "maxValue": 80_000}  # fmt: skip


def test_a_remote_job_is_a_telecommute_posting_with_where_applicants_may_live(acme):
    job = make_job(acme, remote_policy="remote", locations=["Germany"], open_it=True)
    data = _json_ld(Client().get(reverse("portal_job_detail", args=[acme.org.slug, job.slug])).content)
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [{"@type": "AdministrativeArea", "name": "Germany"}]
    assert "jobLocation" not in data


def test_the_json_feed_lists_open_jobs(acme):
    make_job(acme, title="Open role", open_it=True)
    make_job(acme, title="Draft role")
    response = Client().get(reverse("portal_jobs_json_feed", args=[acme.org.slug]))
    assert response["Content-Type"] == "application/feed+json"
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["title"] for item in feed["items"]] == ["Open role"]
    assert feed["items"][0]["url"].endswith(reverse("portal_job_detail", args=[acme.org.slug, "open-role"]))


def test_the_rss_feed_lists_open_jobs(acme, django_assert_max_num_queries):
    for n in range(3):
        make_job(acme, title=f"Role {n}", open_it=True)
    make_job(acme, title="Draft role")
    with django_assert_max_num_queries(3):
        response = Client().get(reverse("portal_jobs_rss_feed", args=[acme.org.slug]))
    feed = ElementTree.fromstring(response.content)  # noqa: S314  (our own feed, not untrusted XML)
    titles = [item.findtext("title") for item in feed.iter("item")]
    assert sorted(titles) == ["Role 0", "Role 1", "Role 2"]


def test_feeds_of_an_unknown_organisation_are_404():
    assert Client().get(reverse("portal_jobs_json_feed", args=["nobody"])).status_code == 404
    assert Client().get(reverse("portal_jobs_rss_feed", args=["nobody"])).status_code == 404
