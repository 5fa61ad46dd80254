"""The outbox: claim, re-check, send once, mark sent; cancellations, the sweep and the task."""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone

from candidates.models import ConsentRecord
from candidates.privacy import candidate_erase, candidate_mark_undeliverable, candidate_unsubscribe
from messaging import delivery, envelope, links, outbox, recovery, services
from messaging.models import Message, Thread
from messaging.tasks import deliver_message, sweep_stuck_messages
from talentcircles import events
from tests.factories import CandidateFactory

BODY = "Hi Ada,\n\nYour compiler work at Analytical caught my eye. Open to a call next week?\n\nGrace"


@pytest.fixture
def candidate(acme):
    return CandidateFactory(organization=acme.org, first_name="Ada", last_name="Lovelace", email="ada@example.net")


def queued(acme, candidate, **kwargs) -> Message:
    """A conversation started through the real service; its delivery task is not run (no on_commit in `db` tests)."""
    kwargs.setdefault("subject", "Compilers at Acme")
    kwargs.setdefault("body", BODY)
    return outbox.thread_start(org=acme.org, candidate=candidate, recruiter=acme.user, **kwargs)


def test_it_sends_a_queued_message_and_marks_it_sent(acme, candidate, seen_events):
    message = queued(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.SENT

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.to_email == "ada@example.net"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.net"]
    sent = [event for event in seen_events if event.kind == events.MESSAGE_SENT]
    assert len(sent) == 1
    assert sent[0].related == {"message_id": message.pk, "thread_id": message.thread_id}
    assert sent[0].actor_id == acme.user.pk
    assert sent[0].details == {
        "subject": "Compilers at Acme",
        "origin": Thread.Origin.ONE_TO_ONE,
        "template_id": None,
    }


def test_the_task_run_twice_sends_once(acme, candidate, seen_events):
    message = queued(acme, candidate)

    assert deliver_message.delay(message.pk).get() == delivery.SENT
    assert deliver_message.delay(message.pk).get() == delivery.SKIPPED

    assert len(mail.outbox) == 1
    assert [e.kind for e in seen_events].count(events.MESSAGE_SENT) == 1


def test_a_row_claimed_by_another_worker_is_skipped(acme, candidate):
    message = queued(acme, candidate)
    # Another worker's claim landed first.
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=timezone.now())

    assert delivery.message_deliver(message.pk) == delivery.SKIPPED
    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Message.Status.SENDING
    assert message.attempts == 0


def test_it_queues_delivery_on_commit_through_the_real_path(acme, candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queued(acme, candidate)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_a_message_not_yet_due_is_not_claimed(acme, candidate):
    message = queued(acme, candidate)
    later = timezone.now() + timedelta(minutes=3)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=later)

    assert delivery.message_deliver(message.pk) == delivery.SKIPPED
    assert delivery.message_deliver(message.pk, now=later) == delivery.SENT
    assert len(mail.outbox) == 1


def test_it_keeps_the_message_id_written_with_the_row(acme, candidate):
    message = queued(acme, candidate)
    assert message.message_id_header

    delivery.message_deliver(message.pk)

    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id_header


def test_it_writes_a_message_id_before_sending_when_the_row_has_none(acme, candidate):
    message = queued(acme, candidate)
    Message.objects.filter(pk=message.pk).update(message_id_header="")

    delivery.message_deliver(message.pk)

    message.refresh_from_db()
    assert message.message_id_header.startswith("<tc.")
    assert message.message_id_header.endswith("@reply.localhost>")
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id_header


def test_the_email_carries_the_reply_and_unsubscribe_headers(acme, candidate, settings):
    settings.SITE_URL = "https://talent.example.com"
    settings.INBOUND_EMAIL_DOMAIN = "in.example.com"
    acme.user.first_name, acme.user.last_name = "Grace", "Hopper"
    acme.user.save()
    message = queued(acme, candidate)

    delivery.message_deliver(message.pk)

    email = mail.outbox[0]
    token = links.unsubscribe_token(candidate)
    assert parseaddr(email.extra_headers["From"]) == ("Grace Hopper via Acme Inc", "noreply@localhost")
    message.refresh_from_db()
    assert email.from_email == f"bounce+{envelope.verp_token(message)}@in.example.com"
    assert email.reply_to == [f"reply+{message.thread.reply_token}@in.example.com"]
    assert email.extra_headers["List-Unsubscribe"] == (
        f"<https://talent.example.com/u/{token}>, <mailto:unsubscribe+{token}@in.example.com?subject=unsubscribe>"
    )
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "In-Reply-To" not in email.extra_headers
    assert "Auto-Submitted" not in email.extra_headers


