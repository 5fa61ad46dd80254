"""The dispatcher with frozen time: windows, caps, task steps, same-thread follow-ups, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from candidates.models import Candidate
from engagement.sequences.builder import sequence_pause, sequence_resume, sequence_update
from engagement.sequences.dispatcher import dispatch_due, idempotency_key
from engagement.sequences.lifecycle import enrollment_pause, enrollment_resume
from engagement.sequences.models import Enrollment, SequenceMessage
from engagement.timeline.models import Reminder
from messaging.models import Message, Thread
from messaging.services import message_receive
from tests.engagement.sequence_support import MONDAY_10, candidate, enrol, make_sequence, on_london_time, template

THURSDAY_10 = MONDAY_10 + timedelta(days=3)
FRIDAY_10 = MONDAY_10 + timedelta(days=4)


@pytest.fixture(autouse=True)
def _london(acme):
    on_london_time(acme.org)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """One dispatcher pass at `now`, delivering what it queued (eager Celery, locmem e-mail)."""

    def dispatch(now, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_due(now=now, **kwargs)

    return dispatch


def reload(enrollment) -> Enrollment:
    return Enrollment.objects.get(pk=enrollment.pk)


def test_the_first_step_is_written_queued_and_delivered(acme, run):
    sequence = make_sequence(acme)
    person = candidate(acme, first_name="Ada")
    enrollment = enrol(acme, sequence, [person]).enrolled[0]
    first, second, _ = sequence.steps.all()

    result = run(MONDAY_10)

    assert (result.claimed, result.messages) == (1, 1)
    message = Message.objects.get()
    assert message.idempotency_key == idempotency_key(enrollment.pk, first.pk)
    assert message.automated and message.sender == acme.user
    assert (message.sequence_message.enrollment, message.sequence_message.step) == (enrollment, first)
    assert message.thread.origin == Thread.Origin.SEQUENCE and message.sequence_message.thread == message.thread
    assert message.subject == "Hello from Acme Inc" and "Hi Ada" in message.body_text
    assert message.status == Message.Status.SENT and len(mail.outbox) == 1
    enrollment = reload(enrollment)
    assert (enrollment.steps_done, enrollment.next_step_id) == (1, second.pk)
    assert enrollment.next_run_at == THURSDAY_10  # 72 hours later, inside the window


def test_a_step_message_is_linked_to_its_enrollment_and_a_reply_in_its_thread_stops_it(acme, run):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme, first_name="Ada")]).enrolled[0]
    first = sequence.steps.get(order=1)

    run(MONDAY_10)

    link = SequenceMessage.objects.get()
    message = link.message
    assert (link.enrollment, link.step, link.organization) == (enrollment, first, acme.org)
    assert link.thread_id == message.thread_id and message.automated
    message_receive(thread=message.thread, channel="email", body_text="Yes, let's talk", received_at=MONDAY_10)
    assert reload(enrollment).state == Enrollment.State.REPLIED
    assert run(THURSDAY_10).messages == 0
    assert SequenceMessage.objects.count() == Message.objects.outgoing().count() == 1


def test_running_twice_in_the_same_minute_is_harmless(acme, run):
    enrol(acme, make_sequence(acme), [candidate(acme) for _ in range(3)])
    assert run(MONDAY_10).messages == 3
    again = run(MONDAY_10 + timedelta(seconds=30))
    assert (again.claimed, again.messages) == (0, 0)
    assert Message.objects.count() == 3 and len(mail.outbox) == 3


def test_a_step_run_again_after_a_crash_writes_no_second_message(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    first = enrollment.next_step
    run(MONDAY_10)
    # As if the pass died after writing the message but before the enrollment moved on.
    Enrollment.objects.filter(pk=enrollment.pk).update(steps_done=0, next_step=first, next_run_at=MONDAY_10)
    assert run(MONDAY_10).claimed == 1
    assert Message.objects.count() == 1 and len(mail.outbox) == 1


def test_a_same_thread_follow_up_replies_in_the_conversation(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    run(MONDAY_10)
    result = run(THURSDAY_10)
    assert result.messages == 1
    first, second = Message.objects.order_by("id")
    assert second.thread_id == first.thread_id
    assert set(SequenceMessage.objects.values_list("thread_id", "enrollment_id")) == {(first.thread_id, enrollment.pk)}
    assert second.subject == "Re: Hello from Acme Inc"
    assert second.in_reply_to == first.message_id_header
    assert mail.outbox[1].extra_headers["In-Reply-To"] == first.message_id_header
    enrollment = reload(enrollment)
    assert enrollment.steps_done == 2 and enrollment.next_run_at == FRIDAY_10  # one business day


def test_a_follow_up_not_in_the_same_thread_starts_a_new_one(acme, run):
    steps = [
        {"kind": "email", "template": template(acme).pk},
        {"kind": "email", "template": template(acme, subject="Another idea").pk, "delay_hours": 24,
         "same_thread": False},
    ]  # fmt: skip
    enrol(acme, make_sequence(acme, steps), [candidate(acme)])
    run(MONDAY_10)
    run(MONDAY_10 + timedelta(days=1))
    threads = Thread.objects.order_by("id")
    assert threads.count() == 2 and threads[1].subject == "Another idea"
    assert not Message.objects.order_by("id")[1].in_reply_to


def test_a_task_step_reminds_the_owner_and_the_last_step_completes(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    run(MONDAY_10)
    run(THURSDAY_10)
    result = run(FRIDAY_10)
    assert (result.tasks, result.completed, result.messages) == (1, 1, 0)
    reminder = Reminder.objects.get()
    assert (reminder.recruiter, reminder.origin, reminder.note) == (acme.user, "sequence", "Call them")
    enrollment = reload(enrollment)
    assert (enrollment.state, enrollment.steps_done, enrollment.next_run_at) == ("completed", 3, None)
    assert enrollment.completed_at == FRIDAY_10


def test_nothing_runs_before_its_time_or_in_a_paused_sequence(acme, run):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    assert run(MONDAY_10 - timedelta(minutes=1)).claimed == 0
    sequence_pause(sequence=sequence)
    assert run(MONDAY_10).claimed == 0
    sequence_resume(sequence=sequence)
    enrollment_pause(enrollment=enrollment)
    assert run(MONDAY_10).claimed == 0
    enrollment_resume(enrollment=enrollment)
    assert run(MONDAY_10).messages == 1


def test_a_step_that_fell_due_outside_the_window_waits_for_the_next_opening(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    saturday = MONDAY_10 + timedelta(days=5)  # resumed on a Saturday after a long pause
    result = run(saturday)
    assert (result.postponed, result.messages) == (1, 0)
    assert reload(enrollment).next_run_at == MONDAY_10.replace(day=9, hour=9)


def test_a_candidate_in_los_angeles_gets_mail_in_their_morning(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme, time_zone="America/Los_Angeles")]).enrolled[0]
    assert enrollment.next_run_at == MONDAY_10.replace(hour=17)
    assert run(MONDAY_10).claimed == 0
    assert run(MONDAY_10.replace(hour=17)).messages == 1


def test_the_daily_cap_moves_the_rest_to_the_next_days_opening(acme, run):
    acme.org.daily_send_cap = 2
    acme.org.save()
    enrol(acme, make_sequence(acme), [candidate(acme) for _ in range(3)])
    result = run(MONDAY_10)
    assert (result.messages, result.postponed) == (2, 1)
    waiting = Enrollment.objects.get(steps_done=0)
    assert waiting.next_run_at == MONDAY_10.replace(day=3, hour=9)
    assert run(MONDAY_10 + timedelta(hours=2)).messages == 0  # still today: the cap counts what was written
    assert run(waiting.next_run_at).messages == 1


def test_the_cap_is_per_recruiter(acme, colleague, run):
    acme.org.daily_send_cap = 1
    acme.org.save()
    mine, theirs = make_sequence(acme), make_sequence(colleague, name="Theirs")
    enrol(acme, mine, [candidate(acme)])
    enrol(colleague, theirs, [candidate(acme)])
    assert run(MONDAY_10).messages == 2


def test_paused_bulk_sends_hold_the_messages(acme, run, monkeypatch):
    import engagement.sequences.dispatch_facts as dispatch_facts

    monkeypatch.setattr(dispatch_facts, "bulk_send_block", lambda org, recruiter: "Paused for the test.")
    enrol(acme, make_sequence(acme), [candidate(acme)])
    result = run(MONDAY_10)
    assert (result.messages, result.postponed) == (0, 1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"unsubscribed_at": MONDAY_10}, "Unsubscribed from all messages"),
        ({"do_not_contact": True}, "Marked do-not-contact"),
        ({"email_undeliverable": True}, "E-mail address undeliverable (it bounced)"),
        ({"stage": Candidate.Stage.HIRED}, "Stage moved to Hired."),
    ],
)
def test_stop_rules_are_checked_again_at_claim_time(acme, run, change, reason):
    person = candidate(acme)
    enrollment = enrol(acme, make_sequence(acme), [person]).enrolled[0]
    Candidate.objects.filter(pk=person.pk).update(**change)  # no event: as if it had been missed
    result = run(MONDAY_10)
    assert (result.stopped, result.messages) == (1, 0)
    enrollment = reload(enrollment)
    assert (enrollment.state, enrollment.stop_reason, enrollment.next_run_at) == ("stopped", reason, None)


def test_a_reply_since_enrolment_stops_at_claim_time(acme, run):
    person = candidate(acme)
    enrollment = enrol(acme, make_sequence(acme), [person]).enrolled[0]
    run(MONDAY_10)
    thread = Thread.objects.get()
    Enrollment.objects.filter(pk=enrollment.pk).update(state="active")  # as if the event had been missed
    message_receive(thread=thread, channel="email", body_text="Sounds good", received_at=MONDAY_10 + timedelta(hours=1))
    Enrollment.objects.filter(pk=enrollment.pk).update(state="active", stop_reason="", next_run_at=THURSDAY_10)
    result = run(THURSDAY_10)
    assert (result.replied, result.messages) == (1, 0)
    assert reload(enrollment).state == "replied"
    assert Message.objects.outgoing().count() == 1


def test_a_template_that_cannot_be_filled_stops_that_enrollment_only(acme, run):
    strict = template(acme, body="Hi {{ candidate.first_name }}, how is {{ candidate.current_company }}?")
    sequence = make_sequence(acme, [{"kind": "email", "template": strict.pk}])
    without, with_company = candidate(acme, current_company=""), candidate(acme, current_company="Initech")
    enrol(acme, sequence, [without, with_company])
    result = run(MONDAY_10)
    assert (result.messages, result.stopped, result.completed) == (1, 1, 1)
    stopped = Enrollment.objects.get(candidate=without)
    assert stopped.state == "stopped" and "could not be written" in stopped.stop_reason
    assert Message.objects.get().candidate == with_company


def test_an_unexpected_error_is_retried_later_without_stopping_the_batch(acme, run, monkeypatch):
    import engagement.sequences.dispatcher as dispatcher

    people = [candidate(acme) for _ in range(2)]
    enrol(acme, make_sequence(acme), people)
    real = dispatcher.render_message

    def flaky(**kwargs):
        if kwargs["candidate"].pk == people[0].pk:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(dispatcher, "render_message", flaky)
    result = run(MONDAY_10)
    assert (result.messages, result.failed) == (1, 1)
    broken = Enrollment.objects.get(candidate=people[0])
    assert broken.state == "active" and broken.next_run_at == MONDAY_10 + timedelta(minutes=15)


def test_editing_a_sequence_applies_to_steps_not_yet_sent(acme, run):
    sequence = make_sequence(acme)
    enrol(acme, sequence, [candidate(acme)])
    run(MONDAY_10)
    first, second, third = sequence.steps.all()
    sequence_update(
        sequence=sequence,
        steps=[
            {"id": first.pk, "kind": "email", "template": template(acme, subject="Changed first").pk},
            {"id": second.pk, "kind": "email", "template": template(acme, subject="Changed second").pk,
             "delay_hours": 72, "same_thread": False},
            {"id": third.pk, "kind": "task", "task_text": "Call", "delay_business_days": 1},
        ],
    )  # fmt: skip
    run(THURSDAY_10)
    subjects = list(Message.objects.order_by("id").values_list("subject", flat=True))
    assert subjects == ["Hello from Acme Inc", "Changed second"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL claims with row locks, not leases")
def test_a_leased_enrollment_is_left_to_its_dispatcher(acme, run):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    Enrollment.objects.filter(pk=enrollment.pk).update(claimed_until=MONDAY_10 + timedelta(minutes=5))
    assert run(MONDAY_10).claimed == 0
    # The lease ran out (its dispatcher died): another pass takes it.
    assert run(MONDAY_10 + timedelta(minutes=6)).messages == 1


def test_batches_cover_everything_due(acme, run):
    enrol(acme, make_sequence(acme), [candidate(acme) for _ in range(7)])
    result = run(MONDAY_10, batch_size=3)
    assert (result.claimed, result.messages) == (7, 7)


def test_the_command_and_the_task_run_one_pass(acme, capsys, django_capture_on_commit_callbacks):
    from engagement.sequences.tasks import dispatch_followups

    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)], now=timezone.now() - timedelta(days=30)).enrolled[0]
    Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))
    acme.org.send_weekdays = "1234567"
    acme.org.send_window_start, acme.org.send_window_end = "00:00", "23:59:59"
    acme.org.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("dispatch_followups")
    assert "1 claimed" in capsys.readouterr().out
    assert dispatch_followups.delay().get()["claimed"] == 0


def test_a_batch_costs_the_same_queries_whatever_its_size(acme, run):
    from django.test.utils import CaptureQueriesContext

    def cost(count: int, now) -> int:
        enrol(acme, make_sequence(acme, name=f"Batch {count}"), [candidate(acme) for _ in range(count)], now=now)
        with CaptureQueriesContext(connection) as captured:
            result = dispatch_due(now=now)
        assert result.messages == count
        return len(captured.captured_queries)

    # Each pass finds only its own sequence's enrollments due (the earlier ones wait 72 hours).
    assert cost(2, MONDAY_10) == cost(7, MONDAY_10 + timedelta(hours=1))
