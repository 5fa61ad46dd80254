"""ingest_raw end to end: matching, auto-replies, bounces, dedup, Unmatched and assigning."""

from __future__ import annotations

import pytest

from messaging.inbound.ingest import inbound_assign, ingest, ingest_raw
from messaging.models import InboundEmail, Message, Thread
from messaging.services import MessagingError
from talentcircles import events
from tests.factories import CandidateFactory, MembershipFactory, UserFactory
from tests.messaging.inbound_support import Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound_settings(settings):
    return configure_inbound(settings)


@pytest.fixture
def sent(acme, inbound_settings) -> Sent:
    return start_conversation(acme)


def incoming(thread) -> list[Message]:
    return list(Message.objects.filter(thread=thread, direction=Message.Direction.IN))


def test_it_matches_by_the_reply_token(sent, seen_events):
    inbound = ingest_raw(sent.mail("gmail_reply.eml", message_id="<not-ours@x.test>"))

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.organization == sent.thread.organization
    reply = inbound.message
    assert reply.thread == sent.thread and reply.candidate == sent.candidate
    assert reply.direction == Message.Direction.IN and reply.status == Message.Status.RECEIVED
    assert reply.body_text.startswith("Hi Jane,\n\nThanks for reaching out.")
    assert "Your work on the payments platform" not in reply.body_text
    assert reply.classification == Message.Classification.INTERESTED
    assert reply.message_id_header == "<CAF1x9QeGmailReply001@mail.gmail.com>"
    assert not reply.is_auto_reply
    assert [event.kind for event in seen_events if event.related.get("message_id") == reply.pk] == [
        events.REPLY_RECEIVED
    ]


def test_it_finds_the_token_in_cc(sent):
    inbound = ingest_raw(sent.mail("iphone_reply.eml", message_id="<not-ours@x.test>"))

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.body_text == "Yes, happy to chat. Call me after 5pm."


def test_it_finds_the_token_in_delivered_to_and_the_envelope(sent):
    token = sent.thread.reply_token
    raw = f"From: x@y.test\nTo: jobs@y.test\nDelivered-To: reply+{token}@reply.test\nSubject: Hi\n\nHello\n".encode()
    bare = b"From: x@y.test\nTo: jobs@y.test\nMessage-ID: <env@y.test>\nSubject: Hi\n\nHello again\n"

    assert ingest_raw(raw).message.thread == sent.thread
    assert ingest_raw(bare, envelope_recipients=[f"reply+{token}@reply.test"]).message.thread == sent.thread


def test_it_matches_by_in_reply_to(sent):
    inbound = ingest_raw(sent.mail("outlook_mobile_reply.eml"))  # no token anywhere: To is the recruiter

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.thread == sent.thread
    assert inbound.message.body_text == "Sure, let's set up a call on Friday."


def test_it_matches_by_references(sent):
    raw = (
        "From: Sam <sam@x.test>\nTo: jane@acme.test\nSubject: Re: role\nMessage-ID: <refs@x.test>\n"
        f"In-Reply-To: <someone-else@x.test>\nReferences: {sent.message.message_id_header} <someone-else@x.test>\n\n"
        "Count me in.\n"
    ).encode()

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.thread == sent.thread


def test_a_later_reply_matches_the_message_id_of_an_earlier_reply(sent):
    first = ingest_raw(sent.mail("android_reply.eml"))
    raw = (
        "From: Sam <sam@x.test>\nTo: jane@acme.test\nSubject: Re: role\nMessage-ID: <second@x.test>\n"
        f"In-Reply-To: {first.message.message_id_header}\n\nActually, maybe later in the year.\n"
    ).encode()

    assert ingest_raw(raw).message.thread == sent.thread


def test_the_from_address_alone_never_matches(sent):
    raw = (
        f"From: {sent.candidate.full_name} <{sent.candidate.email}>\nTo: jane@acme.test\n"
        "Subject: Re: A platform role at Acme\nMessage-ID: <from-only@x.test>\n\nYes, I'm interested!\n"
    ).encode()

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.UNMATCHED
    assert inbound.message is None
    assert inbound.organization is None
    assert inbound.body_text == "Yes, I'm interested!"
    assert incoming(sent.thread) == []


