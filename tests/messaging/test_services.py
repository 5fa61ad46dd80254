"""The messaging write path: conversations, replies, answers, bounces and bulk sends."""

from __future__ import annotations

import pytest
from django.core import mail

from candidates.consent import consent_record
from candidates.models import Candidate, ConsentRecord, Suppression
from candidates.privacy import candidate_erase, candidate_unsubscribe, suppression_hash
from messaging import bulk, outbox, services
from messaging.models import MAX_BODY_CHARS, Message, Thread
from talentcircles import events
from tests.factories import CandidateFactory, MessageTemplateFactory

PERSONAL = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a 20-minute call "
    "next week to compare notes? No pressure either way."
)


@pytest.fixture
def ana(acme):
    return CandidateFactory(
        organization=acme.org, first_name="Ana", last_name="Silva", current_company="Initech", email="ana@example.net"
    )


def start(acme, candidate, **overrides):
    fields = {"org": acme.org, "candidate": candidate, "recruiter": acme.user, "subject": "Ledgers", "body": PERSONAL}
    return outbox.thread_start(**(fields | overrides))


def test_it_writes_the_thread_and_a_queued_message(acme, ana):
    message = start(acme, ana)

    assert message.status == Message.Status.QUEUED
    assert message.direction == Message.Direction.OUT
    assert message.thread.candidate == ana and message.thread.recruiter == acme.user
    assert message.to_email == "ana@example.net"
    assert message.message_id_header.startswith("<tc.") and message.message_id_header.endswith(">")
    assert len(message.thread.reply_token) == 32
    assert 0 <= message.personalisation_score <= 100


def test_it_delivers_once_committed(acme, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = start(acme, ana)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [m.to for m in mail.outbox] == [["ana@example.net"]]


def test_the_same_idempotency_key_writes_once(acme, ana):
    first = start(acme, ana, idempotency_key="seq:1:1")
    second = start(acme, ana, idempotency_key="seq:1:1")

    assert first.pk == second.pk
    assert Message.objects.count() == 1 and Thread.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"do_not_contact": True}, "do_not_contact"),
        ({"email_undeliverable": True}, "undeliverable"),
        ({"email": ""}, "no_email"),
    ],
)
def test_it_refuses_candidates_who_cannot_be_messaged(acme, ana, change, reason):
    Candidate.objects.filter(pk=ana.pk).update(**change)
    ana.refresh_from_db()

    with pytest.raises(services.NotContactable) as refused:
        start(acme, ana)

    assert refused.value.reason == reason
    assert "Ana Silva can't be messaged" in str(refused.value)
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_it_refuses_the_unsubscribed_the_erased_and_those_who_withdrew_consent(acme):
    unsubscribed, erased, withdrew = CandidateFactory.create_batch(3, organization=acme.org)
    candidate_unsubscribe(candidate=unsubscribed, source=ConsentRecord.Source.RECRUITER)
    candidate_erase(candidate=erased, source=ConsentRecord.Source.RECRUITER)
    consent_record(
        candidate=withdrew, purpose=ConsentRecord.Purpose.MESSAGES, granted=False, source=ConsentRecord.Source.PORTAL
    )

    for candidate, reason in [(unsubscribed, "unsubscribed"), (erased, "erased"), (withdrew, "no_consent")]:
        candidate.refresh_from_db()
        with pytest.raises(services.NotContactable) as refused:
            start(acme, candidate)
        assert refused.value.reason == reason
    assert not Message.objects.exists()


def test_a_suppressed_address_is_refused_even_on_a_new_record(acme):
    candidate = CandidateFactory(organization=acme.org, email="gone@example.net")
    Suppression.objects.create(
        organization=acme.org, email_hash=suppression_hash("Gone@Example.net"), reason=Suppression.Reason.ERASED
    )

    assert services.skip_reason(candidate) == "suppressed"


