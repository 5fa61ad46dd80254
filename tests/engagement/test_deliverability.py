"""Bounces, complaints and out-of-office return dates, as the timeline and the sequences take them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from candidates.models import Candidate
from engagement.sequences.models import Enrollment
from engagement.timeline.models import Activity, Reminder
from messaging.envelope import verp_token
from messaging.inbound.ingest import ingest_raw
from messaging.models import Message
from messaging.services import message_bounce, message_complaint
from talentcircles.models import Membership
from tests.engagement.sequence_support import MONDAY_10, candidate, enrol, make_sequence, on_london_time
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _london(acme, settings):
    settings.INBOUND_EMAIL_DOMAIN = "reply.test"
    on_london_time(acme.org)


@pytest.fixture
def running(acme, django_capture_on_commit_callbacks):
    """A candidate (owned by a colleague) in a sequence whose first e-mail went out on Monday 10:00."""
    from engagement.sequences.dispatcher import dispatch_due

    owner = MembershipFactory(organization=acme.org, role=Membership.Role.RECRUITER).user
    person = candidate(acme, owner=owner, email="zoe@example.net")
    enrol(acme, make_sequence(acme), [person])
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due(now=MONDAY_10)
    return person


def first_message(person) -> Message:
    return Message.objects.outgoing().filter(candidate=person).select_related("candidate", "thread").get()


def states(person) -> set[tuple[str, str]]:
    return set(Enrollment.objects.filter(candidate=person).values_list("state", "stop_reason"))


def timeline(person, kind: str) -> list[str]:
    return list(Activity.objects.filter(candidate=person, kind=kind).values_list("summary", flat=True))


def test_a_complaint_stops_the_sequence_and_tells_the_owner_and_the_admins(acme, running):
    admin = UserFactory()
    MembershipFactory(organization=acme.org, user=admin, role=Membership.Role.ADMIN)
    message = first_message(running)

    assert message_complaint(message=message, feedback_type="abuse", source="ExampleFBL/1.0") is True

    assert states(running) == {("stopped", "The candidate reported our e-mail as spam.")}
    reminders = Reminder.objects.filter(candidate=running, origin=Reminder.Origin.COMPLAINT)
    # acme's own user is an admin too.
    assert {reminder.recruiter for reminder in reminders} == {running.owner, admin, acme.user}
    assert all("reported our e-mail as spam" in reminder.note for reminder in reminders)
    [summary] = timeline(running, Activity.Kind.COMPLAINT)
    assert summary.startswith(f"Reported “{message.subject}” as spam: unsubscribed from all mail")
    assert timeline(running, Activity.Kind.UNSUBSCRIBE) == ["Unsubscribed from all messages (spam complaint)"]
    assert not Candidate.objects.filter(pk=running.pk).messageable().exists()
    # Told once: a second report of the same person changes nothing.
    assert message_complaint(message=message) is False
    assert reminders.count() == 3


def test_the_timeline_says_hard_or_soft_with_the_code_and_the_servers_words(acme, running, settings):
    settings.SOFT_BOUNCE_LIMIT = 2
    message = first_message(running)

    message_bounce(message=message, reason="mailbox full", hard=False, status="4.2.2", diagnostic="452 Mailbox full")

    [soft] = timeline(running, Activity.Kind.BOUNCE)
    assert soft == (
        "Soft bounce (4.2.2): 1 of 2 in a row before the address counts as undeliverable — “452 Mailbox full”"
    )
    assert {state for state, _ in states(running)} == {"active"}  # one soft bounce stops nothing

    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)  # as if a second one bounced
    message_bounce(message=message, reason="mailbox full", hard=False, status="4.2.2", diagnostic="452 Mailbox full")

    assert timeline(running, Activity.Kind.BOUNCE)[0].startswith(
        "Soft bounce (4.2.2): 2 in a row, the address is now marked undeliverable"
    )
    assert states(running) == {("stopped", "An e-mail to the candidate bounced.")}


def test_a_hard_bounce_is_undeliverable_at_once(acme, running):
    message_bounce(
        message=first_message(running), reason="x", hard=True, status="5.1.1", diagnostic="550 5.1.1 User unknown"
    )

    assert timeline(running, Activity.Kind.BOUNCE) == [
        "Hard bounce (5.1.1): the address is now marked undeliverable — “550 5.1.1 User unknown”"
    ]
    assert Candidate.objects.get(pk=running.pk).email_undeliverable
    assert {state for state, _ in states(running)} == {"stopped"}


def test_an_out_of_office_with_a_return_date_postpones_the_next_step_until_then(acme, running):
    message = first_message(running)
    before = Enrollment.objects.get(candidate=running).next_run_at
    raw = (
        f"From: Zoe <zoe@example.net>\nTo: bounce+{verp_token(message)}@reply.test\n"
        "Subject: Automatic reply: A role\nAuto-Submitted: auto-replied\nMessage-ID: <ooo-return@example.net>\n"
        f"In-Reply-To: {message.message_id_header}\n\n"
        "Thank you for your e-mail. I am out of the office until 16 March 2026 with no access to e-mail.\n"
    ).encode()

    inbound = ingest_raw(raw, received_at=MONDAY_10)

    assert inbound.message.is_auto_reply and inbound.message.thread == message.thread
    after = Enrollment.objects.get(candidate=running).next_run_at
    # Monday 16 March, when the send window opens in London (09:00 GMT), not three days after the first step.
    assert before == datetime(2026, 3, 5, 10, tzinfo=UTC)
    assert after == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert timeline(running, Activity.Kind.AUTO_REPLY) == [
        "Automatic reply: “Automatic reply: A role”; back on 16 March 2026: the next sequence step waits until then"
    ]


def test_a_return_date_before_the_next_step_moves_nothing(acme, running):
    message = first_message(running)
    raw = (
        "From: Zoe <zoe@example.net>\nTo: someone@acme.test\nSubject: Out of office\n"
        "Auto-Submitted: auto-replied\nMessage-ID: <ooo-soon@example.net>\n"
        f"In-Reply-To: {message.message_id_header}\n\n"
        "I am out of the office until 3 March 2026.\n"
    ).encode()

    ingest_raw(raw, received_at=MONDAY_10)

    assert Enrollment.objects.get(candidate=running).next_run_at == datetime(2026, 3, 5, 10, tzinfo=UTC)
    [summary] = timeline(running, Activity.Kind.AUTO_REPLY)
    assert "back on 3 March 2026" in summary and "waits" not in summary