def test_unmatched_mail_is_routed_to_the_organisation_its_address_names(acme, globex, inbound_settings):
    by_tag = ingest_raw(b"From: a@x.test\nTo: reply+globex@reply.test\nMessage-ID: <o1@x.test>\nSubject: Hi\n\nHi\n")
    by_slug = ingest_raw(b"From: a@x.test\nTo: acme@reply.test\nMessage-ID: <o2@x.test>\nSubject: Hi\n\nHi\n")
    elsewhere = ingest_raw(b"From: a@x.test\nTo: acme@other.test\nMessage-ID: <o3@x.test>\nSubject: Hi\n\nHi\n")

    assert (by_tag.status, by_tag.organization) == (InboundEmail.Status.UNMATCHED, globex.org)
    assert by_slug.organization == acme.org
    assert elsewhere.organization is None
    assert list(InboundEmail.objects.for_org(acme.org).unmatched()) == [by_slug]


def test_the_same_mail_twice_is_stored_once(sent):
    raw = sent.mail("gmail_reply.eml")

    first = ingest(raw)
    second = ingest(raw)

    assert first.created and not second.created
    assert second.inbound.pk == first.inbound.pk
    assert InboundEmail.objects.count() == 1
    assert len(incoming(sent.thread)) == 1


def test_mail_without_a_message_id_is_deduplicated_by_its_bytes(sent):
    raw = f"From: a@x.test\nTo: reply+{sent.thread.reply_token}@reply.test\nSubject: Hi\n\nYes please\n".encode()

    assert ingest_raw(raw).pk == ingest_raw(raw).pk
    assert ingest_raw(raw + b"again\n").pk != ingest_raw(raw).pk
    assert len(incoming(sent.thread)) == 2


@pytest.mark.parametrize(
    "name",
    [
        "auto_submitted.eml",
        "x_autoreply.eml",
        "x_autorespond.eml",
        "precedence_auto_reply.eml",
        "precedence_bulk.eml",
        "ooo_subject_only.eml",
        "ooo_german_subject.eml",
    ],
)
def test_auto_replies_are_stored_but_never_count_as_answers(sent, seen_events, name):
    inbound = ingest_raw(sent.mail(name))

    assert inbound.status == InboundEmail.Status.MATCHED and inbound.is_auto_reply
    assert inbound.message.is_auto_reply
    assert inbound.message.classification == ""
    assert not Message.objects.for_org(sent.thread.organization).answers().exists()
    kinds = [event.kind for event in seen_events if event.related.get("message_id") == inbound.message.pk]
    assert kinds == [events.AUTO_REPLY_RECEIVED]


def test_auto_submitted_no_is_a_real_answer(sent):
    inbound = ingest_raw(sent.mail("auto_submitted_no.eml"))

    assert not inbound.message.is_auto_reply
    assert list(Message.objects.answers()) == [inbound.message]


def test_an_auto_reply_that_matches_nothing_is_kept_but_not_queued_for_a_person(acme, inbound_settings):
    inbound = ingest_raw(
        b"From: a@x.test\nTo: acme@reply.test\nSubject: Out of office\nMessage-ID: <ooo@x.test>\n\nAway\n"
    )

    assert inbound.status == InboundEmail.Status.DISCARDED
    assert inbound.is_auto_reply
    assert not InboundEmail.objects.unmatched().exists()


def test_a_bounce_marks_the_original_bounced_and_the_candidate_undeliverable(sent, seen_events):
    inbound = ingest_raw(sent.mail("bounce_postfix.eml"))

    assert inbound.status == InboundEmail.Status.BOUNCE
    assert inbound.organization == sent.thread.organization
    sent.message.refresh_from_db()
    sent.candidate.refresh_from_db()
    assert sent.message.status == Message.Status.BOUNCED
    assert "User unknown" in sent.message.last_error
    assert sent.candidate.email_undeliverable
    assert events.BOUNCED in [event.kind for event in seen_events]
    assert not Message.objects.incoming().exists()  # a bounce is never a reply