def test_the_body_has_the_text_the_response_links_and_the_unsubscribe_link(acme, candidate, settings):
    settings.SITE_URL = "https://talent.example.com"
    message = queued(acme, candidate, body="Hi Ada,\n\n<b>Rust</b> & compilers?\nGrace")

    delivery.message_deliver(message.pk)

    email = mail.outbox[0]
    interested = links.response_url(message, Message.Classification.INTERESTED)
    not_interested = links.response_url(message, Message.Classification.NOT_INTERESTED)
    assert email.body.startswith("Hi Ada,\n\n<b>Rust</b> & compilers?\nGrace\n")
    assert f"Interested: {interested}" in email.body
    assert f"Not interested: {not_interested}" in email.body
    assert links.unsubscribe_url(candidate) in email.body
    assert "Acme Inc" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;b&gt;Rust&lt;/b&gt; &amp; compilers?<br>Grace" in html
    assert "<b>Rust</b>" not in html
    assert f'href="{interested}"' in html and f'href="{not_interested}"' in html
    assert links.unsubscribe_url(candidate) in html


@pytest.mark.parametrize(
    "stop",
    [
        lambda c: candidate_unsubscribe(candidate=c, source=ConsentRecord.Source.UNSUBSCRIBE_LINK),
        lambda c: c.__class__.objects.filter(pk=c.pk).update(do_not_contact=True),
        lambda c: candidate_mark_undeliverable(candidate=c),
    ],
    ids=["unsubscribed", "do_not_contact", "undeliverable"],
)
def test_it_cancels_a_message_to_a_candidate_no_longer_contactable(acme, candidate, stop, seen_events):
    message = queued(acme, candidate)
    stop(candidate)

    assert delivery.message_deliver(message.pk) == delivery.CANCELLED

    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    assert message.last_error.startswith("Not sent: ")
    assert events.MESSAGE_SENT not in [e.kind for e in seen_events]
    # A cancelled message is never picked up again.
    assert delivery.message_deliver(message.pk) == delivery.SKIPPED


def test_an_older_message_arriving_late_does_not_hide_an_answer(acme, candidate):
    message = queued(acme, candidate, automated=True)
    services.message_receive(thread=message.thread, channel=Message.Channel.EMAIL, body_text="Yes, let's talk!")
    services.message_receive(
        thread=message.thread, channel=Message.Channel.EMAIL, body_text="(an old mail, delivered late)",
        received_at=message.created_at - timedelta(days=3),
    )  # fmt: skip

    assert delivery.message_deliver(message.pk) == delivery.CANCELLED
    message.thread.refresh_from_db()
    assert message.thread.last_message_at > message.created_at


def test_erasure_cancels_what_is_still_queued(acme, candidate):
    message = queued(acme, candidate)

    candidate_erase(candidate=candidate, source=ConsentRecord.Source.ADMIN)

    assert delivery.message_deliver(message.pk) == delivery.SKIPPED
    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED
    assert message.last_error == "Not sent: the candidate's data was erased."


def test_it_cancels_a_sequence_follow_up_when_the_candidate_answered_meanwhile(acme, candidate):
    message = queued(acme, candidate, automated=True)
    services.message_receive(thread=message.thread, channel=Message.Channel.EMAIL, body_text="Yes, let's talk!")

    assert delivery.message_deliver(message.pk) == delivery.CANCELLED

    assert mail.outbox == []
    message.refresh_from_db()
    assert "answered" in message.last_error


def test_an_auto_reply_does_not_cancel_a_sequence_follow_up(acme, candidate):
    message = queued(acme, candidate, automated=True)
    services.message_receive(
        thread=message.thread, channel=Message.Channel.EMAIL, body_text="I'm out of office.", is_auto_reply=True
    )

    assert delivery.message_deliver(message.pk) == delivery.SENT


def test_a_recruiters_own_message_goes_out_even_after_an_answer(acme, candidate):
    message = queued(acme, candidate)
    services.message_receive(thread=message.thread, channel=Message.Channel.EMAIL, body_text="Tell me more")

    assert delivery.message_deliver(message.pk) == delivery.SENT


