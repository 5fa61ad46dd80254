"""The response-rate guard: warning with reasons, the improvement period, its end, the setting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from engagement.analytics.admin import RecruiterGuardAdmin
from engagement.analytics.guard import bulk_send_pause_reason, guard_end_period, guard_evaluate
from engagement.analytics.models import RecruiterGuard
from engagement.sequences.enrolment import enrollments_create
from messaging import bulk, outbox
from messaging import services as messaging_services
from messaging.models import Message
from talentcircles import guards
from tests.engagement.analytics_support import NOW, answer, outreach, person, send, thread
from tests.engagement.sequence_support import make_sequence
from tests.factories import CandidateFactory, MessageTemplateFactory, UserFactory

State = RecruiterGuard.State
LONG = "x" * 1500


@pytest.fixture(autouse=True)
def _guard_registered():
    """The guard as EngagementConfig.ready() registers it (registered here too until that line lands)."""
    already = bulk_send_pause_reason in guards._guards
    guards.register_bulk_send_guard(bulk_send_pause_reason)
    yield
    if not already:
        guards.unregister_bulk_send_guard(bulk_send_pause_reason)


def low_rate_recruiter(acme, *, sends=100, answers=10, when=NOW - timedelta(days=2)):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, name="Cold blast")
    for number in range(sends):
        conversation = thread(acme.org, person(acme.org), acme.user, origin="bulk")
        message = send(conversation, when, template=template, body=LONG if number < 30 else "Hi")
        if number < 20:
            Message.objects.filter(pk=message.pk).update(
                findings=[{"code": "mass_message", "message": "Same message sent to many today"}],
                personalisation_score=40,
            )
        if number < answers:
            answer(conversation, when + timedelta(hours=5))
    return template


def evaluate(acme, now, captured):
    with captured(execute=True):
        return {g.recruiter_id: g for g in guard_evaluate(org=acme.org, now=now)}


def test_under_13_percent_on_100_sends_warns_with_the_reasons(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    guard = evaluate(acme, NOW, django_capture_on_commit_callbacks)[acme.user.pk]
    assert (guard.state, guard.last_sent, guard.last_rate) == (State.WARNING, 100, 0.1)
    assert any("longer than 1,400 characters" in r for r in guard.reasons)
    assert any("20 messages were identical" in r for r in guard.reasons)
    assert any("20 of 100 messages scored under 60" in r for r in guard.reasons)
    assert any("Cold blast" in r and "10 answers to 100 sends (10%)" in r for r in guard.reasons)
    [email] = mail.outbox
    assert email.to == [acme.user.email]
    assert "10%" in email.subject and "under 13%" in email.subject
    assert "longer than 1,400 characters" in email.body
    assert "Cold blast" in email.alternatives[0][0]
    assert bulk_send_pause_reason(acme.org, acme.user, now=NOW) is None  # a warning pauses nothing


def test_99_sends_are_too_few_to_judge(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme, sends=99)
    assert evaluate(acme, NOW, django_capture_on_commit_callbacks)[acme.user.pk].state == State.OK
    assert mail.outbox == []


def test_still_under_a_week_later_pauses_bulk_sends_and_enrolments_for_14_days(
    acme, django_capture_on_commit_callbacks
):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    assert evaluate(acme, NOW + timedelta(days=6), django_capture_on_commit_callbacks)[acme.user.pk].state == (
        State.WARNING
    )
    week_later = NOW + timedelta(days=7)
    guard = evaluate(acme, week_later, django_capture_on_commit_callbacks)[acme.user.pk]
    assert guard.state == State.IMPROVEMENT
    assert guard.period_ends_at == week_later + timedelta(days=14)
    assert len(mail.outbox) == 2 and "paused until 21 April" in mail.outbox[1].subject
    sentence = bulk_send_pause_reason(acme.org, acme.user, now=week_later)
    assert sentence == (
        "Your bulk sends and new enrolments are paused until 21 April: "
        "your response rate over the last 14 days is 10% (under 13%)."
    )
    # Now (the real clock) is inside the period only if the period is still running: pin it.
    RecruiterGuard.objects.filter(pk=guard.pk).update(period_ends_at=NOW + timedelta(days=3650))
    sequence = make_sequence(acme)
    with pytest.raises(ValidationError) as refused:
        enrollments_create(
            org=acme.org, sequence=sequence, enrolled_by=acme.user, candidate_ids=[person(acme.org).pk], now=week_later
        )
    assert "paused until" in str(refused.value)
    with pytest.raises(messaging_services.MessagingError, match="paused until"):
        bulk.bulk_compose(
            org=acme.org, recruiter=acme.user, candidates=CandidateFactory._meta.model.objects.none(),
            subject="Hi", body="Hello",
        )  # fmt: skip
    # One-to-one messages still go out.
    one = CandidateFactory(organization=acme.org, email="one@example.com")
    outbox.thread_start(org=acme.org, candidate=one, recruiter=acme.user, subject="Hi", body="Hello there")


def test_the_period_ends_by_itself_after_14_days(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    start = NOW + timedelta(days=7)
    evaluate(acme, start, django_capture_on_commit_callbacks)
    end = start + timedelta(days=14)
    assert bulk_send_pause_reason(acme.org, acme.user, now=end - timedelta(seconds=1))
    assert bulk_send_pause_reason(acme.org, acme.user, now=end) is None
    guard = evaluate(acme, end, django_capture_on_commit_callbacks)[acme.user.pk]
    assert (guard.state, guard.period_ended_at) == (State.OK, end)


def test_a_recruiter_above_13_percent_a_week_later_is_cleared(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    for number in range(60):  # a better week: 60 more sends, 40 answered → 50 of 160
        conversation = outreach(acme.org, acme.user, NOW + timedelta(days=1, minutes=number))
        if number < 40:
            answer(conversation, NOW + timedelta(days=2))
    guard = evaluate(acme, NOW + timedelta(days=7), django_capture_on_commit_callbacks)[acme.user.pk]
    assert guard.state == State.OK
    assert bulk_send_pause_reason(acme.org, acme.user, now=NOW + timedelta(days=7)) is None


def test_an_admin_ends_the_period(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    evaluate(acme, NOW + timedelta(days=7), django_capture_on_commit_callbacks)
    guard = RecruiterGuard.objects.get(recruiter=acme.user)
    guard_end_period(guard=guard, by=acme.user, now=NOW + timedelta(days=8))
    guard.refresh_from_db()
    assert (guard.state, guard.ended_by) == (State.OK, acme.user)
    assert bulk_send_pause_reason(acme.org, acme.user, now=NOW + timedelta(days=9)) is None


def test_the_admin_action_ends_the_period(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    evaluate(acme, NOW + timedelta(days=7), django_capture_on_commit_callbacks)
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    RecruiterGuardAdmin(RecruiterGuard, site).end_period(request, RecruiterGuard.objects.all())
    guard = RecruiterGuard.objects.get(recruiter=acme.user)
    assert (guard.state, guard.ended_by) == (State.OK, staff)


def test_the_organisation_setting_turns_the_guard_off(acme, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    evaluate(acme, NOW + timedelta(days=7), django_capture_on_commit_callbacks)
    acme.org.response_guard_enabled = False  # read with a default until the field exists
    assert bulk_send_pause_reason(acme.org, acme.user, now=NOW + timedelta(days=8)) is None
    assert guard_evaluate(org=acme.org, now=NOW + timedelta(days=8)) == []


def test_another_organisations_guard_does_not_pause_this_one(acme, globex, django_capture_on_commit_callbacks):
    low_rate_recruiter(acme)
    evaluate(acme, NOW, django_capture_on_commit_callbacks)
    evaluate(acme, NOW + timedelta(days=7), django_capture_on_commit_callbacks)
    assert bulk_send_pause_reason(globex.org, acme.user, now=NOW + timedelta(days=8)) is None
