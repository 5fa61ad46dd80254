"""Delivery to a real SMTP server started by the test (aiosmtpd): headers, retries, refusals."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from messaging import delivery, envelope, links, outbox
from messaging.models import Message
from messaging.tasks import deliver_message
from talentcircles import events
from tests.factories import CandidateFactory


@dataclass
class MailServer:
    """An SMTP handler that can refuse: `data_refusals` DATA commands get `data_reply` first, then mail is taken."""

    data_refusals: int = 0
    data_reply: str = "421 4.3.2 Service not available, try again later"
    rcpt_reply: str = ""
    attempts: list[email.message.EmailMessage] = field(default_factory=list)
    accepted: list[email.message.EmailMessage] = field(default_factory=list)
    envelope_recipients: list[list[str]] = field(default_factory=list)
    envelope_senders: list[str] = field(default_factory=list)

    # aiosmtpd calls its hooks by these names.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.attempts.append(received)
        if self.data_refusals > 0:
            self.data_refusals -= 1
            return self.data_reply
        self.accepted.append(received)
        self.envelope_recipients.append(list(envelope.rcpt_tos))
        self.envelope_senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://talent.example.com"
    settings.INBOUND_EMAIL_DOMAIN = "in.example.com"
    yield handler
    controller.stop()


@pytest.fixture
def candidate(acme):
    return CandidateFactory(organization=acme.org, first_name="Zoë", last_name="Ng", email="zoe@example.net")


def _start(acme, candidate) -> Message:
    return outbox.thread_start(
        org=acme.org,
        candidate=candidate,
        recruiter=acme.user,
        subject="Your Kotlin talk",
        body="Hi Zoë,\n\nI loved your Kotlin coroutines talk in Lyon. Could we chat about our platform team?",
    )


def test_it_delivers_over_smtp_with_every_header(acme, candidate, smtp):
    acme.user.first_name, acme.user.last_name = "Grace", "Hopper"
    acme.user.save()
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.SENT

    assert len(smtp.accepted) == 1
    received = smtp.accepted[0]
    token = links.unsubscribe_token(candidate)
    assert smtp.envelope_recipients == [["zoe@example.net"]]
    assert received["To"] == "zoe@example.net"
    assert received["From"].addresses[0].display_name == "Grace Hopper via Acme Inc"
    assert received["From"].addresses[0].addr_spec == "noreply@localhost"
    assert received["Subject"] == "Your Kotlin talk"
    assert received["Message-ID"] == message.message_id_header
    assert received["Reply-To"] == f"reply+{message.thread.reply_token}@in.example.com"
    assert received["List-Unsubscribe"].strip() == (  # a long header may be folded right after its name
        f"<https://talent.example.com/u/{token}>, <mailto:unsubscribe+{token}@in.example.com?subject=unsubscribe>"
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["In-Reply-To"] is None and received["References"] is None
    assert received["Auto-Submitted"] is None
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "I loved your Kotlin coroutines talk in Lyon." in text
    assert links.response_url(message, Message.Classification.INTERESTED) in text
    assert links.response_url(message, Message.Classification.NOT_INTERESTED) in html
    assert f"https://talent.example.com/u/{token}" in html


def test_the_envelope_sender_is_the_messages_verp_address(acme, candidate, smtp):
    first, second = _start(acme, candidate), _start(acme, CandidateFactory(organization=acme.org))

    assert delivery.messages_deliver([first.pk, second.pk]).counts() == {delivery.SENT: 2}

    first.refresh_from_db()
    second.refresh_from_db()
    tokens = [envelope.verp_token(first), envelope.verp_token(second)]
    assert all(tokens) and tokens[0] != tokens[1]
    # MAIL FROM names the message; the From header stays the organisation's address.
    assert smtp.envelope_senders == [f"bounce+{token}@in.example.com" for token in tokens]
    assert [received["From"].addresses[0].addr_spec for received in smtp.accepted] == ["noreply@localhost"] * 2
    assert first.from_email.endswith("<noreply@localhost>")


def test_with_verp_off_the_envelope_sender_is_the_from_address(acme, candidate, smtp, settings):
    settings.VERP_ENABLED = False
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.SENT

    assert smtp.envelope_senders == ["noreply@localhost"]


def test_a_follow_up_in_the_thread_carries_in_reply_to_and_references(acme, candidate, smtp):
    first = _start(acme, candidate)
    delivery.message_deliver(first.pk)
    follow_up = outbox.message_reply(
        thread=first.thread, sender=acme.user, body="Hi Zoë, following up on the platform team: any thoughts?"
    )

    assert delivery.message_deliver(follow_up.pk) == delivery.SENT

    received = smtp.accepted[1]
    assert received["Message-ID"] == follow_up.message_id_header != first.message_id_header
    assert received["In-Reply-To"] == first.message_id_header
    assert first.message_id_header in received["References"].split()
    assert received["Subject"] == "Re: Your Kotlin talk"
    assert received["Reply-To"] == f"reply+{first.thread.reply_token}@in.example.com"


def test_it_retries_a_temporary_refusal_and_sends_once_the_server_recovers(acme, candidate, smtp, seen_events):
    smtp.data_refusals = 2
    message = _start(acme, candidate)
    before = timezone.now()

    assert delivery.message_deliver(message.pk, now=before) == delivery.RETRY

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert "421" in message.last_error
    assert before < message.next_attempt_at <= before + delivery.BACKOFF_BASE
    # Not due yet: nothing is tried.
    assert delivery.message_deliver(message.pk, now=before) == delivery.SKIPPED

    assert delivery.message_deliver(message.pk, now=message.next_attempt_at) == delivery.RETRY
    message.refresh_from_db()
    assert message.attempts == 2

    assert delivery.message_deliver(message.pk, now=message.next_attempt_at) == delivery.SENT
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(smtp.attempts) == 3 and len(smtp.accepted) == 1
    # Every attempt carried the same Message-ID, so the recipient's server can drop duplicates.
    assert {attempt["Message-ID"] for attempt in smtp.attempts} == {message.message_id_header}
    assert [e.kind for e in seen_events].count(events.MESSAGE_SENT) == 1


def test_the_task_leaves_a_temporarily_refused_message_queued_for_later(acme, candidate, smtp):
    smtp.data_refusals = 1
    message = _start(acme, candidate)

    # Run eagerly the task cannot wait for its retry: it leaves the row queued for later.
    assert deliver_message.delay(message.pk).get() == delivery.RETRY

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert len(smtp.accepted) == 0
    assert delivery.message_deliver(message.pk, now=message.next_attempt_at) == delivery.SENT
    assert len(smtp.accepted) == 1


def test_a_permanent_refusal_fails_at_once_with_the_servers_words(acme, candidate, smtp, seen_events):
    smtp.rcpt_reply = "550 5.1.1 No such user here"
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.FAILED

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert message.next_attempt_at is None
    assert "550" in message.last_error and "No such user here" in message.last_error
    assert smtp.accepted == []
    assert events.MESSAGE_SENT not in [e.kind for e in seen_events]


def test_a_permanent_refusal_of_the_content_fails_at_once(acme, candidate, smtp):
    smtp.data_refusals, smtp.data_reply = 1, "554 5.7.1 Message rejected as spam"
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.FAILED
    assert "554" in Message.objects.get(pk=message.pk).last_error


def test_a_temporary_recipient_refusal_is_retried(acme, candidate, smtp):
    smtp.rcpt_reply = "450 4.2.1 Mailbox busy, greylisted"
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.RETRY
    assert "450" in Message.objects.get(pk=message.pk).last_error


def test_it_gives_up_after_max_attempts(acme, candidate, smtp):
    smtp.data_refusals = 100
    message = _start(acme, candidate)
    now = timezone.now()
    outcomes = []
    for _attempt in range(delivery.MAX_ATTEMPTS):
        outcomes.append(delivery.message_deliver(message.pk, now=now))
        message.refresh_from_db()
        now = message.next_attempt_at or now

    assert outcomes == [delivery.RETRY] * (delivery.MAX_ATTEMPTS - 1) + [delivery.FAILED]
    assert message.status == Message.Status.FAILED
    assert message.attempts == delivery.MAX_ATTEMPTS
    assert "421" in message.last_error
    assert delivery.message_deliver(message.pk, now=now) == delivery.SKIPPED
    assert len(smtp.attempts) == delivery.MAX_ATTEMPTS


def test_a_server_that_is_down_is_a_temporary_failure(acme, candidate, smtp, settings):
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    message = _start(acme, candidate)

    assert delivery.message_deliver(message.pk) == delivery.RETRY

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.last_error
    assert mail.outbox == []


def test_on_a_worker_the_task_retries_when_the_row_is_due(acme, candidate, smtp, monkeypatch):
    smtp.data_refusals = 1
    message = _start(acme, candidate)
    scheduled: list[float] = []

    def retry_on_the_broker(*, countdown: float) -> Retry:
        # What leaves the process: Celery putting the retry on the broker with a countdown.
        scheduled.append(countdown)
        return Retry("retry", when=countdown)

    monkeypatch.setattr(deliver_message, "retry", retry_on_the_broker)

    with pytest.raises(Retry):
        deliver_message(message.pk)  # run as a worker runs it, not eagerly

    message.refresh_from_db()
    seconds_left = (message.next_attempt_at - timezone.now()).total_seconds()
    assert len(scheduled) == 1
    assert 0 < scheduled[0] <= delivery.BACKOFF_BASE.total_seconds()
    assert abs(scheduled[0] - seconds_left) < 5
