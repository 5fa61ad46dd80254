"""Interest in jobs: a member's one click in the portal, on their timeline, seen by the recruiter."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from engagement.circles.community import community_join
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.interest import job_interest_raise
from engagement.circles.jobs.models import JobInterest
from engagement.timeline.models import Activity
from tests.engagement.job_support import make_job
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(acme):
    """A verified portal member of acme's community, signed in: (client, candidate)."""
    user = UserFactory(email="member@example.com")
    candidate = community_join(
        org=acme.org, user=user, profile={"first_name": "Mia"}, messages_consent=True, ip_address="10.0.0.1"
    )
    client = Client()
    client.force_login(user)
    return client, candidate


def test_a_member_raises_a_hand_once_and_it_is_on_their_timeline(acme, member):
    client, candidate = member
    job = make_job(acme, open_it=True)
    page = reverse("portal_job_detail", args=[acme.org.slug, job.slug])
    url = reverse("portal_job_interest", args=[acme.org.slug, job.slug])
    assert f'action="{url}"'.encode() in client.get(page).content  # the one-click button
    assert client.post(url).status_code == 302
    client.post(url)  # twice is harmless
    interest = JobInterest.objects.get()
    assert (interest.candidate, interest.source, interest.status) == (candidate, "portal", "interested")
    activity = Activity.objects.get(candidate=candidate, kind=Activity.Kind.JOB_INTEREST)
    assert activity.details["job_id"] == job.pk and job.title in activity.summary
    assert b"You are interested" in client.get(page).content


def test_the_recruiter_sees_who_is_interested(acme, member, django_assert_max_num_queries):
    client, candidate = member
    job = make_job(acme, open_it=True)
    client.post(reverse("portal_job_interest", args=[acme.org.slug, job.slug]))
    url = reverse("job_detail", args=[acme.org.slug, job.pk])
    acme.client.get(url)
    with django_assert_max_num_queries(10):
        response = acme.client.get(url)
    content = response.content.decode()
    assert "Interested (1)" in content and candidate.full_name in content


def test_a_visitor_is_asked_to_sign_in_and_nothing_is_recorded(acme):
    job = make_job(acme, open_it=True)
    response = Client().post(reverse("portal_job_interest", args=[acme.org.slug, job.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not JobInterest.objects.exists()


def test_a_closed_job_or_another_organisations_job_takes_no_interest(acme, globex, member):
    client, candidate = member
    closed = jobs.job_close(job=make_job(acme, open_it=True))
    assert client.post(reverse("portal_job_interest", args=[acme.org.slug, closed.slug])).status_code == 404
    theirs = make_job(globex, open_it=True)
    assert client.post(reverse("portal_job_interest", args=[acme.org.slug, theirs.slug])).status_code == 404
    with pytest.raises(ValidationError):
        job_interest_raise(candidate=candidate, job=theirs)
    assert not JobInterest.objects.exists()


def test_raising_a_hand_again_after_withdrawing_makes_them_interested_again(acme):
    candidate = CandidateFactory(organization=acme.org)
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=candidate, job=job, source="recruiter", actor_id=acme.user.pk)
    JobInterest.objects.filter(pk=interest.pk).update(status="withdrawn")
    job_interest_raise(candidate=candidate, job=job)
    interest.refresh_from_db()
    assert interest.status == "interested"
    assert Activity.objects.filter(candidate=candidate, kind=Activity.Kind.JOB_INTEREST).count() == 2
