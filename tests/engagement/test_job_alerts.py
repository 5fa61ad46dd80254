"""Job alerts: matching, frequency windows, the contact policy, never twice, and what the e-mail carries.

Time is passed explicitly (`now`); e-mails land in Django's locmem outbox.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from candidates.consent import consent_record
from candidates.privacy import candidate_erase, candidate_unsubscribe, export_my_data
from candidates.services import candidate_set_digest_frequency
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.alerts.matching import alert_matches, pending_scans_run
from engagement.circles.jobs.alerts.models import JobAlert, JobAlertEmail, JobAlertPreference, JobAlertScan
from engagement.circles.jobs.alerts.sending import (
    IN_DOUBT_AFTER,
    job_alert_email_claim,
    job_alert_email_deliver,
    job_alerts_send,
)
from engagement.circles.jobs.alerts.unsubscribe import job_alerts_unsubscribe_url
from engagement.circles.jobs.models import Job
from tests.engagement.job_alert_support import alert_member, inbox, run
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def statuses(candidate) -> dict[str, str]:
    return dict(JobAlert.objects.filter(candidate=candidate).values_list("job__title", "status"))


# --- Matching ---------------------------------------------------------------------------------


def _job(**fields) -> Job:
    defaults = {"skills": ["Python", "Django"], "locations": ["Berlin, Germany"], "remote_policy": "onsite"}
    return Job(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("alert", "job", "matches"),
    [
        ({}, {}, True),  # no filter: any job
        ({"skills": ["python"]}, {}, True),  # case-blind overlap
        ({"skills": ["Go", "Rust"]}, {}, False),
        ({"locations": ["berlin"]}, {}, True),  # a part of "Berlin, Germany"
        ({"locations": ["Germany"]}, {}, True),
        ({"locations": ["Zürich"]}, {"locations": ["Zurich"]}, True),  # accent-blind
        ({"locations": ["Paris"]}, {}, False),
        ({"locations": ["Paris"]}, {"remote_policy": "remote", "locations": []}, True),  # remote: anywhere
        ({"locations": ["Paris"], "remote_policies": ["onsite", "hybrid"]}, {"remote_policy": "remote"}, False),
        ({"remote_policies": ["remote"]}, {"remote_policy": "hybrid"}, False),
        ({"remote_policies": ["hybrid"]}, {"remote_policy": "hybrid"}, True),
        ({"locations": ["Paris"]}, {"remote_policy": "hybrid"}, False),  # hybrid still needs the place
    ],
)
def test_an_alert_matches_on_skills_place_and_remote_policy(alert, job, matches):
    fields = {"skills": [], "locations": [], "remote_policies": ["onsite", "hybrid", "remote"], **alert}
    assert alert_matches(**fields, job=_job(**job)) is matches


def test_opening_a_job_writes_a_due_alert_for_each_matching_member_only(acme, globex):
    python = alert_member(acme, "Ada", skills=("Python",))
    anything = alert_member(acme, "Bo")
    alert_member(acme, "Cy", skills=("Rust",))
    alert_member(acme, "Di", locations=("Paris",))
    alert_member(acme, "Ed", remote=("remote",))
    alert_member(acme, "Flo", frequency="never")
    alert_member(acme, "Gus", frequency=None)  # never chose: no alerts (the default)
    elsewhere = alert_member(globex, "Hal")
    job = make_job(acme, open_it=True, skills=["Python"], locations=["Berlin"])
    assert JobAlertScan.objects.get(job=job).status == "pending"  # written with the opening

    run(T0)

    assert set(JobAlert.objects.values_list("candidate_id", flat=True)) == {python.pk, anything.pk}
    assert JobAlertScan.objects.get(job=job).status == "done"
    assert statuses(elsewhere) == {}


def test_a_reopened_job_is_not_alerted_twice_but_reaches_new_matches(acme):
    ada = alert_member(acme, "Ada")
    job = make_job(acme, open_it=True)
    run(T0)
    jobs.job_close(job=job)
    alert_member(acme, "Bo")  # joins while the job is closed
    jobs.job_open(job=job)
    run(T0 + timedelta(minutes=1))
    assert inbox() == {"ada@example.com": ["New job at Acme Inc: Backend Engineer"],
                       "bo@example.com": ["New job at Acme Inc: Backend Engineer"]}  # fmt: skip
    assert JobAlert.objects.filter(candidate=ada).count() == 1 and JobAlertScan.objects.count() == 2


# --- Frequency windows ------------------------------------------------------------------------


def test_immediately_sends_at_the_next_run_one_e_mail_for_everything_due(acme):
    alert_member(acme, "Ada")
    make_job(acme, title="First", open_it=True)
    make_job(acme, title="Second", open_it=True)
    assert run(T0).emails == 1
    assert inbox() == {"ada@example.com": ["2 new jobs for you at Acme Inc"]}
    make_job(acme, title="Third", open_it=True)
    assert run(T0 + timedelta(minutes=1)).emails == 1
    assert inbox()["ada@example.com"][1] == "New job at Acme Inc: Third"


@pytest.mark.parametrize(("frequency", "period"), [("weekly", 7), ("monthly", 30)])
def test_weekly_and_monthly_members_get_at_most_one_e_mail_per_period(acme, frequency, period):
    alert_member(acme, "Ada", frequency=frequency)
    make_job(acme, title="First", open_it=True)
    assert run(T0).emails == 1  # nothing sent before: the first alert goes at once
    make_job(acme, title="Second", open_it=True)
    make_job(acme, title="Third", open_it=True)
    assert run(T0 + timedelta(days=period - 1)).emails == 0  # inside the window: they wait
    assert run(T0 + timedelta(days=period)).emails == 1
    assert inbox()["ada@example.com"] == ["New job at Acme Inc: First", "2 new jobs for you at Acme Inc"]


def test_never_sends_nothing_and_turning_alerts_off_drops_the_due_ones(acme):
    ada = alert_member(acme, "Ada", frequency="weekly")
    alert_member(acme, "Bo", frequency="never")
    make_job(acme, title="First", open_it=True)
    run(T0)
    make_job(acme, title="Second", open_it=True)
    run(T0 + timedelta(days=1))
    assert statuses(ada) == {"First": "emailed", "Second": "pending"}
    JobAlertPreference.objects.filter(candidate=ada).update(frequency="never")  # as if changed elsewhere
    assert run(T0 + timedelta(days=8)).emails == 0
    assert statuses(ada) == {"First": "emailed", "Second": "dropped"} and len(mail.outbox) == 1


def test_with_my_digest_follows_the_digest_frequency(acme):
    ada = alert_member(acme, "Ada", frequency="with_digest")  # the digest is weekly by default
    make_job(acme, title="First", open_it=True)
    run(T0)
    make_job(acme, title="Second", open_it=True)
    assert run(T0 + timedelta(days=1)).emails == 0
    candidate_set_digest_frequency(candidate=ada, digest_frequency="immediately")
    assert run(T0 + timedelta(days=1)).emails == 1
    candidate_set_digest_frequency(candidate=ada, digest_frequency="never")
    make_job(acme, title="Third", open_it=True)
    assert run(T0 + timedelta(days=2)).emails == 0
    assert "Third" not in statuses(ada)  # a digest of "never" means no alerts: not even matched


# --- Jobs that close, the contact policy ------------------------------------------------------


def test_a_job_closed_before_sending_is_dropped_and_one_on_hold_waits(acme):
    ada = alert_member(acme, "Ada", frequency="weekly")
    make_job(acme, title="Warm-up", open_it=True)
    run(T0)
    closed = make_job(acme, title="Closed", open_it=True)
    held = make_job(acme, title="Held", open_it=True)
    make_job(acme, title="Still open", open_it=True)
    run(T0 + timedelta(days=1))
    jobs.job_close(job=closed)
    jobs.job_set_status(job=held, status="on_hold")
    run(T0 + timedelta(days=7))
    assert inbox()["ada@example.com"][-1] == "New job at Acme Inc: Still open"
    assert statuses(ada) == {"Warm-up": "emailed", "Closed": "dropped", "Held": "pending", "Still open": "emailed"}
    assert JobAlert.objects.get(job=closed).drop_reason == "job_closed"


@pytest.mark.parametrize("block", ["no_consent", "withdrawn", "unsubscribed", "do_not_contact", "erased"])
def test_the_contact_policy_holds_alerts_back(acme, block):
    ada = alert_member(acme, "Ada", consent=block != "no_consent")
    make_job(acme, title="First", open_it=True)
    run(T0)  # matched (and sent) while Ada could be reached
    make_job(acme, title="Second", open_it=True)
    if block == "withdrawn":
        consent_record(candidate=ada, purpose="messages", granted=False, source="portal")
    elif block == "unsubscribed":
        candidate_unsubscribe(candidate=ada, source="portal")
    elif block == "do_not_contact":
        type(ada).objects.filter(pk=ada.pk).update(do_not_contact=True)
    elif block == "erased":
        candidate_erase(candidate=ada, source="portal", actor=acme.user)
    run(T0 + timedelta(minutes=1))
    expected = [] if block == "no_consent" else ["New job at Acme Inc: First"]
    assert inbox().get("ada@example.com", []) == expected
    if block == "erased":
        assert not JobAlert.objects.filter(candidate=ada).exists()
        assert not JobAlertPreference.objects.filter(candidate=ada).exists()
        assert not JobAlertEmail.objects.filter(candidate=ada).exists()


def test_a_member_blocked_when_the_alert_is_due_has_it_dropped_with_the_reason(acme):
    ada = alert_member(acme, "Ada")
    make_job(acme, title="First", open_it=True)
    pending_scans_run(now=T0)  # matched while Ada could be reached
    consent_record(candidate=ada, purpose="messages", granted=False, source="portal")
    assert job_alerts_send(now=T0).emails == 0
    assert JobAlert.objects.get(candidate=ada).drop_reason == "not_contactable"


# --- Never twice, in doubt, refused -----------------------------------------------------------


def test_repeated_runs_never_send_a_job_twice(acme):
    alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    assert [run(T0 + timedelta(minutes=n)).emails for n in range(3)] == [1, 0, 0]
    assert len(mail.outbox) == 1


def test_a_second_claim_for_the_same_member_gets_nothing(acme):
    ada = alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    pending_scans_run(now=T0)
    first = job_alert_email_claim(candidate_id=ada.pk, now=T0)
    assert first is not None
    assert job_alert_email_claim(candidate_id=ada.pk, now=T0) is None  # the alerts are taken
    assert job_alert_email_deliver(first) and len(mail.outbox) == 1


def test_an_e_mail_interrupted_before_the_server_answered_is_in_doubt_and_never_resent(acme):
    ada = alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    pending_scans_run(now=T0)
    assert job_alert_email_claim(candidate_id=ada.pk, now=T0) is not None  # then the worker dies
    assert run(T0 + timedelta(minutes=1)).emails == 0
    result = job_alerts_send(now=T0 + IN_DOUBT_AFTER + timedelta(minutes=1))
    assert (result.in_doubt, result.emails) == (1, 0)
    assert JobAlertEmail.objects.get(candidate=ada).status == "unknown" and mail.outbox == []
    assert statuses(ada) == {"Backend Engineer": "emailed"}


def test_a_refused_send_puts_the_alerts_back_for_the_next_run(acme, settings):
    alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    settings.EMAIL_BACKEND = "tests.engagement.test_job_alerts.RefusingBackend"
    assert run(T0).failed == 1
    assert JobAlertEmail.objects.get().status == "failed" and JobAlert.objects.get().status == "pending"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(T0 + timedelta(minutes=1)).emails == 1  # a failed e-mail does not count in the window


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay down")


# --- The e-mail -------------------------------------------------------------------------------


def test_the_e_mail_links_the_public_job_pages_and_offers_one_click_unsubscribe(acme):
    ada = alert_member(acme, "Ada")
    job = make_job(acme, title="Data Engineer", open_it=True, remote_policy="remote", locations=[])
    run(T0)
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"] and message.subject == "New job at Acme Inc: Data Engineer"
    assert f"/c/acme/jobs/{job.slug}/?portal=acme" in message.body
    assert "/c/acme/job-alerts/?portal=acme" in message.body
    html = message.alternatives[0][0]
    assert f"/c/acme/jobs/{job.slug}/?portal=acme" in html and "Stop job alerts" in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{job_alerts_unsubscribe_url(ada)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == JobAlertEmail.objects.get().message_id_header
    assert JobAlertEmail.objects.get().status == "sent"


def test_my_data_lists_the_alert_preference_and_the_jobs_e_mailed(acme):
    ada = alert_member(acme, "Ada", skills=("Python",), locations=("Leeds",))
    make_job(acme, title="Data Engineer", open_it=True, remote_policy="remote", locations=[])
    run(T0)
    data = export_my_data(ada)["job_alerts"]
    assert data["preference"]["skills"] == ["Python"] and data["preference"]["locations"] == ["Leeds"]
    assert [row["job"] for row in data["emailed_jobs"]] == ["Data Engineer"]


def test_the_claim_asks_the_contact_policy_last_under_its_lock(acme):
    ada = alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    pending_scans_run(now=T0)
    candidate_unsubscribe(candidate=ada, source="portal")
    assert job_alert_email_claim(candidate_id=ada.pk, now=T0) is None
    assert JobAlert.objects.get(candidate=ada).drop_reason == "not_contactable"


@pytest.mark.parametrize("jobs_due", [1, 4])
def test_one_member_s_e_mail_costs_the_same_queries_however_many_jobs(acme, jobs_due, django_assert_num_queries):
    ada = alert_member(acme, "Ada")
    for n in range(jobs_due):
        make_job(acme, title=f"Role {n}", open_it=True)
    pending_scans_run(now=T0)
    # preference (locked), due alerts with their jobs, last e-mail, contact policy, the e-mail written, the
    # alerts claimed, savepoints of the claim's transaction; then the e-mail marked sent.
    with django_assert_num_queries(9):
        claim = job_alert_email_claim(candidate_id=ada.pk, now=T0)
        assert claim is not None and job_alert_email_deliver(claim)
    assert len(mail.outbox) == 1


def test_a_pass_stops_after_its_time_and_the_next_goes_on(acme):
    for name in ("Ada", "Bo", "Cy"):
        alert_member(acme, name)
    make_job(acme, open_it=True)
    pending_scans_run(now=T0)
    assert [job_alerts_send(now=T0, pass_seconds=0).emails for _ in range(4)] == [1, 1, 1, 0]
    assert sorted(inbox()) == ["ada@example.com", "bo@example.com", "cy@example.com"]
