"""Stop rules, one by one: each candidate event stops (or postpones) the candidate's running sequences."""

from __future__ import annotations

from datetime import timedelta

import pytest

from candidates.consent import consent_set
from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_erase, candidate_unsubscribe
from candidates.services import candidate_set_stage
from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.models import Enrollment
from engagement.sequences.receivers import SEQUENCE_HANDLERS
from engagement.timeline import receivers
from engagement.timeline.models import Reminder
from messaging.models import Message, Thread
from messaging.services import message_bounce, message_receive
from talentcircles import events
from tests.engagement.sequence_support import MONDAY_10, candidate, enrol, make_sequence, on_london_time


@pytest.fixture(autouse=True)
def _london(acme):
    on_london_time(acme.org)


@pytest.fixture
def wired():
    """Route events to the stop rules as engagement/receivers.py does once the lead has wired them.

    Handlers are idempotent, so running them a second time (wired already) changes nothing.
    """
    already = hasattr(receivers, "SEQUENCE_HANDLERS")

    def route(batch):
        for event in batch:
            handler = SEQUENCE_HANDLERS.get(event.kind)
            if handler:
                handler(event)

    if not already:
        events.subscribe_batch(route)
    yield
    events.unsubscribe(route)


@pytest.fixture
def running(acme, django_capture_on_commit_callbacks):
    """A candidate in two sequences (one owned by a colleague-less owner), the first message sent."""
    acme.org.automated_messages_per_day = 2  # both first steps go out the same day
    acme.org.save(update_fields=["automated_messages_per_day"])
    person = candidate(acme)
    first = make_sequence(acme, name="First")
    second = make_sequence(acme, name="Second")
    enrol(acme, first, [person])
    enrol(acme, second, [person])
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due(now=MONDAY_10)
    return person


def states(person) -> set[tuple[str, str]]:
    return set(Enrollment.objects.filter(candidate=person).values_list("state", "stop_reason"))


def event(person, kind, **details) -> events.CandidateEvent:
    return events.CandidateEvent(
        organization_id=person.organization_id, candidate_id=person.pk, kind=kind, occurred_at=MONDAY_10,
        details=details,
    )  # fmt: skip


# --- Direct calls -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "details", "expected"),
    [
        (events.REPLY_RECEIVED, {}, ("replied", "The candidate replied.")),
        (events.RESPONSE_CLICKED, {"classification": "not_interested"},
         ("replied", "The candidate clicked “Not interested”.")),
        (events.UNSUBSCRIBED, {}, ("stopped", "The candidate unsubscribed.")),
        (events.CONSENT_CHANGED, {"purpose": "messages", "granted": False},
         ("stopped", "The candidate withdrew consent to messages.")),
        (events.ERASED, {}, ("stopped", "The candidate's data was erased.")),
        (events.BOUNCED, {}, ("stopped", "An e-mail to the candidate bounced.")),
        (events.STAGE_CHANGED, {"stage": "not_interested"}, ("stopped", "Stage moved to Not interested.")),
        (events.STAGE_CHANGED, {"stage": "hired"}, ("stopped", "Stage moved to Hired.")),
        (events.STAGE_CHANGED, {"stage": "archived"}, ("stopped", "Stage moved to Archived.")),
    ],
)  # fmt: skip
def test_each_rule_stops_every_running_enrollment(running, kind, details, expected):
    SEQUENCE_HANDLERS[kind](event(running, kind, **details))
    assert states(running) == {expected}
    assert not Enrollment.objects.filter(candidate=running, next_run_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        (events.CONSENT_CHANGED, {"purpose": "messages", "granted": True}),
        (events.CONSENT_CHANGED, {"purpose": "community_terms", "granted": False}),
        (events.STAGE_CHANGED, {"stage": "engaged"}),
    ],
)
def test_events_that_do_not_stop(running, kind, details):
    SEQUENCE_HANDLERS[kind](event(running, kind, **details))
    assert states(running) == {("active", "")}


