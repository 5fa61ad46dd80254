"""The portal side of interest in jobs: raising a hand with a note and résumé, joining and raising a
hand in one flow, My interests and withdrawing, and a circle's page with the jobs shared to it."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from candidates.consent import WORDING_VERSIONS
from candidates.models import Candidate, ConsentRecord
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.interest import job_interest_move, job_interest_raise
from engagement.circles.jobs.models import JobInterest
from engagement.timeline.models import Activity
from talentcircles.models import User
from tests.engagement.job_support import attach_resume, join_member, make_circle, make_job

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase"


def _join_data(**extra) -> dict:
    return {
        "email": "ada@example.com", "password1": PASSWORD, "password2": PASSWORD, "first_name": "Ada",
        "last_name": "Lovelace", "country_code": "gb", "consent_terms": "on", "consent_messages": "on", **extra,
    }  # fmt: skip


# --- A member raises a hand -------------------------------------------------------------------------


def test_a_member_raises_a_hand_with_a_note_and_a_resume_of_their_own(acme):
    client, candidate = join_member(acme)
    resume = attach_resume(candidate)
    _, stranger = join_member(acme, email="other@example.com")
    theirs = attach_resume(stranger, name="Not yours.pdf")
    job = make_job(acme, open_it=True)
    page = client.get(reverse("portal_job_detail", args=[acme.org.slug, job.slug])).content.decode()
    assert "Mia CV.pdf" in page and "Not yours.pdf" not in page and 'name="note"' in page
    url = reverse("portal_job_interest", args=[acme.org.slug, job.slug])
    client.post(url, {"note": "Free from March", "resume": theirs.pk})
    assert not JobInterest.objects.exists()  # someone else's résumé: refused, nothing written
    assert client.post(url, {"note": "Free from March", "resume": resume.pk}).status_code == 302
    interest = JobInterest.objects.get()
    assert (interest.candidate, interest.note, interest.resume) == (candidate, "Free from March", resume)
    assert b"You are interested" in client.get(reverse("portal_job_detail", args=[acme.org.slug, job.slug])).content


# --- A visitor joins and raises a hand in one flow ------------------------------------------------


def test_a_visitor_joins_with_the_same_consents_and_raises_a_hand_once_verified(acme, client):
    circle = make_circle(acme)
    job = make_job(acme, open_it=True)
    jobs.job_share(job=job, circles=[circle])
    detail = reverse("portal_job_detail", args=[acme.org.slug, job.slug])
    join = reverse("portal_job_join", args=[acme.org.slug, job.slug])
    assert join in client.get(detail).content.decode()
    form = client.get(join).content.decode()
    assert 'name="consent_terms"' in form and 'name="consent_messages"' in form and 'name="note"' in form
    assert re.search(rf'value="{circle.pk}"[^>]*checked', form)  # the job's circle is offered ticked

    data = _join_data(note="I build engines", circles=[circle.pk])
    response = client.post(join, data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    candidate = Candidate.objects.get(email="ada@example.com")
    consents = {record.purpose: record for record in ConsentRecord.objects.filter(candidate=candidate)}
    for purpose in ("community_terms", "messages"):
        record = consents[purpose]
        assert record.granted and record.source == "portal" and record.ip_address == "203.0.113.9"
        assert record.wording_version == WORDING_VERSIONS[purpose]
    interest = JobInterest.objects.get()
    assert (interest.candidate, interest.source, interest.note) == (candidate, "portal", "I build engines")
    assert Activity.objects.filter(candidate=candidate, kind=Activity.Kind.JOB_INTEREST).count() == 1
    assert not EmailAddress.objects.get(email="ada@example.com").verified

    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[0].body).group(0)
    confirmed = client.post(link)
    assert confirmed.status_code == 302 and confirmed["Location"] == detail  # back to the job
    assert b"You are interested" in client.get(detail).content


def test_joining_without_the_terms_records_neither_account_nor_interest(acme, client):
    job = make_job(acme, open_it=True)
    data = _join_data()
    del data["consent_terms"]
    response = client.post(reverse("portal_job_join", args=[acme.org.slug, job.slug]), data)
    assert response.status_code == 400 and "agree to the community terms" in response.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists() and not JobInterest.objects.exists()


def test_the_join_flow_is_404_for_a_closed_job_and_sends_members_to_the_job(acme, globex):
    closed = jobs.job_close(job=make_job(acme, open_it=True))
    assert Client().get(reverse("portal_job_join", args=[acme.org.slug, closed.slug])).status_code == 404
    theirs = make_job(globex, open_it=True)
    assert Client().get(reverse("portal_job_join", args=[acme.org.slug, theirs.slug])).status_code == 404
    client, _ = join_member(acme)
    job = make_job(acme, title="Open", open_it=True)
    response = client.get(reverse("portal_job_join", args=[acme.org.slug, job.slug]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal_job_detail", args=[acme.org.slug, job.slug]
    )


# --- My interests ----------------------------------------------------------------------------------


def test_my_interests_show_each_status_kindly_with_a_fixed_query_count(acme, django_assert_num_queries):
    client, candidate = join_member(acme)
    url = reverse("portal_my_interests", args=[acme.org.slug])
    assert b'id="my-interests-empty"' in client.get(url).content
    first = job_interest_raise(candidate=candidate, job=make_job(acme, title="Data Engineer", open_it=True))
    job_interest_move(interest=first, status="not_a_fit", actor=acme.user, reason="salary", reason_note="Too dear")
    client.get(url)
    # session, user, organisation, verified address, candidate, count, page
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert "Not this time" in page and "Too dear" not in page and "Salary" not in page
    for n in range(4):
        job_interest_raise(candidate=candidate, job=make_job(acme, title=f"Role {n}", open_it=True))
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert page.count("Withdraw<span") == 4


def test_a_member_withdraws_and_cannot_touch_someone_elses_interest(acme, globex):
    client, candidate = join_member(acme)
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=candidate, job=job)
    other_client, _ = join_member(acme, email="other@example.com")
    withdraw = reverse("portal_interest_withdraw", args=[acme.org.slug, interest.pk])
    assert other_client.post(withdraw).status_code == 404
    assert (
        join_member(globex, email="g@example.com")[0]
        .post(reverse("portal_interest_withdraw", args=[globex.org.slug, interest.pk]))
        .status_code
        == 404
    )
    assert client.post(withdraw).status_code == 302
    interest.refresh_from_db()
    assert interest.status == "withdrawn"
    assert Activity.objects.filter(candidate=candidate, summary__startswith="Withdrew").exists()
    page = client.get(reverse("portal_job_detail", args=[acme.org.slug, job.slug])).content.decode()
    assert "You withdrew your interest" in page and 'id="raise-hand"' in page


# --- A circle's page --------------------------------------------------------------------------------


def test_a_circles_page_lists_the_open_jobs_shared_to_it(acme, globex, django_assert_num_queries):
    circle = make_circle(acme)
    shared = make_job(acme, title="Shared role", open_it=True)
    draft = make_job(acme, title="Shared draft")
    make_job(acme, title="Unshared role", open_it=True)
    jobs.job_share(job=shared, circles=[circle])
    jobs.job_share(job=draft, circles=[circle])
    url = reverse("portal_circle", args=[acme.org.slug, circle.pk])
    page = Client().get(url).content.decode()
    assert "Shared role" in page and "Shared draft" not in page and "Unshared role" not in page
    with django_assert_num_queries(4):  # organisation, circle, count, page
        Client().get(url)
    private = make_circle(acme, "Silver medallists", visibility="private")
    assert Client().get(reverse("portal_circle", args=[acme.org.slug, private.pk])).status_code == 404
    assert Client().get(reverse("portal_circle", args=[globex.org.slug, circle.pk])).status_code == 404
