"""Delivery in batches and the bulk writer: one claim, one connection, one mark, a fixed number of queries."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_unsubscribe
from engagement.timeline.models import Activity
from messaging import delivery, envelope, links, outbox, recovery, services, tasks
from messaging.models import Message, Thread
from messaging.outbox import OutgoingDraft, messages_write_many
from talentcircles import events
from tests.factories import CandidateFactory

BODY = "Hi {name},\n\nYour compiler work caught my eye. Open to a call next week?\n\nGrace"


def people(acme, count: int) -> list[Candidate]:
    """`count` new candidates, numbered on from those made before in the test (ada0@, ada1@, …)."""
    start = Candidate.objects.filter(email__startswith="ada").count()
    return [
        CandidateFactory(organization=acme.org, first_name=f"Ada{i}", email=f"ada{i}@example.net")
        for i in range(start, start + count)
    ]


def drafts(acme, candidates, **fields) -> list[OutgoingDraft]:
    return [
        OutgoingDraft(
            candidate=c, sender=acme.user, subject="Compilers at Acme", body=BODY.format(name=c.first_name), **fields
        )
        for c in candidates
    ]


def written(acme, count: int) -> list[Message]:
    """`count` queued messages written through the bulk writer (their delivery is not run)."""
    return [w.message for w in messages_write_many(org=acme.org, drafts=drafts(acme, people(acme, count)))]


def queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


# --- Delivery --------------------------------------------------------------------------------


def test_it_sends_a_batch_through_one_connection_and_marks_every_message_sent(acme, seen_events, monkeypatch):
    messages = written(acme, 3)
    opened = []
    real = delivery.get_connection
    monkeypatch.setattr(delivery, "get_connection", lambda **kw: opened.append(1) or real(**kw))

    result = delivery.messages_deliver([m.pk for m in messages])

    assert result.counts() == {"sent": 3} and len(opened) == 1
    assert sorted(e.to[0] for e in mail.outbox) == ["ada0@example.net", "ada1@example.net", "ada2@example.net"]
    for message in messages:
        message.refresh_from_db()
        assert message.status == Message.Status.SENT and message.attempts == 1
        assert message.from_email.endswith("<noreply@localhost>") and message.to_email.startswith("ada")
    sent = [e for e in seen_events if e.kind == events.MESSAGE_SENT]
    assert sorted(e.related["message_id"] for e in sent) == sorted(m.pk for m in messages)


def test_a_batch_costs_fixed_queries_plus_the_same_few_per_message(acme):
    # Each message is handed over and marked sent on its own (a worker dying at any moment leaves at
    # most the message in flight unrecorded): two statements a message; the rest is per batch.
    one, two, five = written(acme, 1), written(acme, 2), written(acme, 5)

    q1, q2, q5 = (
        queries(lambda batch=batch: delivery.messages_deliver([m.pk for m in batch])) for batch in (one, two, five)
    )

    per_message = q2 - q1
    assert q5 - q2 == 3 * per_message and per_message == 2
    assert len(mail.outbox) == 8


def test_sent_messages_reach_the_timeline_the_stage_and_one_strength_task(acme, monkeypatch):
    messages = written(acme, 3)
    refreshed: list[list[int]] = []
    from engagement.timeline import tasks as engagement_tasks

    monkeypatch.setattr(engagement_tasks.relationships_refresh_many_task, "delay", refreshed.append)

    delivery.messages_deliver([m.pk for m in messages])

    for message in messages:
        message.refresh_from_db()
        candidate = Candidate.objects.get(pk=message.candidate_id)
        assert candidate.stage == Candidate.Stage.CONTACTED
        assert candidate.last_contacted_at == message.sent_at
        assert Activity.objects.filter(message_id=message.pk, kind=Activity.Kind.MESSAGE_OUT).count() == 1
        assert Activity.objects.filter(candidate=candidate, kind=Activity.Kind.STAGE_CHANGE).count() == 1
    # Queued on commit: the test's transaction never commits, so run what was registered.
    for _sids, callback, _robust in connection.run_on_commit:
        callback()
    assert refreshed == [[m.candidate_id for m in messages]]


def test_the_footer_rendered_once_gives_what_the_templates_render(acme, settings):
    settings.SITE_URL = "https://talent.example.com"
    message = written(acme, 1)[0]
    Message.objects.filter(pk=message.pk).update(body_text="Hi <b>Ada</b> & co,\n\nline\ntwo\n\n\nthree")
    message = Message.objects.select_related("candidate", "organization", "sender", "thread").get(pk=message.pk)
    context = {
        "body": message.body_text,
        "org": message.organization,
        "recruiter_name": message.sender.get_full_name() or message.sender.email,
        "interested_url": links.response_url(message, Message.Classification.INTERESTED),
        "not_interested_url": links.response_url(message, Message.Classification.NOT_INTERESTED),
        "unsubscribe_url": links.unsubscribe_url(message.candidate),
    }
    renderer = envelope.BodyRenderer()

    for _twice in range(2):  # the second time from the cached skeleton
        text, html = renderer.render(message)
        assert text == render_to_string("emails/message_body.txt", context)
        assert html == render_to_string("emails/message_body.html", context)
    email = envelope.build_email(message, renderer=renderer)
    token = links.unsubscribe_token(message.candidate)
    assert email.extra_headers["List-Unsubscribe"] == (
        f"<https://talent.example.com/u/{token}>, <{links.unsubscribe_mailto(message.candidate)}>"
    )


def test_one_bad_message_fails_alone_and_the_rest_go(acme):
    good, bad = written(acme, 2)
    Candidate.objects.filter(pk=bad.candidate_id).update(email="ada@example.net\nBcc: all@example.org")

    result = delivery.messages_deliver([good.pk, bad.pk])

    assert result.outcomes == {good.pk: delivery.SENT, bad.pk: delivery.FAILED}
    assert [e.to for e in mail.outbox] == [["ada0@example.net"]]


def test_a_temporary_failure_is_queued_again_and_the_task_retries_that_message_alone(acme, monkeypatch):
    first, second = written(acme, 2)
    real_send = delivery._Backend.send

    def flaky(self, email):
        if email.to == ["ada1@example.net"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, email)

    monkeypatch.setattr(delivery._Backend, "send", flaky)
    retries: list[tuple] = []
    monkeypatch.setattr(tasks.deliver_message, "apply_async", lambda args, countdown: retries.append((args, countdown)))

    counts = tasks.deliver_messages([first.pk, second.pk])  # run as a worker runs it, not eagerly

    assert counts == {"sent": 1, "retry": 1}
    second.refresh_from_db()
    assert second.status == Message.Status.QUEUED and second.next_attempt_at is not None
    assert [args for args, _countdown in retries] == [(second.pk,)]
    assert 0 < retries[0][1] <= delivery.BACKOFF_BASE.total_seconds()


def test_it_cancels_who_may_no_longer_be_contacted_and_answered_follow_ups(acme):
    plain, unsubscribed, follow_up = written(acme, 3)
    candidate_unsubscribe(
        candidate=Candidate.objects.get(pk=unsubscribed.candidate_id), source=ConsentRecord.Source.UNSUBSCRIBE_LINK
    )
    Message.objects.filter(pk=follow_up.pk).update(automated=True)
    services.message_receive(thread=follow_up.thread, channel=Message.Channel.EMAIL, body_text="Yes, let's talk!")

    result = delivery.messages_deliver([plain.pk, unsubscribed.pk, follow_up.pk])

    assert result.outcomes == {plain.pk: "sent", unsubscribed.pk: "cancelled", follow_up.pk: "cancelled"}
    assert Message.objects.get(pk=unsubscribed.pk).last_error == "Not sent: Unsubscribed from all messages"
    assert "answered" in Message.objects.get(pk=follow_up.pk).last_error
    assert len(mail.outbox) == 1


def test_a_batch_run_twice_or_with_unknown_ids_sends_each_message_once(acme):
    messages = written(acme, 2)
    ids = [m.pk for m in messages]
    incoming = services.message_receive(thread=messages[0].thread, channel=Message.Channel.EMAIL, body_text="Hi")

    assert delivery.messages_deliver([*ids, incoming.pk, 999_999]).counts() == {"sent": 2, "skipped": 2}
    assert delivery.messages_deliver(ids).counts() == {"skipped": 2}
    assert len(mail.outbox) == 2


def test_the_sweep_picks_up_a_retry_whose_task_was_lost(acme, django_capture_on_commit_callbacks):
    message = written(acme, 1)[0]
    Message.objects.filter(pk=message.pk).update(
        attempts=1, last_error="421", next_attempt_at=timezone.now() - delivery.RETRY_GRACE - timedelta(seconds=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 1

    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


def test_a_retry_just_due_is_left_to_its_own_task(acme):
    message = written(acme, 1)[0]
    Message.objects.filter(pk=message.pk).update(attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=5))

    assert recovery.messages_sweep() == 0


# --- Queuing ---------------------------------------------------------------------------------


def test_the_ids_of_one_write_are_queued_in_batches_on_commit(acme, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbox, "DELIVERY_BATCH", 2)
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_messages, "apply_async", lambda args, **_options: queued.append(args[0]))

    with django_capture_on_commit_callbacks(execute=True):
        messages = written(acme, 5)

    assert queued == [[m.pk for m in messages[:2]], [m.pk for m in messages[2:4]], [messages[4].pk]]


# --- The bulk writer -------------------------------------------------------------------------


def test_the_bulk_writer_writes_threads_and_queued_messages_with_a_fixed_number_of_queries(acme):
    few, many = people(acme, 2), people(acme, 6)

    assert queries(lambda: messages_write_many(org=acme.org, drafts=drafts(acme, few))) == queries(
        lambda: messages_write_many(org=acme.org, drafts=drafts(acme, many))
    )
    message = Message.objects.get(candidate=many[0])
    assert message.status == Message.Status.QUEUED and message.thread.candidate == many[0]
    assert message.message_id_header.startswith("<tc.") and message.personalisation_score is not None
    assert message.body_fingerprint and message.thread.subject == "Compilers at Acme"


def test_an_idempotency_key_written_before_returns_that_message(acme):
    candidate = people(acme, 1)[0]
    first = messages_write_many(org=acme.org, drafts=drafts(acme, [candidate], idempotency_key="k1"))[0]

    again = messages_write_many(org=acme.org, drafts=drafts(acme, [candidate], idempotency_key="k1"))[0]

    assert again.existing and again.message.pk == first.message.pk
    assert Message.objects.count() == 1 and Thread.objects.count() == 1


def test_a_key_written_by_a_concurrent_writer_is_kept_and_our_thread_dropped(acme, monkeypatch):
    mine, theirs = people(acme, 2)
    other = messages_write_many(org=acme.org, drafts=drafts(acme, [theirs], idempotency_key="race"))[0].message
    # As if the other writer committed between our look-up of the keys and our insert.
    monkeypatch.setattr(outbox, "_by_key", _blind_first_time(outbox._by_key))

    results = messages_write_many(
        org=acme.org,
        drafts=drafts(acme, [mine], idempotency_key="new") + drafts(acme, [theirs], idempotency_key="race"),
    )

    assert not results[0].existing and results[0].message.pk
    assert results[1].existing and results[1].message.pk == other.pk
    assert Message.objects.count() == 2 and Thread.objects.count() == 2


def _blind_first_time(real):
    calls = []

    def by_key(org, keys):
        calls.append(1)
        return {} if len(calls) == 1 else real(org, keys)

    return by_key


def test_each_draft_has_its_own_problem(acme, globex):
    fine, unsubscribed = people(acme, 2)
    Candidate.objects.filter(pk=unsubscribed.pk).update(do_not_contact=True)
    foreign = CandidateFactory(organization=globex.org)
    batch = drafts(acme, [fine, unsubscribed, foreign])
    batch[0].body = "   "

    results = messages_write_many(org=acme.org, drafts=batch)

    assert [r.problem.field for r in results] == ["body", "candidate", "candidate"]
    assert isinstance(results[1].problem, services.NotContactable)
    assert Message.objects.count() == 0


def test_replies_carry_the_conversations_headers(acme):
    first = written(acme, 1)[0]
    reply_draft = OutgoingDraft(candidate=first.candidate, sender=acme.user, body="Following up", thread=first.thread)

    reply = messages_write_many(org=acme.org, drafts=[reply_draft])[0].message

    assert reply.thread_id == first.thread_id and reply.subject == "Re: Compilers at Acme"
    assert reply.in_reply_to == first.message_id_header == reply.references


@pytest.mark.parametrize("count", [1, 3])
def test_the_single_path_still_works_through_the_batch(acme, count):
    messages = written(acme, count)

    assert [delivery.message_deliver(m.pk) for m in messages] == [delivery.SENT] * count
    assert delivery.message_deliver(messages[0].pk) == delivery.SKIPPED
