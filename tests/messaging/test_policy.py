"""The contact policy (messaging/policy.py): each rule, each purpose, and one query batch for many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from candidates.models import Candidate
from candidates.privacy import candidate_unsubscribe
from messaging import outbox, policy
from messaging.models import Message
from messaging.policy import Purpose, contact_decision, contact_decisions
from messaging.services import message_receive
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
BODY = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a short call?"
)


@pytest.fixture
def ana(acme):
    return CandidateFactory(organization=acme.org, first_name="Ana", current_company="Initech")


@pytest.fixture
def dana(acme):
    user = UserFactory(first_name="Dana", last_name="Smith", email="dana@acme.example")
    MembershipFactory(user=user, organization=acme.org)
    return user


def write(acme, candidate, sender, at, **kwargs):
    """A recruiter's message through the real write path, dated `at`."""
    message = outbox.thread_start(
        org=acme.org, candidate=candidate, recruiter=sender, subject="Ledgers", body=BODY, override=True, **kwargs
    )
    Message.objects.filter(pk=message.pk).update(created_at=at)
    return message


def reply(message, at):
    return message_receive(thread=message.thread, channel="email", body_text="Happy to talk!", received_at=at)


def codes(decision) -> list[str]:
    return [r.code for r in decision.reasons]


def decide(acme, candidate, purpose, now=NOW, **kwargs):
    return contact_decision(org=acme.org, candidate=candidate, purpose=purpose, now=now, **kwargs)


# --- The existing rules ----------------------------------------------------------------------------


def test_a_fresh_candidate_may_be_contacted_for_every_purpose(acme, ana):
    for purpose in Purpose:
        assert decide(acme, ana, purpose).may_contact


def test_the_hard_blocks_apply_to_every_purpose_and_cannot_be_overridden(acme, ana):
    candidate_unsubscribe(candidate=ana, source="unsubscribe_link")
    for purpose in Purpose:
        decision = decide(acme, ana, purpose)
        assert codes(decision) == ["unsubscribed"] and decision.blocked


def test_a_final_stage_blocks_bulk_and_sequences_but_not_one_to_one_or_community(acme, ana):
    Candidate.objects.filter(pk=ana.pk).update(stage=Candidate.Stage.HIRED)
    blocked = {p for p in Purpose if not decide(acme, ana, p).may_contact}
    assert blocked == {Purpose.BULK, Purpose.SEQUENCE, Purpose.SEQUENCE_STEP}


# --- Live conversation -------------------------------------------------------------------------------


def test_an_unanswered_reply_is_a_live_conversation_whenever_it_came(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=60))
    reply(message, NOW - timedelta(days=40))

    decision = decide(acme, ana, Purpose.BULK)

    [reason] = decision.reasons
    assert reason.code == "in_conversation" and reason.thread_id == message.thread_id
    assert reason.detail == "In a conversation with Dana Smith: replied on 27 Oct 2026, not answered yet."


def test_an_answered_reply_stays_live_for_the_organisations_days(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=20))
    reply(message, NOW - timedelta(days=10))
    answer = outbox.message_reply(thread=message.thread, sender=dana, body=BODY)
    Message.objects.filter(pk=answer.pk).update(created_at=NOW - timedelta(days=9))

    assert codes(decide(acme, ana, Purpose.SEQUENCE)) == ["in_conversation"]
    assert decide(acme, ana, Purpose.SEQUENCE, now=NOW + timedelta(days=5)).may_contact
    acme.org.active_conversation_days = 30
    assert codes(decide(acme, ana, Purpose.SEQUENCE, now=NOW + timedelta(days=5))) == ["in_conversation"]


def test_only_the_conversations_recruiter_writes_in_it_without_a_warning(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=30))
    reply(message, NOW - timedelta(days=1))
    thread_id = message.thread_id

    assert decide(acme, ana, Purpose.ONE_TO_ONE, recruiter=dana, thread_id=thread_id).may_contact
    colleague = decide(acme, ana, Purpose.ONE_TO_ONE, recruiter=acme.user, thread_id=thread_id)
    elsewhere = decide(acme, ana, Purpose.ONE_TO_ONE, recruiter=dana, thread_id=None)
    for decision in (colleague, elsewhere):
        [reason] = decision.reasons
        assert (reason.code, reason.overridable, reason.thread_id) == ("in_conversation", True, thread_id)
        assert not decision.blocked


def test_auto_replies_are_not_a_conversation(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=30))
    message_receive(thread=message.thread, channel="email", body_text="Out of office", is_auto_reply=True)
    assert decide(acme, ana, Purpose.BULK).may_contact


# --- Cooldown ------------------------------------------------------------------------------------------


def test_the_cooldown_names_who_contacted_them_and_when(acme, ana, dana):
    write(acme, ana, dana, NOW - timedelta(days=3))

    [reason] = decide(acme, ana, Purpose.BULK).reasons
    assert (reason.code, reason.detail) == ("cooldown", "Contacted by Dana Smith on 3 Dec 2026.")
    assert codes(decide(acme, ana, Purpose.SEQUENCE)) == ["cooldown"]
    assert decide(acme, ana, Purpose.BULK, now=NOW + timedelta(days=5)).may_contact


def test_the_cooldown_warns_a_new_one_to_one_conversation_only(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=1))

    assert decide(acme, ana, Purpose.ONE_TO_ONE, recruiter=acme.user).reasons[0].overridable
    assert decide(acme, ana, Purpose.ONE_TO_ONE, recruiter=dana, thread_id=message.thread_id).may_contact


