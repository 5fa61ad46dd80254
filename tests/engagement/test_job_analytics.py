"""A job's figures: interest by status, time to first interest, and the response rate of outreach about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from engagement.analytics.jobs import job_figures
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.outreach import JobOutreach
from tests.engagement.analytics_support import FEB_1, NOW, answer, at, bounce, outreach, person, send, thread
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db


def crafted_job(acme) -> Job:
    """Opened on 1 Feb; five hands (the first 3 hours after opening) and five conversations about it, one elsewhere."""
    job = make_job(acme, title="Data Engineer", open_it=True)
    Job.objects.filter(pk=job.pk).update(opened_at=FEB_1)
    job.refresh_from_db()
    statuses = ["interested", "shortlisted", "handed_to_ats", "withdrawn", "not_a_fit"]
    for n, status in enumerate(statuses):
        JobInterest.objects.create(
            organization=acme.org, job=job, candidate=person(acme.org), source="portal", status=status,
            created_at=at(0, seconds=3 * 3600 + n * 86400),
        )  # fmt: skip

    def about(conversation):
        JobOutreach.objects.create(thread=conversation, job=job, organization=acme.org)
        return conversation

    answered = about(outreach(acme.org, acme.user, at(0)))
    answer(answered, at(3))
    about(outreach(acme.org, acme.user, at(1)))  # never answered: settled unanswered by NOW
    late = about(outreach(acme.org, acme.user, at(2)))
    answer(late, at(40))  # after the 30-day window: unanswered
    bounced = about(thread(acme.org, person(acme.org), acme.user))
    bounce(send(bounced, at(3)))
    about(outreach(acme.org, acme.user, NOW - timedelta(days=5)))  # inside its window: pending
    answer(outreach(acme.org, acme.user, at(0)), at(1))  # not about the job
    return job


def test_the_figures_of_a_crafted_job(acme):
    figures = job_figures(job=crafted_job(acme), now=NOW)
    assert (figures.interested, figures.shortlisted, figures.handed_over) == (3, 2, 1)
    assert (figures.withdrawn, figures.not_a_fit) == (1, 1)
    assert figures.time_to_first_interest == timedelta(hours=3)
    assert (figures.sent, figures.answered, figures.unanswered, figures.pending, figures.bounced) == (5, 1, 2, 1, 1)
    assert figures.response_rate == pytest.approx(1 / 3) and figures.small_sample
    assert job_figures(job=crafted_job_without_anything(acme), now=NOW).response_rate is None


def crafted_job_without_anything(acme) -> Job:
    return make_job(acme, title="Quiet")


def test_the_job_page_panel_shows_them_with_a_fixed_query_count(acme, django_assert_num_queries):
    job = crafted_job(acme)
    url = reverse("job_analytics", args=[acme.org.slug, job.pk])
    acme.client.get(url)
    # session, user, membership with its organisation (3; a panel has no switcher), the job, interest, outreach
    with django_assert_num_queries(6):
        response = acme.client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="figure-interested">3<' in content and 'id="figure-handed-over">1<' in content
    assert "3 hours" in content and "33%" in content and "too few to judge" in content
    assert "<svg" in content
    detail = acme.client.get(reverse("job_detail", args=[acme.org.slug, job.pk])).content.decode()
    assert url in detail


def test_the_api_gives_the_figures(acme):
    job = crafted_job(acme)
    response = acme.client.get(reverse("api-job-analytics", args=[job.pk]))
    assert response.status_code == 200
    data = response.json()
    assert (data["interested"], data["shortlisted"], data["handed_over"]) == (3, 2, 1)
    assert data["time_to_first_interest_hours"] == 3.0
    assert data["outreach"]["sent"] == 5 and data["outreach"]["bounced"] == 1


def test_another_organisations_job_is_a_404(acme, globex):
    job = make_job(globex)
    assert acme.client.get(reverse("job_analytics", args=[acme.org.slug, job.pk])).status_code == 404
    assert acme.client.get(reverse("api-job-analytics", args=[job.pk])).status_code == 404
