"""Sequences ask the contact policy: enrolment skips with the reason, each step at dispatch pauses or
waits with it (a live conversation elsewhere, one automated message per candidate per day)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.enrolment_batches import enrollment_plan
from engagement.sequences.models import Enrollment
from messaging import outbox
from messaging.models import Message
from messaging.services import message_receive
from tests.engagement.sequence_support import MONDAY_10, candidate, enrol, make_sequence, on_london_time
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
BODY = "Hi, your ledger work at Initech caught my eye; would you be open to a short call next week?"


@pytest.fixture(autouse=True)
def _london(acme):
    on_london_time(acme.org)


@pytest.fixture
def dana(acme):
    user = UserFactory(first_name="Dana", last_name="Smith", email="dana@acme.example")
    MembershipFactory(user=user, organization=acme.org)
    return user


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def dispatch(now):
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_due(now=now)

    return dispatch


def write(acme, person, sender, at) -> Message:
    message = outbox.thread_start(org=acme.org, candidate=person, recruiter=sender, subject="Hi", body=BODY)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def test_enrolment_skips_the_recently_contacted_and_those_in_a_conversation(acme, dana):
    fine, recent, talking = candidate(acme), candidate(acme), candidate(acme)
    write(acme, recent, dana, MONDAY_10 - timedelta(days=2))
    thread = write(acme, talking, dana, MONDAY_10 - timedelta(days=30)).thread
    message_receive(thread=thread, channel="email", body_text="Yes!", received_at=MONDAY_10 - timedelta(days=3))
    sequence = make_sequence(acme)
    details: dict[int, str] = {}

    plan = enrollment_plan(
        org=acme.org, sequence=sequence, candidate_ids=[fine.pk, recent.pk, talking.pk], details=details, now=MONDAY_10
    )
    result = enrol(acme, sequence, [fine, recent, talking])

    assert plan == result.skipped == {recent.pk: "cooldown", talking.pk: "in_conversation"}
    assert details[recent.pk] == "Contacted by Dana Smith on 28 Feb 2026."
    assert details[talking.pk].startswith("In a conversation with Dana Smith: replied on 27 Feb 2026")
    assert [e.candidate_id for e in result.enrolled] == [fine.pk]


def test_a_step_pauses_with_the_reason_when_the_candidate_is_in_a_conversation(acme, dana, run):
    person = candidate(acme)
    thread = write(acme, person, dana, MONDAY_10 - timedelta(days=40)).thread
    message_receive(thread=thread, channel="email", body_text="Yes!", received_at=MONDAY_10 - timedelta(days=20))
    answer = outbox.message_reply(thread=thread, sender=dana, body=BODY)
    Message.objects.filter(pk=answer.pk).update(created_at=MONDAY_10 - timedelta(days=19))
    enrollment = enrol(acme, make_sequence(acme), [person]).enrolled[0]  # 20 days ago: not live any more
    acme.org.active_conversation_days = 30  # … until the organisation counts a month
    acme.org.save(update_fields=["active_conversation_days"])

    result = run(MONDAY_10)

    enrollment.refresh_from_db()
    assert (result.held, result.messages) == (1, 0)
    assert enrollment.state == Enrollment.State.PAUSED
    assert enrollment.stop_reason.startswith("Paused: In a conversation with Dana Smith: replied on 10 Feb 2026")


def test_one_automated_message_per_candidate_per_day_across_sequences(acme, run):
    person = candidate(acme)
    first = enrol(acme, make_sequence(acme, name="First"), [person]).enrolled[0]
    second = enrol(acme, make_sequence(acme, name="Second"), [person]).enrolled[0]

    today = run(MONDAY_10)

    assert (today.messages, today.postponed) == (1, 1)
    assert Enrollment.objects.get(pk=first.pk).steps_done == 1
    waiting = Enrollment.objects.get(pk=second.pk)
    assert waiting.state == Enrollment.State.ACTIVE and waiting.next_run_at.date() > MONDAY_10.date()
    tomorrow = run(waiting.next_run_at)
    assert tomorrow.messages == 1
    assert Message.objects.filter(candidate=person, automated=True).count() == 2