def test_the_cooldown_is_a_setting_and_zero_turns_it_off(acme, ana, dana):
    write(acme, ana, dana, NOW - timedelta(days=3))
    acme.org.contact_cooldown_days = 2
    assert decide(acme, ana, Purpose.BULK).may_contact
    acme.org.contact_cooldown_days = 0
    assert decide(acme, ana, Purpose.BULK).may_contact


def test_a_message_that_never_went_out_is_not_a_contact(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(days=1))
    Message.objects.filter(pk=message.pk).update(status=Message.Status.CANCELLED)
    assert decide(acme, ana, Purpose.BULK).may_contact


# --- Automated messages per day --------------------------------------------------------------------


def test_one_automated_message_per_candidate_per_day_across_sequences(acme, ana, dana):
    write(acme, ana, dana, NOW - timedelta(hours=2), automated=True)

    decision = decide(acme, ana, Purpose.SEQUENCE_STEP)
    assert codes(decision) == ["automated_today"] and decision.automated_today == 1
    assert decide(acme, ana, Purpose.SEQUENCE_STEP, now=NOW + timedelta(days=1)).may_contact
    acme.org.automated_messages_per_day = 2
    assert decide(acme, ana, Purpose.SEQUENCE_STEP).may_contact


# --- Community and the batch ---------------------------------------------------------------------


def test_community_mail_ignores_conversations_cooldown_and_automation(acme, ana, dana):
    message = write(acme, ana, dana, NOW - timedelta(hours=3), automated=True)
    reply(message, NOW - timedelta(hours=1))

    assert decide(acme, ana, Purpose.COMMUNITY).may_contact
    assert list(policy.community_recipients(Candidate.objects.filter(pk=ana.pk))) == [ana]
    assert not decide(acme, ana, Purpose.BULK).may_contact


def test_ids_of_another_organisation_are_unknown(acme, globex, ana):
    theirs = CandidateFactory(organization=globex.org)
    decisions = contact_decisions(org=acme.org, candidates=[ana.pk, theirs.pk], purpose=Purpose.BULK, now=NOW)
    assert decisions[ana.pk].may_contact and codes(decisions[theirs.pk]) == ["unknown"]


@pytest.mark.parametrize(
    ("purpose", "queries"), [(Purpose.BULK, 2), (Purpose.ONE_TO_ONE, 2), (Purpose.SEQUENCE_STEP, 3)]
)
def test_it_takes_the_same_queries_for_one_candidate_or_many(acme, dana, purpose, queries, django_assert_num_queries):
    def people(n):
        found = []
        for i in range(n):
            person = CandidateFactory(organization=acme.org)
            message = write(acme, person, dana, NOW - timedelta(hours=2 + 24 * (i % 3)), automated=i % 2 == 0)
            if i % 3 == 0:
                reply(message, NOW - timedelta(hours=1))
            found.append(person.pk)
        return found

    one, many = people(1), people(12)
    with django_assert_num_queries(queries):
        contact_decisions(org=acme.org, candidates=one, purpose=purpose, now=NOW)
    with django_assert_num_queries(queries):
        decisions = contact_decisions(org=acme.org, candidates=many, purpose=purpose, now=NOW)
    assert len(decisions) == 12
    assert {r.code for d in decisions.values() for r in d.reasons} == {
        Purpose.BULK: {"in_conversation", "cooldown"},
        Purpose.ONE_TO_ONE: {"in_conversation", "cooldown"},  # a new conversation: the cooldown warns too
        Purpose.SEQUENCE_STEP: {"in_conversation", "automated_today"},
    }[purpose]


def test_asking_by_ids_decides_as_asking_by_queryset(acme, globex, dana):
    """By ids, PostgreSQL runs a statement compiled once with stand-in values (messaging/policy_rows.py);
    by queryset the ORM builds it afresh. Both, for every purpose, organisation and moment."""
    everyone = []
    for i in range(9):
        person = CandidateFactory(organization=acme.org, do_not_contact=i == 0, stage="hired" if i == 1 else "new")
        if i >= 2:
            message = write(acme, person, dana, NOW - timedelta(days=i), automated=i % 2 == 0)
            if i % 3 == 0:
                reply(message, NOW - timedelta(days=i - 1))
        everyone.append(person)
    candidate_unsubscribe(candidate=everyone[2], source="unsubscribe_link")
    CandidateFactory(organization=globex.org)  # another organisation's, never asked
    ids = [person.pk for person in everyone]
    queryset = Candidate.objects.filter(pk__in=ids)
    for purpose in Purpose:
        for now in (NOW, NOW - timedelta(days=3), NOW + timedelta(days=30)):
            by_ids = contact_decisions(org=acme.org, candidates=ids, purpose=purpose, now=now)
            by_queryset = contact_decisions(org=acme.org, candidates=queryset, purpose=purpose, now=now)
            assert {pk: codes(d) for pk, d in by_ids.items()} == {pk: codes(d) for pk, d in by_queryset.items()}
    reasons = {code for d in by_ids.values() for code in codes(d)}
    assert {"do_not_contact", "unsubscribed"} <= reasons
    theirs = contact_decisions(org=globex.org, candidates=ids, purpose=Purpose.BULK, now=NOW)
    assert {tuple(codes(d)) for d in theirs.values()} == {("unknown",)}