def test_skip_reasons_takes_one_query_whatever_the_number(acme, django_assert_num_queries):
    CandidateFactory.create_batch(30, organization=acme.org)
    Candidate.objects.filter(pk__in=Candidate.objects.values("pk")[:5]).update(do_not_contact=True)

    with django_assert_num_queries(1):
        reasons = services.skip_reasons(org=acme.org, candidates=Candidate.objects.all())

    assert sorted(reasons.values()) == ["do_not_contact"] * 5


def test_skip_reasons_ignores_other_organisations(acme, globex):
    theirs = CandidateFactory(organization=globex.org, do_not_contact=True)

    assert services.skip_reasons(org=acme.org, candidates=[theirs]) == {}


def test_it_refuses_another_organisations_candidate(acme, globex):
    theirs = CandidateFactory(organization=globex.org)

    with pytest.raises(services.MessagingError) as refused:
        start(acme, theirs)

    assert refused.value.field == "candidate"


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"subject": "  "}, "subject", "Write a subject"),
        ({"subject": "Hello\r\nBcc: everyone@example.com"}, "subject", "one line"),
        ({"subject": "x" * 201}, "subject", "under 200"),
        ({"body": ""}, "body", "Write a message"),
        ({"body": "x" * (MAX_BODY_CHARS + 1)}, "body", "50,000"),
    ],
)
def test_bad_input_is_named_and_writes_nothing(acme, ana, overrides, field, text):
    with pytest.raises(services.MessagingError) as refused:
        start(acme, ana, **overrides)

    assert refused.value.field == field and text in refused.value.message
    assert not Thread.objects.exists()


def test_a_reply_in_the_thread_carries_the_threading_headers(acme, ana):
    first = start(acme, ana)
    second = outbox.message_reply(thread=first.thread, sender=acme.user, body=PERSONAL + " Following up.")

    assert second.subject == "Re: Ledgers"
    assert second.in_reply_to == first.message_id_header
    assert second.references == first.message_id_header
    third = outbox.message_reply(thread=first.thread, sender=acme.user, body=PERSONAL + " Last one.")
    assert third.references == f"{first.message_id_header} {second.message_id_header}"


def test_receiving_an_answer_emits_reply_received(acme, ana, seen_events):
    thread = start(acme, ana).thread

    reply = services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="Happy to talk!", classification="interested"
    )

    assert reply.status == Message.Status.RECEIVED and reply.classification == "interested"
    kinds = [event.kind for event in seen_events]
    assert events.REPLY_RECEIVED in kinds
    answered = next(e for e in seen_events if e.kind == events.REPLY_RECEIVED)
    assert answered.related == {"message_id": reply.pk, "thread_id": thread.pk}
    thread.refresh_from_db()
    assert thread.last_inbound_at == reply.received_at
    assert list(Message.objects.answers()) == [reply]


def test_an_auto_reply_is_not_an_answer(acme, ana, seen_events):
    thread = start(acme, ana).thread

    auto = services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="I am out of office", is_auto_reply=True
    )

    assert auto.classification == ""
    assert [e.kind for e in seen_events if e.kind.startswith("message.")] == [events.AUTO_REPLY_RECEIVED]
    assert not Message.objects.answers().exists()
    thread.refresh_from_db()
    assert thread.last_inbound_at is None


def test_a_bounce_marks_the_message_and_the_address_once(acme, ana, seen_events):
    message = start(acme, ana)

    assert services.message_bounce(message=message, reason="550 5.1.1 no such user") is True
    assert services.message_bounce(message=message, reason="550 5.1.1 no such user") is False

    message.refresh_from_db()
    ana.refresh_from_db()
    assert message.status == Message.Status.BOUNCED and "no such user" in message.last_error
    assert ana.email_undeliverable is True
    assert services.skip_reason(ana) == "undeliverable"
    assert [e.kind for e in seen_events].count(events.BOUNCED) == 1