def test_an_answer_before_the_follow_up_was_written_does_not_cancel_it(acme, candidate):
    first = queued(acme, candidate)
    services.message_receive(thread=first.thread, channel=Message.Channel.EMAIL, body_text="Maybe later")
    follow_up = outbox.message_reply(
        thread=first.thread, sender=acme.user, body="Thanks Ada, how about March?", automated=True
    )

    assert delivery.message_deliver(follow_up.pk) == delivery.SENT


def test_incoming_messages_are_never_delivered(acme, candidate):
    first = queued(acme, candidate)
    reply = services.message_receive(thread=first.thread, channel=Message.Channel.EMAIL, body_text="Hello")

    assert delivery.message_deliver(reply.pk) == delivery.SKIPPED
    assert mail.outbox == []


def test_a_bad_address_fails_at_once(acme, candidate):
    message = queued(acme, candidate)
    # An address that cannot be written into a header (it would inject one).
    candidate.__class__.objects.filter(pk=candidate.pk).update(email="ada@example.net\nBcc: all@example.org")

    assert delivery.message_deliver(message.pk) == delivery.FAILED

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.last_error
    assert mail.outbox == []


def test_it_strips_line_breaks_from_the_subject(acme, candidate):
    message = queued(acme, candidate)
    Message.objects.filter(pk=message.pk).update(subject="Hello\r\nBcc: all@example.org")

    delivery.message_deliver(message.pk)

    assert mail.outbox[0].subject == "Hello Bcc: all@example.org"
    assert mail.outbox[0].bcc == []


# --- Backoff ---------------------------------------------------------------------------------


def test_the_backoff_grows_exponentially_with_full_jitter_and_a_cap():
    rng = random.Random(6)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (5, 480), (6, 600), (20, 600)]:
        delays = [delivery.retry_delay(attempts, rng=rng).total_seconds() for _ in range(200)]
        assert min(delays) >= 1
        assert max(delays) <= ceiling
        # Full jitter spreads retries across the whole range, not just near the ceiling.
        assert min(delays) < ceiling / 4 and max(delays) > ceiling * 3 / 4


# --- The sweep -------------------------------------------------------------------------------


def _age(message: Message, **fields) -> None:
    Message.objects.filter(pk=message.pk).update(**fields)


def test_the_sweep_requeues_a_message_whose_task_was_lost(acme, candidate, django_capture_on_commit_callbacks):
    message = queued(acme, candidate)
    _age(message, created_at=timezone.now() - timedelta(minutes=11))

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_recent_and_future_messages_alone(acme, candidate, django_capture_on_commit_callbacks):
    fresh = queued(acme, candidate)
    later = queued(acme, CandidateFactory(organization=acme.org))
    _age(later, created_at=timezone.now() - timedelta(hours=1), next_attempt_at=timezone.now() + timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 0

    assert mail.outbox == []
    assert Message.objects.get(pk=fresh.pk).status == Message.Status.QUEUED


def test_the_sweep_requeues_a_message_whose_worker_died_mid_send(acme, candidate, django_capture_on_commit_callbacks):
    message = queued(acme, candidate)
    claimed = timezone.now() - timedelta(minutes=15)
    _age(message, status=Message.Status.SENDING, claimed_at=claimed, attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_a_message_being_sent_now_alone(acme, candidate):
    message = queued(acme, candidate)
    _age(message, status=Message.Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=2), attempts=1)

    assert recovery.messages_sweep() == 0
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENDING


def test_the_sweep_fails_a_message_interrupted_too_often(acme, candidate):
    message = queued(acme, candidate)
    _age(
        message,
        status=Message.Status.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=15),
        attempts=delivery.MAX_ATTEMPTS,
    )

    assert recovery.messages_sweep() == 0

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "interrupted" in message.last_error


def test_the_sweep_never_sends_a_sent_message_again(acme, candidate, django_capture_on_commit_callbacks):
    message = queued(acme, candidate)
    delivery.message_deliver(message.pk)
    _age(message, created_at=timezone.now() - timedelta(hours=1), claimed_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 0
        assert sweep_stuck_messages.delay().get() == 0

    assert len(mail.outbox) == 1


def test_the_sweep_run_twice_queues_once_and_sends_once(acme, candidate, django_capture_on_commit_callbacks):
    message = queued(acme, candidate)
    _age(message, created_at=timezone.now() - timedelta(minutes=30))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert recovery.messages_sweep() == 1
        assert recovery.messages_sweep() == 0
    for callback in callbacks:
        callback()
    # A stray duplicate task (the broker redelivering) is harmless too.
    assert deliver_message.delay(message.pk).get() == delivery.SKIPPED

    assert len(mail.outbox) == 1
