"""What messaging reports becomes the timeline, the stage and the last-contact times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.merge import candidate_merge
from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_erase, export_my_data
from engagement.timeline.models import Activity
from messaging import outbox, services
from messaging.models import InboundEmail, Message, Thread
from tests.factories import CandidateFactory

BODY = (
    "Hi Ana, your reconciliation work at Initech is exactly the problem our ledger team has. "
    "Would a short call next week suit you?"
)


@pytest.fixture
def ana(acme):
    return CandidateFactory(organization=acme.org, first_name="Ana", last_name="Silva", current_company="Initech")


def send(acme, candidate, capture):
    with capture(execute=True):
        return outbox.thread_start(org=acme.org, candidate=candidate, recruiter=acme.user, subject="Ledgers", body=BODY)


def kinds(candidate) -> list[str]:
    return list(
        Activity.objects.filter(candidate=candidate).order_by("occurred_at", "id").values_list("kind", flat=True)
    )


def test_a_sent_message_is_on_the_timeline_and_moves_new_to_contacted(acme, ana, django_capture_on_commit_callbacks):
    message = send(acme, ana, django_capture_on_commit_callbacks)

    ana.refresh_from_db()
    message.refresh_from_db()
    assert ana.stage == Candidate.Stage.CONTACTED
    assert ana.last_contacted_at == message.sent_at
    sent = Activity.objects.get(candidate=ana, kind=Activity.Kind.MESSAGE_OUT)
    assert sent.message_id == message.pk and sent.summary == "Sent “Ledgers”"
    assert sent.actor == acme.user
    assert Activity.Kind.STAGE_CHANGE in kinds(ana)


def test_a_first_send_never_moves_last_contacted_back(acme, ana, django_capture_on_commit_callbacks):
    # The stage move and the last-contacted time are one UPDATE: a later contact already recorded stays.
    later = timezone.now() + timedelta(hours=2)
    Candidate.objects.filter(pk=ana.pk).update(last_contacted_at=later)

    send(acme, ana, django_capture_on_commit_callbacks)

    ana.refresh_from_db()
    assert ana.stage == Candidate.Stage.CONTACTED and ana.last_contacted_at == later


def test_a_batch_moves_new_candidates_and_only_times_the_others(acme, ana, django_capture_on_commit_callbacks):
    engaged = CandidateFactory(organization=acme.org, stage=Candidate.Stage.ENGAGED)
    first = send(acme, ana, django_capture_on_commit_callbacks)
    second = send(acme, engaged, django_capture_on_commit_callbacks)

    ana.refresh_from_db()
    engaged.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (ana.stage, ana.last_contacted_at) == (Candidate.Stage.CONTACTED, first.sent_at)
    assert (engaged.stage, engaged.last_contacted_at) == (Candidate.Stage.ENGAGED, second.sent_at)


def test_a_queued_message_is_not_a_contact_yet(acme, ana):
    outbox.thread_start(org=acme.org, candidate=ana, recruiter=acme.user, subject="Ledgers", body=BODY)

    ana.refresh_from_db()
    assert ana.stage == Candidate.Stage.NEW and ana.last_contacted_at is None
    assert kinds(ana) == []


def test_a_reply_moves_contacted_to_engaged(acme, ana, django_capture_on_commit_callbacks):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread

    reply = services.message_receive(thread=thread, channel=Message.Channel.EMAIL, body_text="Yes, Tuesday works.")

    ana.refresh_from_db()
    assert ana.stage == Candidate.Stage.ENGAGED
    assert ana.last_replied_at == reply.received_at
    answer = Activity.objects.get(candidate=ana, kind=Activity.Kind.REPLY_IN)
    assert answer.message_id == reply.pk and answer.summary == "Replied by e-mail to “Ledgers”"


def test_a_reply_never_moves_a_stage_back(acme, ana, django_capture_on_commit_callbacks):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread
    Candidate.objects.filter(pk=ana.pk).update(stage=Candidate.Stage.APPLIED)

    services.message_receive(thread=thread, channel=Message.Channel.PORTAL, body_text="Any news?")

    ana.refresh_from_db()
    assert ana.stage == Candidate.Stage.APPLIED


def test_an_auto_reply_is_on_the_timeline_but_changes_nothing(acme, ana, django_capture_on_commit_callbacks):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread

    services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="Away", subject="Out of office", is_auto_reply=True
    )

    ana.refresh_from_db()
    assert ana.stage == Candidate.Stage.CONTACTED and ana.last_replied_at is None
    assert (
        Activity.objects.get(candidate=ana, kind=Activity.Kind.AUTO_REPLY).summary == "Automatic reply: “Out of office”"
    )


@pytest.mark.parametrize(
    ("classification", "stage"),
    [("interested", Candidate.Stage.INTERESTED), ("not_interested", Candidate.Stage.NOT_INTERESTED)],
)
def test_a_one_click_answer_sets_the_stage(acme, ana, django_capture_on_commit_callbacks, classification, stage):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread

    services.message_receive(
        thread=thread, channel=Message.Channel.CLICK, body_text="Clicked", classification=classification
    )

    ana.refresh_from_db()
    assert ana.stage == stage
    assert ana.last_replied_at is not None


def test_a_bounce_is_on_the_timeline(acme, ana, django_capture_on_commit_callbacks):
    message = send(acme, ana, django_capture_on_commit_callbacks)

    services.message_bounce(message=message, reason="550 no such user")

    assert Activity.Kind.BOUNCE in kinds(ana)


def test_erasure_keeps_the_counts_and_drops_every_word(acme, ana, django_capture_on_commit_callbacks):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread
    reply = services.message_receive(thread=thread, channel=Message.Channel.EMAIL, body_text="Call me: +44 7700")
    InboundEmail.objects.create(
        organization=acme.org, status="matched", dedup_key="<x@y>", raw=b"From: ana@example.net", message=reply
    )

    candidate_erase(candidate=ana, source=ConsentRecord.Source.RECRUITER)

    assert Message.objects.filter(candidate=ana).count() == 2
    assert not Message.objects.filter(candidate=ana).exclude(body_text="", subject="", to_email="").exists()
    assert Thread.objects.get(pk=thread.pk).subject == "(erased)"
    assert not InboundEmail.objects.exists()


def test_a_merge_keeps_the_conversations(acme, ana, django_capture_on_commit_callbacks):
    duplicate = CandidateFactory(organization=acme.org, first_name="Ana", last_name="Silva")
    thread = send(acme, duplicate, django_capture_on_commit_callbacks).thread

    candidate_merge(org=acme.org, keep=ana, other=duplicate, choices={}, actor=acme.user)

    thread.refresh_from_db()
    assert thread.candidate == ana
    assert set(Message.objects.values_list("candidate_id", flat=True)) == {ana.pk}


def test_my_data_holds_the_conversations(acme, ana, django_capture_on_commit_callbacks):
    thread = send(acme, ana, django_capture_on_commit_callbacks).thread
    services.message_receive(thread=thread, channel=Message.Channel.PORTAL, body_text="Sounds good")

    data = export_my_data(ana)

    [conversation] = data["conversations"]
    assert conversation["subject"] == "Ledgers"
    assert [m["direction"] for m in conversation["messages"]] == ["out", "in"]


def test_a_batch_of_sent_messages_is_handled_together_in_order(acme, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from talentcircles import events

    def sent(candidate, at) -> events.CandidateEvent:
        return events.CandidateEvent(
            organization_id=acme.org.pk, candidate_id=candidate.pk, kind=events.MESSAGE_SENT, occurred_at=at,
            actor_id=acme.user.pk, details={"subject": "Ledgers"},
        )  # fmt: skip

    def cost(count: int) -> int:
        at = timezone.now()  # a delivery batch marks its messages sent at one time
        batch = [sent(CandidateFactory(organization=acme.org), at) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            events.emit_many(batch)
        return len(captured.captured_queries)

    assert cost(2) == cost(6)
    # A reply after the send in the same batch still moves contacted → engaged, in that order.
    person, now = CandidateFactory(organization=acme.org), timezone.now()
    reply = events.CandidateEvent(
        organization_id=acme.org.pk, candidate_id=person.pk, kind=events.REPLY_RECEIVED, occurred_at=now,
        details={"subject": "Ledgers", "channel": "email"},
    )  # fmt: skip
    events.emit_many([sent(person, now), sent(person, now), reply])
    person.refresh_from_db()
    assert person.stage == Candidate.Stage.ENGAGED and person.last_contacted_at == now
    stages = Activity.objects.filter(candidate=person, kind=Activity.Kind.STAGE_CHANGE).order_by("id")
    assert [a.summary for a in stages] == ["Stage: New → Contacted", "Stage: Contacted → Engaged"]
    assert kinds(person).count(Activity.Kind.MESSAGE_OUT) == 2


def test_a_merge_moves_enrollments_and_keeps_one_per_sequence(acme):
    from engagement.sequences.models import Enrollment
    from tests.engagement.sequence_support import candidate, enrol, make_sequence

    kept, merged = candidate(acme, first_name="Ana"), candidate(acme, first_name="Ana")
    shared, only_merged = make_sequence(acme, name="Shared"), make_sequence(acme, name="Only merged")
    enrol(acme, shared, [kept, merged])
    enrol(acme, only_merged, [merged])

    candidate_merge(org=acme.org, keep=kept, other=merged, choices={}, actor=acme.user)

    states = sorted(
        (e.sequence.name, e.state) for e in Enrollment.objects.filter(candidate=kept).select_related("sequence")
    )
    assert states == [("Only merged", "active"), ("Shared", "active"), ("Shared", "stopped")]
