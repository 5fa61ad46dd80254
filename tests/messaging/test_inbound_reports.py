"""Reports about our mail: VERP bounces by token, hard and soft bounces, delivery notices, spam complaints."""

from __future__ import annotations

import itertools

import pytest

from candidates.models import Candidate, DigestFrequency, Suppression
from candidates.privacy import candidate_resubscribe, suppression_hash
from messaging.envelope import verp_token
from messaging.inbound.ingest import ingest_raw
from messaging.models import InboundEmail, Message
from messaging.outbox import message_reply
from messaging.services import message_receive
from talentcircles import events
from tests.messaging.inbound_support import FIXTURES, Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


@pytest.fixture
def sent(acme, settings) -> Sent:
    configure_inbound(settings)
    return start_conversation(acme, email="zoe@example.net")


def report(name: str, message: Message, **values: str) -> bytes:
    """A fixture report about `message`, to its VERP address (or what `values` say)."""
    filled = {
        "VERP": verp_token(message),
        "RECIPIENT": message.to_email or message.candidate.email,
        "TOKEN": message.thread.reply_token,
        "MESSAGE_ID": message.message_id_header,
        "N": str(next(_numbers)),
        "SUBJECT": "Undelivered Mail Returned to Sender",
        "ACTION": "failed",
        "STATUS": "5.1.1",
        "DIAGNOSTIC": "550 5.1.1 <zoe@example.net>: Recipient address rejected: User unknown",
        "TO": f"bounce+{verp_token(message)}@reply.test",
        **values,
    }
    raw = (FIXTURES / name).read_text()
    for key, value in filled.items():
        raw = raw.replace("{{" + key + "}}", value)
    return raw.encode()


def follow_up(sent: Sent, acme) -> Message:
    return message_reply(thread=sent.thread, sender=acme.user, body="Hi Zoë, following up on the platform role.")


def as_sent(*messages: Message) -> None:
    """What delivery writes on a sent message: the address it went to."""
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(to_email="zoe@example.net")
    for message in messages:
        message.refresh_from_db()


def bounced(seen_events) -> list[dict]:
    return [event.details for event in seen_events if event.kind == events.BOUNCED]


# --- VERP -----------------------------------------------------------------------------------------


def test_a_verp_bounce_without_a_dsn_is_matched_by_its_token(sent, seen_events):
    as_sent(sent.message)

    inbound = ingest_raw(report("verp_qmail_no_dsn.eml", sent.message))

    assert inbound.status == InboundEmail.Status.BOUNCE
    assert inbound.organization == sent.thread.organization
    assert "Hard bounce" in inbound.error and "VERP token" in inbound.error
    sent.message.refresh_from_db()
    assert sent.message.status == Message.Status.BOUNCED
    candidate = Candidate.objects.get(pk=sent.candidate.pk)
    assert candidate.email_undeliverable
    assert Suppression.objects.filter(email_hash=suppression_hash("zoe@example.net"), reason="bounced").exists()
    [details] = bounced(seen_events)
    assert details["hard"] is True and details["status"] == "5.1.1" and details["undeliverable"] is True
    assert "no mailbox here" in details["diagnostic"]
    assert not Message.objects.filter(thread=sent.thread, direction=Message.Direction.IN).exists()


def test_the_token_wins_over_the_original_the_report_returns(sent, acme):
    other = start_conversation(acme, email="someone@example.org")
    # The DSN returns headers of a message that is not ours; the envelope address names `sent`.
    raw = report("verp_dsn.eml", sent.message, RECIPIENT="zoe@example.net")

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.BOUNCE and f"message #{sent.message.pk}" in inbound.error
    assert Message.objects.get(pk=sent.message.pk).status == Message.Status.BOUNCED
    assert Message.objects.get(pk=other.message.pk).status != Message.Status.BOUNCED


def test_the_envelope_recipient_alone_is_enough(sent):
    raw = report("verp_qmail_no_dsn.eml", sent.message).replace(
        f"bounce+{verp_token(sent.message)}@reply.test".encode(), b"bounces@reply.test"
    )

    inbound = ingest_raw(raw, envelope_recipients=[f"bounce+{verp_token(sent.message)}@reply.test"])

    assert inbound.status == InboundEmail.Status.BOUNCE
    assert Message.objects.get(pk=sent.message.pk).status == Message.Status.BOUNCED


def test_a_report_for_a_token_we_do_not_know_is_kept_as_a_bounce(sent):
    raw = report("verp_qmail_no_dsn.eml", sent.message, VERP="0123456789abcdef01234567")

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.BOUNCE and "cannot find" in inbound.error
    assert Message.objects.get(pk=sent.message.pk).status != Message.Status.BOUNCED


def test_an_out_of_office_sent_to_the_return_path_is_an_auto_reply_in_the_thread(sent, seen_events):
    token = verp_token(sent.message)
    raw = (
        f"Return-Path: <>\nFrom: Zoe Ng <zoe@example.net>\nTo: bounce+{token}@reply.test\n"
        "Subject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <ooo-verp@example.net>\n\n"
        "I am away with limited access to e-mail.\n"
    ).encode()

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.MATCHED and inbound.is_auto_reply
    assert inbound.message.thread == sent.thread
    assert events.AUTO_REPLY_RECEIVED in [event.kind for event in seen_events]


# --- Hard and soft --------------------------------------------------------------------------------