def test_a_bounce_without_the_message_id_is_traced_by_the_reply_token(sent):
    inbound = ingest_raw(sent.mail("bounce_postfix.eml", message_id="<lost-in-transit@x.test>"))

    sent.message.refresh_from_db()
    assert inbound.status == InboundEmail.Status.BOUNCE
    assert sent.message.status == Message.Status.BOUNCED


def test_a_bounce_for_an_unknown_message_is_recorded_only(sent):
    inbound = ingest_raw(sent.mail("bounce_postfix.eml", message_id="<nope@x.test>", token="unknowntoken"))

    sent.message.refresh_from_db()
    assert inbound.status == InboundEmail.Status.BOUNCE
    assert "cannot find" in inbound.error
    assert sent.message.status == Message.Status.QUEUED


def test_a_delayed_delivery_notice_is_not_a_bounce(sent):
    inbound = ingest_raw(sent.mail("dsn_delayed.eml"))

    sent.message.refresh_from_db()
    sent.candidate.refresh_from_db()
    assert inbound.status == InboundEmail.Status.DISCARDED
    assert sent.message.status == Message.Status.QUEUED
    assert not sent.candidate.email_undeliverable


def test_the_raw_mail_is_kept_exactly(sent):
    raw = sent.mail("koi8r_base64_reply.eml")

    inbound = ingest_raw(raw)

    inbound.refresh_from_db()
    assert bytes(inbound.raw) == raw
    assert inbound.message.body_text.startswith("Здравствуйте, Джейн!")


# Hostile mail --------------------------------------------------------------------------------------


def test_garbage_bytes_are_recorded_as_refused(db):
    inbound = ingest_raw(b"\x00\xff\xfe\x80 not a mail")

    assert inbound.status == InboundEmail.Status.REJECTED
    assert "not an e-mail" in inbound.error
    assert ingest_raw(b"\x00\xff\xfe\x80 not a mail").pk == inbound.pk


def test_ten_thousand_parts_still_store_the_mail_and_its_text(sent):
    parts = "".join(f"--b\nContent-Type: text/plain\n\npart {n}\n" for n in range(10_000))
    raw = (
        f"From: a@x.test\nTo: reply+{sent.thread.reply_token}@reply.test\nSubject: many\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=b\n\n"
        f"--b\nContent-Type: text/plain\n\nYes, interested.\n{parts}--b--\n"
    ).encode()

    inbound = ingest_raw(raw)

    assert inbound.status == InboundEmail.Status.MATCHED
    assert inbound.message.body_text == "Yes, interested."
    assert len(bytes(inbound.raw)) == len(raw)


def test_a_header_injection_subject_is_stored_flat(sent):
    raw = (
        f"From: a@x.test\nTo: reply+{sent.thread.reply_token}@reply.test\n".encode()
        + b"Subject: =?utf-8?q?Hi=0D=0ABcc:_victim@example.com?=\n\nHello\n"
    )

    inbound = ingest_raw(raw)

    assert inbound.subject == "Hi Bcc: victim@example.com"
    assert inbound.message.subject == "Hi Bcc: victim@example.com"


def test_a_failure_while_filing_leaves_the_mail_in_unmatched(sent, monkeypatch):
    def broken(**kwargs):
        raise MessagingError("The conversation is closed.")

    monkeypatch.setattr("messaging.inbound.ingest.message_receive", broken)

    inbound = ingest_raw(sent.mail("gmail_reply.eml"))

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.UNMATCHED
    assert inbound.organization == sent.thread.organization
    assert "The conversation is closed." in inbound.error
    assert inbound.body_text.startswith("Hi Jane,")


# Assigning unmatched mail ----------------------------------------------------------------------------


