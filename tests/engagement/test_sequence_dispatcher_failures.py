"""The dispatcher when something fails: what is retried, when, and that nothing is sent twice.

Failures are real: a rule that raises through the documented guard hook (talentcircles/guards.py),
and database statements that fail in the database itself (a statement swapped, through Django's
execute wrapper, for one the database refuses; on PostgreSQL that aborts the transaction up to
the last savepoint, as a real failure would).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from engagement.sequences.dispatcher import LEASE, RETRY_AFTER, dispatch_due
from engagement.sequences.models import Enrollment
from engagement.timeline.models import Reminder
from messaging.models import Message
from talentcircles.guards import register_bulk_send_guard, unregister_bulk_send_guard
from tests.engagement.sequence_support import MONDAY_10, candidate, enrol, make_sequence, on_london_time, template

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _london(acme, globex):
    on_london_time(acme.org)
    on_london_time(globex.org)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """One dispatcher pass at `now`, delivering what it queued (eager Celery, locmem e-mail)."""

    def dispatch(now, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_due(now=now, **kwargs)

    return dispatch


@pytest.fixture
def guard():
    """Register a bulk-send guard for the test, as the response-rate guard registers itself."""
    registered = []

    def register(function):
        register_bulk_send_guard(function)
        registered.append(function)

    yield register
    for function in registered:
        unregister_bulk_send_guard(function)


@contextlib.contextmanager
def database_refuses(matches: Callable[[str, object], bool], *, times: int = 1) -> Iterator[list[str]]:
    """The first `times` statements `matches` picks fail in the database (a query of a missing table)."""
    refused: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if len(refused) < times and matches(sql, params):
            refused.append(sql)
            return execute("SELECT * FROM tc_no_such_table", (), False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused


def writes_to(table: str) -> Callable[[str, object], bool]:
    """The statement that starts writing rows of `table`: its INSERT, or on PostgreSQL the ids drawn for a COPY."""

    def matches(sql: str, params) -> bool:
        if sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql:
            return True
        return "nextval" in sql and table in (params or ())

    return matches


def one_email_step(tenant, **template_fields) -> list[dict]:
    return [{"kind": "email", "template": template(tenant, **template_fields).pk}]


def outgoing_for(enrollment: Enrollment) -> int:
    return Message.objects.filter(sequence_message__enrollment=enrollment).count()


def reload(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.get(pk=enrollment.pk)


def test_a_step_that_failed_is_tried_again_after_the_retry_delay_and_then_sent_once(acme, colleague, run, guard):
    broken = {colleague.user.pk}

    def flaky_guard(org, recruiter):
        if recruiter.pk in broken:
            raise RuntimeError("the response-rate figures are being rebuilt")
        return None

    failing = enrol(colleague, make_sequence(colleague, one_email_step(colleague)), [candidate(acme)]).enrolled[0]
    working = enrol(acme, make_sequence(acme, one_email_step(acme), name="Fine"), [candidate(acme)]).enrolled[0]
    guard(flaky_guard)  # enrolling asks the guards too: from now on

    first = run(MONDAY_10)

    assert (first.claimed, first.messages, first.failed) == (2, 1, 1)
    failing = reload(failing)
    assert (failing.state, failing.steps_done, failing.next_run_at) == ("active", 0, MONDAY_10 + RETRY_AFTER)
    assert failing.claimed_until is None
    assert outgoing_for(failing) == 0 and reload(working).state == "completed"

    assert run(MONDAY_10 + RETRY_AFTER - timedelta(minutes=1)).claimed == 0  # not before its time
    assert run(MONDAY_10 + RETRY_AFTER).failed == 1  # still failing: tried again later still
    broken.clear()
    again = run(MONDAY_10 + 2 * RETRY_AFTER)

    assert (again.claimed, again.messages, again.failed) == (1, 1, 0)
    assert reload(failing).state == "completed"
    assert outgoing_for(failing) == outgoing_for(working) == 1
    assert len(mail.outbox) == 2


def test_a_database_error_writing_one_organisations_follow_ups_leaves_them_for_later_and_writes_the_others(
    acme, globex, run
):
    # acme's enrollments fall due first, so acme's follow-ups are written (and refused) first.
    theirs = enrol(globex, make_sequence(globex, one_email_step(globex)), [candidate(globex) for _ in range(2)])
    ours = enrol(
        acme, make_sequence(acme, one_email_step(acme)), [candidate(acme) for _ in range(2)],
        now=MONDAY_10 - timedelta(minutes=5),
    )  # fmt: skip

    with database_refuses(writes_to("messaging_thread")) as refused:
        result = run(MONDAY_10)

    assert len(refused) == 1
    assert (result.claimed, result.messages, result.failed) == (4, 2, 2)
    for enrollment in ours.enrolled:
        enrollment = reload(enrollment)
        assert (enrollment.state, enrollment.next_run_at, outgoing_for(enrollment)) == (
            "active",
            MONDAY_10 + RETRY_AFTER,
            0,
        )
    assert all(reload(e).state == "completed" and outgoing_for(e) == 1 for e in theirs.enrolled)
    assert not Message.objects.filter(organization=acme.org).exists()  # nothing half-written

    retried = run(MONDAY_10 + RETRY_AFTER)

    assert (retried.claimed, retried.messages, retried.failed) == (2, 2, 0)
    assert Message.objects.count() == 4 and len(mail.outbox) == 4


def test_a_task_step_whose_reminder_cannot_be_written_is_tried_again_without_holding_up_the_emails(acme, run):
    task = [{"kind": "task", "task_text": "Call them"}]
    reminding = enrol(acme, make_sequence(acme, task, name="Call"), [candidate(acme)]).enrolled[0]
    emailing = enrol(acme, make_sequence(acme, one_email_step(acme)), [candidate(acme)]).enrolled[0]

    with database_refuses(writes_to("engagement_reminder")) as refused:
        result = run(MONDAY_10)

    assert len(refused) == 1
    assert (result.messages, result.tasks, result.failed) == (1, 0, 1)
    assert reload(emailing).state == "completed"
    reminding = reload(reminding)
    assert (reminding.state, reminding.next_run_at) == ("active", MONDAY_10 + RETRY_AFTER)
    assert not Reminder.objects.exists()

    retried = run(MONDAY_10 + RETRY_AFTER)

    assert (retried.tasks, retried.completed) == (1, 1)
    assert Reminder.objects.get().note == "Call them"
    assert Message.objects.count() == 1


def test_a_follow_up_the_writer_refuses_stops_that_enrollment_with_its_reason(acme, run):
    # The subject is the candidate's headline: rendered, it is over the 200 characters a subject may have.
    by_headline = one_email_step(acme, subject="{{ candidate.headline }}")
    long_headline = enrol(acme, make_sequence(acme, by_headline), [candidate(acme, headline="Engineer " * 24)])
    short_headline = enrol(acme, make_sequence(acme, by_headline, name="Other"), [candidate(acme, headline="Builder")])

    result = run(MONDAY_10)

    assert (result.messages, result.stopped, result.failed) == (1, 1, 0)
    stopped = reload(long_headline.enrolled[0])
    assert (stopped.state, stopped.next_run_at) == ("stopped", None)
    assert stopped.stop_reason == "Keep the subject under 200 characters."
    assert outgoing_for(stopped) == 0
    assert reload(short_headline.enrolled[0]).state == "completed"
    assert run(MONDAY_10 + RETRY_AFTER).claimed == 0  # stopped for good, not retried


def test_a_pass_that_crashes_leaves_its_batch_to_a_later_pass_which_sends_each_once(acme, run):
    enrollments = enrol(acme, make_sequence(acme, one_email_step(acme)), [candidate(acme) for _ in range(3)]).enrolled

    def reads_the_answers(sql, params) -> bool:  # one of the facts every batch reads first
        return "messaging_message" in sql and "MAX(" in sql.upper()

    with database_refuses(reads_the_answers), pytest.raises(DatabaseError):
        run(MONDAY_10)

    assert not Message.objects.exists() and len(mail.outbox) == 0
    # PostgreSQL rolled the batch back; on SQLite its lease holds the rows until it runs out.
    later = run(MONDAY_10 + LEASE + timedelta(minutes=1))
    assert (later.claimed, later.messages) == (3, 3)
    assert all(outgoing_for(e) == 1 for e in enrollments) and len(mail.outbox) == 3
    assert run(MONDAY_10 + LEASE + timedelta(minutes=2)).claimed == 0


def test_a_database_error_in_one_enrollments_turn_does_not_stop_the_others(acme, colleague, run, guard):
    def guard_reading_a_broken_table(org, recruiter):
        if recruiter.pk == colleague.user.pk:
            with connection.cursor() as cursor:  # a real statement that fails in the database
                cursor.execute("SELECT * FROM tc_no_such_table")
        return None

    failing = enrol(colleague, make_sequence(colleague, one_email_step(colleague)), [candidate(acme)]).enrolled[0]
    working = enrol(acme, make_sequence(acme, one_email_step(acme), name="Fine"), [candidate(acme)]).enrolled[0]
    guard(guard_reading_a_broken_table)  # enrolling asks the guards too: from now on

    result = run(MONDAY_10)

    assert (result.messages, result.failed) == (1, 1)
    assert reload(failing).next_run_at == MONDAY_10 + RETRY_AFTER
    assert reload(working).state == "completed" and outgoing_for(working) == 1


def test_the_failure_paths_cost_no_query_per_enrollment_in_the_batch(acme, run, guard):
    # The guards are asked once per recruiter and batch; failing enrollments are set aside in one UPDATE.
    def always_failing(org, recruiter):
        raise RuntimeError("down")

    def cost(count: int, now) -> int:
        people = [candidate(acme) for _ in range(count)]
        enrol(acme, make_sequence(acme, one_email_step(acme), name=f"Batch of {count}"), people, now=now)
        guard(always_failing)  # enrolling asks the guards too: from now on
        with CaptureQueriesContext(connection) as queries:
            assert run(now).failed == count
        unregister_bulk_send_guard(always_failing)
        return len(queries)

    assert cost(2, MONDAY_10) == cost(6, MONDAY_10 + timedelta(minutes=5))