def test_bulk_compose_renders_checks_and_queues_each_candidate(acme, django_capture_on_commit_callbacks):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    ready = CandidateFactory.create_batch(3, organization=acme.org, current_title="Data Engineer")
    blocked = CandidateFactory(organization=acme.org, do_not_contact=True)
    no_title = CandidateFactory(organization=acme.org)
    template.body = "Hi {{ candidate.first_name }}, about your work as {{ candidate.current_title }}."

    with django_capture_on_commit_callbacks(execute=True):
        result = bulk.bulk_compose(
            org=acme.org,
            recruiter=acme.user,
            candidates=Candidate.objects.all(),
            subject=template.subject,
            body=template.body,
            template=template,
        )

    assert sorted(r.candidate.pk for r in result.ready) == sorted(c.pk for c in ready)
    assert [(r.candidate, r.problem) for r in result.skipped] == [(blocked, services.SKIP_REASONS["do_not_contact"])]
    assert [r.candidate for r in result.failed] == [no_title]
    assert "current_title" in result.failed[0].problem
    assert len(result.messages) == 3 and len(mail.outbox) == 3
    assert {m.thread.origin for m in result.messages} == {Thread.Origin.BULK}
    first = result.ready[0]
    assert first.body == f"Hi {first.candidate.first_name}, about your work as Data Engineer."


def test_bulk_compose_preview_writes_nothing(acme):
    CandidateFactory.create_batch(2, organization=acme.org, current_company="Initech")

    result = bulk.bulk_compose(
        org=acme.org,
        recruiter=acme.user,
        candidates=Candidate.objects.all(),
        subject="Hello",
        body="Hi {{ candidate.first_name }}, how is {{ candidate.current_company }}?",
        preview_only=True,
    )

    assert len(result.ready) == 2 and result.messages == []
    assert not Message.objects.exists()


def test_bulk_compose_holds_drafts_under_the_organisations_minimum(acme):
    acme.org.bulk_min_score = 100
    acme.org.save()
    CandidateFactory.create_batch(2, organization=acme.org)

    result = bulk.bulk_compose(
        org=acme.org,
        recruiter=acme.user,
        candidates=Candidate.objects.all(),
        subject="Exciting opportunity",
        body="Dear candidate, I came across your profile. Exciting opportunity!",
    )

    assert len(result.held) == 2 and not result.ready and not Message.objects.exists()
    assert "asks at least 100" in result.held[0].problem


def test_bulk_compose_skips_final_stages(acme):
    hired = CandidateFactory(organization=acme.org, current_company="Initech", stage=Candidate.Stage.HIRED)

    result = bulk.bulk_compose(
        org=acme.org,
        recruiter=acme.user,
        candidates=Candidate.objects.all(),
        subject="Hello",
        body="Hi {{ candidate.first_name }}, how is {{ candidate.current_company }}?",
    )

    assert [(r.candidate, r.problem) for r in result.skipped] == [(hired, services.SKIP_REASONS["final_stage"])]


def test_bulk_sends_wait_while_a_guard_pauses_the_recruiter(acme):
    from talentcircles import guards

    CandidateFactory(organization=acme.org, current_company="Initech")

    def paused(org, recruiter):
        return "Your bulk sends are paused until 3 December." if recruiter == acme.user else None

    guards.register_bulk_send_guard(paused)
    try:
        draft = {"subject": "Hello", "body": "Hi {{ candidate.first_name }}, how is {{ candidate.current_company }}?"}
        preview = bulk.bulk_compose(
            org=acme.org, recruiter=acme.user, candidates=Candidate.objects.all(), preview_only=True, **draft
        )
        with pytest.raises(services.MessagingError, match="paused until 3 December"):
            bulk.bulk_compose(org=acme.org, recruiter=acme.user, candidates=Candidate.objects.all(), **draft)
    finally:
        guards.unregister_bulk_send_guard(paused)

    assert len(preview.ready) == 1
    assert not Message.objects.exists()