def unmatched_mail(org_slug: str = "acme") -> InboundEmail:
    return ingest_raw(
        f"From: Sam <sam@x.test>\nTo: {org_slug}@reply.test\nSubject: A question\nMessage-ID: <q@x.test>\n\n"
        "Yes, I'm interested in the platform role.\n\nOn Mon, Jan 6, 2025 Jane wrote:\n> old\n".encode()
    )


def test_assigning_attaches_the_mail_to_the_candidates_latest_thread(acme, sent, seen_events):
    inbound = unmatched_mail()

    message = inbound_assign(inbound=inbound, candidate=sent.candidate, user=acme.user)

    assert message.thread == sent.thread
    assert message.body_text == "Yes, I'm interested in the platform role."
    assert message.classification == Message.Classification.INTERESTED
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.ASSIGNED
    assert inbound.message == message and inbound.assigned_by == acme.user
    assert events.REPLY_RECEIVED in [event.kind for event in seen_events]


def test_assigning_to_a_candidate_without_a_thread_starts_one_by_the_candidate(acme, inbound_settings):
    candidate = CandidateFactory(organization=acme.org)
    inbound = unmatched_mail()

    message = inbound_assign(inbound=inbound, candidate=candidate, user=acme.user)

    thread = Thread.objects.get(candidate=candidate)
    assert message.thread == thread
    assert thread.started_by == Thread.StartedBy.CANDIDATE
    assert thread.subject == "A question"


def test_a_later_reply_to_an_assigned_mail_matches_by_its_message_id(acme, sent):
    inbound_assign(inbound=unmatched_mail(), candidate=sent.candidate, user=acme.user)
    raw = b"From: Sam <sam@x.test>\nTo: jane@acme.test\nSubject: Re\nMessage-ID: <q2@x.test>\n"
    raw += b"In-Reply-To: <q@x.test>\n\nMore\n"

    assert ingest_raw(raw).message.thread == sent.thread


def test_assigning_refuses_a_candidate_of_another_organisation(acme, globex, inbound_settings):
    inbound = unmatched_mail("acme")
    stranger = CandidateFactory(organization=globex.org)

    with pytest.raises(MessagingError):
        inbound_assign(inbound=inbound, candidate=stranger, user=globex.user)

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.UNMATCHED
    assert not Message.objects.exists()


def test_assigning_refuses_a_user_outside_the_organisation(acme, inbound_settings):
    candidate = CandidateFactory(organization=acme.org)
    outsider = UserFactory()
    MembershipFactory(user=outsider)  # a member elsewhere

    with pytest.raises(MessagingError):
        inbound_assign(inbound=unmatched_mail(), candidate=candidate, user=outsider)


def test_assigning_twice_is_refused(acme, sent):
    inbound = unmatched_mail()
    inbound_assign(inbound=inbound, candidate=sent.candidate, user=acme.user)

    with pytest.raises(MessagingError):
        inbound_assign(inbound=inbound, candidate=sent.candidate, user=acme.user)
    assert len(incoming(sent.thread)) == 1


def test_tokens_of_another_organisation_file_mail_there_only(acme, globex, inbound_settings):
    theirs = start_conversation(globex)

    inbound = ingest_raw(theirs.mail("android_reply.eml"))

    assert inbound.organization == globex.org
    assert not InboundEmail.objects.for_org(acme.org).exists()


def test_a_mail_to_the_unsubscribe_address_unsubscribes_and_is_not_a_reply(sent, inbound_settings):
    from messaging.links import unsubscribe_token

    token = unsubscribe_token(sent.candidate)
    domain = inbound_settings.INBOUND_EMAIL_DOMAIN
    raw = (
        f"From: {sent.candidate.email}\nTo: unsubscribe+{token}@{domain}\n"
        "Message-ID: <unsub-1@mail.test>\nSubject: unsubscribe\n\nunsubscribe\n"
    ).encode()

    inbound = ingest_raw(raw)

    sent.candidate.refresh_from_db()
    assert sent.candidate.unsubscribed_at is not None
    assert inbound.status == InboundEmail.Status.DISCARDED and inbound.organization == sent.thread.organization
    assert incoming(sent.thread) == []
