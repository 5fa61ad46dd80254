"""ingest() with machines' mail: never a candidate's answer; and nothing lost when a mail cannot be read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from messaging.inbound.ingest import ingest_raw
from messaging.models import InboundEmail, Message
from tests.messaging.inbound_support import Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(acme, settings) -> Sent:
    configure_inbound(settings)
    return start_conversation(acme)


def incoming(sent: Sent) -> list[Message]:
    return list(Message.objects.filter(thread=sent.thread, direction=Message.Direction.IN))


@pytest.mark.parametrize(
    "name", ["bounce_exchange.eml", "bounce_gmail.eml", "bounce_domino.eml", "bounce_empty_sender.eml"]
)
def test_a_bounce_without_verp_is_never_a_reply(sent, name):
    inbound = ingest_raw(sent.mail(f"recognition/{name}"))

    assert inbound.status == InboundEmail.Status.BOUNCE
    assert incoming(sent) == []


@pytest.mark.parametrize("name", ["dsn_warning_sendmail.eml", "dsn_success.eml"])
def test_delay_warnings_and_success_notices_are_set_aside(sent, name):
    inbound = ingest_raw(sent.mail(f"recognition/{name}"))

    sent.message.refresh_from_db()
    assert inbound.status == InboundEmail.Status.DISCARDED
    assert incoming(sent) == [] and sent.message.status != Message.Status.BOUNCED


@pytest.mark.parametrize("name", ["arf_complaint.eml", "fbl_microsoft.eml"])
def test_a_spam_complaint_is_recorded_against_the_message_and_is_never_a_reply(sent, name):
    inbound = ingest_raw(sent.mail(f"recognition/{name}"))

    assert inbound.status != InboundEmail.Status.MATCHED and incoming(sent) == []
    assert "complaint" in inbound.error.lower()
    assert inbound.organization_id == sent.thread.organization_id


@pytest.mark.parametrize("name", ["auto_exchange_pair.eml", "ooo_de.eml", "ooo_pl.eml"])
def test_auto_replies_join_the_conversation_as_auto_replies(sent, name):
    inbound = ingest_raw(sent.mail(f"recognition/{name}"))

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.is_auto_reply and inbound.is_auto_reply


def test_the_yahoo_reply_with_a_non_ascii_attachment_name_is_a_reply(sent):
    inbound = ingest_raw(sent.mail("recognition/yahoo_nonascii_disposition.eml"))

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.body_text == "Hello Jane, my CV is attached. I am interested."
    assert not inbound.message.is_auto_reply


def broken_parser(monkeypatch) -> None:
    def broken(raw):
        raise RuntimeError("unforeseen")

    monkeypatch.setattr("messaging.inbound.lenient.parse_email", broken)


def test_a_mail_that_cannot_be_parsed_is_kept_and_routed_by_its_reply_token(sent, monkeypatch):
    raw = sent.mail("gmail_reply.eml", message_id="<not-ours@x.test>")
    broken_parser(monkeypatch)

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.thread == sent.thread
    assert "RuntimeError: unforeseen" in inbound.error
    assert bytes(inbound.raw) == raw


def test_a_mail_that_cannot_be_parsed_nor_matched_waits_in_unmatched_with_the_error_shown(acme, settings, monkeypatch):
    configure_inbound(settings)
    broken_parser(monkeypatch)
    raw = b"From: Ana <ana@x.test>\r\nTo: reply+nosuchtoken@reply.test\r\nSubject: Hello\r\n\r\nIs it still open?\r\n"

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.UNMATCHED
    assert inbound.from_email == "ana@x.test" and inbound.subject == "Hello"
    inbound.organization = acme.org
    inbound.save(update_fields=["organization"])
    page = acme.client.get(reverse("unmatched_list", args=[acme.org.slug])).content.decode()
    assert "Could not be fully read (RuntimeError: unforeseen)" in page


def test_a_broken_delivery_status_without_from_or_subject_is_not_refused(db):
    raw = (
        b"Content-Type: message/delivery-status\nMIME-Version: 1.0\n\nReporting-Mta: dns; mx.test\n\n"
        b"Final-Recipient: RFC822; <gone@x.test>\nAction: failed\nStatus: 4.2.2\n"
    )

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.BOUNCE


def test_nul_characters_never_stop_a_mail_from_being_stored(db):
    raw = (
        b"From: MAILER-DAEMON@x.test\r\nSubject: Undelivered Mail\x00 Returned to Sender\r\n"
        b"Message-ID: <n\x00ul@x.test>\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\x00\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; gone\x00@x.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 no\x00 such user\r\n--b--\r\n"
    )

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.BOUNCE
    assert inbound.message_id_header == "<nul@x.test>" and "\x00" not in inbound.error + inbound.body_text