def test_soft_bounces_make_the_address_undeliverable_at_the_limit(sent, acme, seen_events, settings):
    settings.SOFT_BOUNCE_LIMIT = 3
    messages = [sent.message, follow_up(sent, acme), follow_up(sent, acme)]
    as_sent(*messages)

    for number, message in enumerate(messages, start=1):
        inbound = ingest_raw(report("verp_mailbox_full.eml", message))
        assert inbound.status == InboundEmail.Status.BOUNCE and "Soft bounce" in inbound.error
        candidate = Candidate.objects.get(pk=sent.candidate.pk)
        assert candidate.soft_bounces == number
        assert candidate.email_undeliverable is (number == 3)

    assert [(d["hard"], d["status"], d["soft_bounces"], d["undeliverable"]) for d in bounced(seen_events)] == [
        (False, "5.2.2", 1, False),
        (False, "5.2.2", 2, False),
        (False, "5.2.2", 3, True),
    ]
    assert "Mailbox full" in bounced(seen_events)[0]["diagnostic"]


def test_a_failure_after_the_retry_period_is_soft(sent):
    as_sent(sent.message)
    raw = report("verp_dsn.eml", sent.message, STATUS="4.4.7", DIAGNOSTIC="450 4.4.7 Delivery time expired")

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.BOUNCE and "Soft bounce" in inbound.error
    candidate = Candidate.objects.get(pk=sent.candidate.pk)
    assert (candidate.soft_bounces, candidate.email_undeliverable) == (1, False)


def test_a_reply_or_a_delivery_notice_starts_the_count_again(sent, acme):
    second, third = follow_up(sent, acme), follow_up(sent, acme)
    as_sent(sent.message, second, third)

    ingest_raw(report("verp_mailbox_full.eml", sent.message))
    assert Candidate.objects.get(pk=sent.candidate.pk).soft_bounces == 1
    message_receive(thread=sent.thread, channel=Message.Channel.EMAIL, body_text="Thanks, will read it later.")
    assert Candidate.objects.get(pk=sent.candidate.pk).soft_bounces == 0

    ingest_raw(report("verp_mailbox_full.eml", second))
    assert Candidate.objects.get(pk=sent.candidate.pk).soft_bounces == 1
    notice = ingest_raw(report("verp_dsn.eml", third, ACTION="delivered", STATUS="2.0.0", DIAGNOSTIC="250 OK"))
    assert notice.status == InboundEmail.Status.DISCARDED and notice.message is None
    assert Candidate.objects.get(pk=sent.candidate.pk).soft_bounces == 0
    assert Message.objects.get(pk=third.pk).status != Message.Status.BOUNCED


def test_a_delayed_warning_is_kept_and_changes_nothing(sent, seen_events):
    raw = report("verp_dsn.eml", sent.message, ACTION="delayed", STATUS="4.2.0", DIAGNOSTIC="Greylisted")

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.DISCARDED and "delayed" in inbound.error
    assert Message.objects.get(pk=sent.message.pk).status != Message.Status.BOUNCED
    assert Candidate.objects.get(pk=sent.candidate.pk).soft_bounces == 0
    assert bounced(seen_events) == []


# --- Spam complaints ------------------------------------------------------------------------------


def test_a_complaint_unsubscribes_and_suppresses_for_good(sent, seen_events):
    inbound = ingest_raw(report("arf_complaint.eml", sent.message, TO="fbl@reply.test"))

    assert inbound.status == InboundEmail.Status.COMPLAINT and inbound.organization == sent.thread.organization
    candidate = Candidate.objects.get(pk=sent.candidate.pk)
    assert candidate.unsubscribed_at is not None
    assert candidate.digest_frequency == DigestFrequency.NEVER
    suppression = Suppression.objects.get(email_hash=suppression_hash("zoe@example.net"))
    assert suppression.reason == Suppression.Reason.COMPLAINED
    kinds = [event.kind for event in seen_events]
    assert events.UNSUBSCRIBED in kinds and kinds.count(events.COMPLAINED) == 1
    assert not Message.objects.filter(thread=sent.thread, direction=Message.Direction.IN).exists()

    # "Receive messages again" lifts an unsubscribe, not a spam complaint.
    candidate_resubscribe(candidate=candidate, source="portal")
    assert Candidate.objects.filter(pk=candidate.pk).messageable().count() == 0


def test_a_complaint_sent_to_the_return_path_is_matched_by_the_token(sent, seen_events):
    raw = report("arf_complaint.eml", sent.message, MESSAGE_ID="<not-ours@elsewhere.test>", TOKEN="nosuchtoken")

    inbound = ingest_raw(raw)
    again = ingest_raw(raw.replace(b"<fbl-", b"<fbl-again-"))

    assert inbound.status == again.status == InboundEmail.Status.COMPLAINT
    assert f"message #{sent.message.pk}" in inbound.error and "already handled" in again.error
    assert [event.kind for event in seen_events].count(events.COMPLAINED) == 1


def test_a_complaint_names_its_message_by_the_verp_address_it_quotes(sent, seen_events):
    # At the feedback address, the original's Message-ID and reply token unknown: Original-Mail-From remains.
    raw = report(
        "arf_complaint.eml", sent.message, TO="fbl@reply.test", MESSAGE_ID="<x@elsewhere.test>", TOKEN="nosuchtoken"
    )

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.COMPLAINT and f"message #{sent.message.pk}" in inbound.error
    assert [event.kind for event in seen_events].count(events.COMPLAINED) == 1