def test_interested_stops_and_reminds_the_owner_once(acme, running):
    handler = SEQUENCE_HANDLERS[events.RESPONSE_CLICKED]
    handler(event(running, events.RESPONSE_CLICKED, classification="interested"))
    handler(event(running, events.RESPONSE_CLICKED, classification="interested"))  # handled twice
    assert states(running) == {("replied", "The candidate clicked “Interested”.")}
    reminder = Reminder.objects.get()
    assert (reminder.recruiter, reminder.origin, reminder.candidate) == (acme.user, "reply", running)
    assert "answer personally" in reminder.note


def test_an_out_of_office_postpones_the_next_step(acme, running):
    acme.org.out_of_office_delay_days = 5
    acme.org.save()
    before = set(Enrollment.objects.values_list("next_run_at", flat=True))
    assert before == {MONDAY_10 + timedelta(days=3)}
    SEQUENCE_HANDLERS[events.AUTO_REPLY_RECEIVED](event(running, events.AUTO_REPLY_RECEIVED))
    after = set(Enrollment.objects.values_list("next_run_at", flat=True))
    # Not before five days after the auto-reply (Saturday 10:00), inside the window: Monday 09:00.
    assert after == {MONDAY_10.replace(day=9, hour=9)}
    assert states(running) == {("active", "")}


def test_a_stopped_enrollment_is_not_touched_again(running):
    SEQUENCE_HANDLERS[events.BOUNCED](event(running, events.BOUNCED))
    SEQUENCE_HANDLERS[events.REPLY_RECEIVED](event(running, events.REPLY_RECEIVED))
    assert states(running) == {("stopped", "An e-mail to the candidate bounced.")}


def test_other_candidates_are_not_touched(acme, running):
    bystander = candidate(acme)
    enrol(acme, make_sequence(acme, name="Third"), [bystander])
    SEQUENCE_HANDLERS[events.REPLY_RECEIVED](event(running, events.REPLY_RECEIVED))
    assert states(bystander) == {("active", "")}


# --- Through the real services and the event path -------------------------------------------------------


def test_a_real_reply_stops_the_sequences_and_no_follow_up_goes_out(
    acme, running, wired, django_capture_on_commit_callbacks
):
    thread = Thread.objects.filter(candidate=running).first()
    message_receive(thread=thread, channel="email", body_text="Happy to talk!")
    assert {state for state, _ in states(running)} == {"replied"}
    with django_capture_on_commit_callbacks(execute=True):
        result = dispatch_due(now=MONDAY_10 + timedelta(days=3))
    assert result.claimed == 0
    assert Message.objects.outgoing().count() == 2


def test_an_auto_reply_through_the_real_path_only_postpones(acme, running, wired):
    thread = Thread.objects.filter(candidate=running).first()
    message_receive(thread=thread, channel="email", body_text="I am away", is_auto_reply=True)
    assert {state for state, _ in states(running)} == {"active"}


def test_unsubscribing_through_the_real_path(running, wired):
    candidate_unsubscribe(candidate=running, source="portal")
    assert {state for state, _ in states(running)} == {"stopped"}


def test_withdrawing_consent_through_the_real_path(running, wired):
    consent_set(candidate=running, purpose=ConsentRecord.Purpose.MESSAGES, granted=False, source="portal")
    assert states(running) == {("stopped", "The candidate withdrew consent to messages.")}


def test_a_final_stage_through_the_real_path(acme, running, wired):
    candidate_set_stage(candidate=running, actor=acme.user, stage=Candidate.Stage.HIRED)
    assert states(running) == {("stopped", "Stage moved to Hired.")}


def test_a_bounce_through_the_real_path(running, wired):
    message_bounce(message=Message.objects.outgoing().first(), reason="550 no such user")
    assert {state for state, _ in states(running)} == {"stopped"}


def test_erasure_through_the_real_path(running, wired):
    candidate_erase(candidate=running, source="admin")
    assert {state for state, _ in states(running)} == {"stopped"}


def test_clicking_interested_through_the_real_path(acme, running, wired):
    thread = Thread.objects.filter(candidate=running).first()
    message_receive(thread=thread, channel="click", body_text="", classification="interested")
    assert {state for state, _ in states(running)} == {"replied"}
    assert Reminder.objects.filter(origin="reply").count() == 1
