"""`seed_messages --messages N`: conversations among an organisation's candidates, for the analytics benchmark.

Outreach by the organisation's members over the last ~120 days: one-to-one, bulk and sequence
threads (follow-up steps three and seven days later until answered), with realistic mixes: about
3% of first sends bounce, 3% fail and 2% are cancelled (never sent); each recruiter has their own
answer rate (some under 13%); answers come by e-mail, the portal or a one-click Interested / Not
interested, a few are automatic replies; a few candidates unsubscribe. A few threads are started by
candidates in the portal. Engagement's side is written too, as the app writes it: each sequence
thread has its enrollment and each step's message its `SequenceMessage`, and about one thread in
ten was started for a circle (`CircleOutreach`). PostgreSQL: ids from the tables' sequences and
rows streamed with COPY; SQLite: row by row (correct, slower).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random

from django.db import connection, transaction

from engagement.circles.models import Circle, CircleOutreach
from engagement.sequences.models import Enrollment, Sequence, SequenceMessage, SequenceStep
from messaging.models import Message, MessageTemplate, Thread

DAYS = 120
BATCH_THREADS = 50_000
THREAD_COLUMNS = (
    "id", "organization_id", "candidate_id", "recruiter_id", "subject", "reply_token", "started_by", "origin",
    "created_at", "last_message_at", "last_inbound_at",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "id", "organization_id", "thread_id", "candidate_id", "direction", "channel", "sender_id", "from_email",
    "to_email", "subject", "body_text", "body_html", "template_id", "personalisation_score", "findings",
    "body_fingerprint", "status", "message_id_header", "in_reply_to", "references", "idempotency_key", "attempts",
    "next_attempt_at", "last_error", "is_auto_reply", "classification", "automated", "created_at",
    "claimed_at", "sent_at", "received_at",
)  # fmt: skip
ENROLLMENT_COLUMNS = (
    "id", "organization_id", "sequence_id", "candidate_id", "enrolled_by_id", "state", "next_step_id", "steps_done",
    "next_run_at", "stop_reason", "claimed_until", "enrolled_at", "updated_at", "completed_at", "stopped_at",
)  # fmt: skip
SEQUENCE_MESSAGE_COLUMNS = ("message_id", "thread_id", "enrollment_id", "step_id", "organization_id")
CIRCLE_OUTREACH_COLUMNS = ("thread_id", "circle_id", "organization_id")
SUBJECTS = ("A role you might like", "Backend at {org}", "Quick question", "Your experience with Python", "Hello")
BODIES = (
    "Hi, I came across your profile and thought of our platform team. Would you be open to a chat?",
    "Hello! We are growing the data team and your work stood out. Fancy a call this week?",
    "Hi there, short one: are you open to new roles in the next few months?",
)
MASS = '[{"code": "mass_message", "message": "Same message sent to many today", "severity": "warning", "penalty": 30}]'
LONG = '[{"code": "too_long", "message": "Too long", "severity": "warning", "penalty": 20}]'


@dataclass
class Conversation:
    """One thread with its messages, and engagement's rows about it (ids filled in by the writer)."""

    thread: tuple
    messages: list[tuple]
    steps: list[int | None] = field(default_factory=list)  # each message's sequence step, or None
    enrollment: tuple | None = None  # a sequence thread's enrollment row
    circle_id: int | None = None  # the circle the thread was started for


def _ids(table: str, count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        sql = f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)"  # noqa: S608 (a constant)
        cursor.execute(sql, [count])
        return [pk for (pk,) in cursor.fetchall()]


class Conversations:
    """A deterministic stream of threads and their messages for one organisation."""

    def __init__(self, *, org, seed: int, now: datetime):
        self.rng = Random(seed)  # noqa: S311 (sample data)
        self.org, self.now = org, now
        self.start = now - timedelta(days=DAYS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM candidates_candidate WHERE organization_id = %s", [org.pk])
            self.candidates = [pk for (pk,) in cursor.fetchall()]
            cursor.execute("SELECT user_id FROM talentcircles_membership WHERE organization_id = %s", [org.pk])
            self.recruiters = [pk for (pk,) in cursor.fetchall()]
        if not self.candidates or not self.recruiters:
            raise ValueError("Seed candidates (--candidates) and have at least one member first.")
        # Each recruiter answers at their own rate: a few are under LinkedIn's 13% line.
        self.rates = {r: self.rng.choice((0.08, 0.11, 0.16, 0.22, 0.28, 0.35)) for r in self.recruiters}
        self.templates, self.steps, self.circles = _fixtures(org)
        self.template_rate = {t: self.rng.uniform(0.7, 1.3) for t in self.templates}
        self.serial = 0

    def thread(self, thread_id: int) -> Conversation:
        """One conversation (message and enrollment ids left as None, filled by the writer)."""
        rng, org_id = self.rng, self.org.pk
        self.serial += 1
        candidate = rng.choice(self.candidates)
        recruiter = rng.choice(self.recruiters)
        first = self.start + timedelta(seconds=rng.random() * DAYS * 86400)
        token = hashlib.blake2b(f"{org_id}:{thread_id}".encode(), digest_size=16).hexdigest()
        roll = rng.random()
        if roll < 0.02:  # the candidate wrote first, in the portal: not outreach
            message = self._incoming(thread_id, candidate, first, "portal", "neutral", auto=False)
            question = (thread_id, org_id, candidate, recruiter, "Question", token, "candidate", "portal", first,
                        first, first)  # fmt: skip
            return Conversation(question, [message], [None])
        origin = "sequence" if roll < 0.25 else "bulk" if roll < 0.55 else "one_to_one"
        template = rng.choice(self.templates) if self.templates and (origin != "one_to_one" or roll < 0.7) else None
        circle = rng.choice(self.circles) if self.circles and rng.random() < 0.1 else None
        status_roll = rng.random()
        status = "failed" if status_roll < 0.03 else "cancelled" if status_roll < 0.05 else "sent"
        bounced = status == "sent" and status_roll > 0.97
        steps = self.steps if origin == "sequence" and self.steps else [None]
        rate = self.rates[recruiter] * self.template_rate.get(template, 1.0) * (1.3 if origin == "one_to_one" else 1)
        answered_at = None
        if status == "sent" and not bounced and rng.random() < rate * (1.6 if len(steps) > 1 else 1):
            hours = min(rng.lognormvariate(math.log(20), 1.4), 24 * 60)
            answered_at = first + timedelta(hours=hours)
        messages, last = [], first
        for number, step in enumerate(steps):
            sent_at = first + timedelta(days=(0, 3, 7)[min(number, 2)])
            if number and (sent_at > self.now or (answered_at and answered_at < sent_at) or status != "sent"):
                break
            message_status = "bounced" if bounced and not number else status
            messages.append(self._outgoing(thread_id, candidate, recruiter, sent_at, message_status, template, step))
            last = sent_at
            if bounced:
                break
        step_ids: list[int | None] = [step.pk if step else None for step in steps[: len(messages)]]
        inbound = None
        if answered_at and answered_at <= self.now:
            if rng.random() < 0.05:  # an out-of-office first
                messages.append(self._incoming(thread_id, candidate, first + timedelta(minutes=3), "email", "", True))
            kind = rng.random()
            channel = "click" if kind < 0.12 else "portal" if kind < 0.22 else "email"
            classification = (
                rng.choice(("interested", "not_interested")) if channel == "click"
                else "interested" if rng.random() < 0.3 else "not_interested" if rng.random() < 0.1 else "neutral"
            )  # fmt: skip
            messages.append(self._incoming(thread_id, candidate, answered_at, channel, classification, False))
            inbound = last = max(last, answered_at)
            if rng.random() < 0.4 and answered_at + timedelta(hours=4) <= self.now:  # the recruiter answers back
                back = answered_at + timedelta(hours=rng.uniform(0.5, 4))
                messages.append(self._outgoing(thread_id, candidate, recruiter, back, "sent", None, None))
                last = back
        elif status == "sent" and not bounced and rng.random() < 0.02:
            messages.append(self._incoming(thread_id, candidate, first + timedelta(minutes=2), "email", "", True))
        subject = rng.choice(SUBJECTS).format(org=self.org.name)
        row = (thread_id, org_id, candidate, recruiter, subject, token, "recruiter", origin, first, last, inbound)
        step_ids += [None] * (len(messages) - len(step_ids))
        enrollment = None
        if steps[0] is not None:
            done = sum(1 for step in step_ids if step)
            state = "replied" if inbound else "completed" if status == "sent" and not bounced else "stopped"
            ended = last if state != "replied" else inbound
            enrollment = (None, org_id, steps[0].sequence_id, candidate, recruiter, state, None, done, None, "", None,
                          first, ended, ended if state == "completed" else None,
                          ended if state != "completed" else None)  # fmt: skip
        return Conversation(row, messages, step_ids, enrollment, circle)

    def _outgoing(self, thread_id, candidate, recruiter, when, status, template, step) -> tuple:
        rng = self.rng
        sent = status in ("sent", "bounced")
        body = rng.choice(BODIES)
        long = rng.random() < 0.05
        findings = MASS if rng.random() < 0.08 else LONG if long else "[]"
        return (None, self.org.pk, thread_id, candidate, "out", "email", recruiter, "", "", "Hello",
                body * 20 if long else body, "", template, rng.randint(35, 100), findings, "", status, "", "", "", "",
                1 if sent else 0, None, "", False, "", step is not None, when, None, when if sent else None,
                None)  # fmt: skip

    def _incoming(self, thread_id, candidate, when, channel, classification, auto) -> tuple:
        return (None, self.org.pk, thread_id, candidate, "in", channel, None, "", "", "Re: Hello",
                "Thanks, tell me more." if not auto else "I am out of the office.", "", None, None, "[]", "",
                "received", "", "", "", "", 0, None, "", auto, classification, False, when, None, None,
                when)  # fmt: skip


def _fixtures(org):
    """Templates, one sequence's e-mail steps and circles to spread outreach over (created when missing)."""
    templates = list(MessageTemplate.objects.filter(organization=org).values_list("pk", flat=True)[:20])
    if len(templates) < 6:
        for number in range(6 - len(templates)):
            template = MessageTemplate.objects.create(
                organization=org,
                name=f"Seeded template {number + 1}",
                subject="Hello",
                body="Hi {{ candidate.first_name }}",
            )
            templates.append(template.pk)
    emails = SequenceStep.objects.filter(sequence__organization=org, kind=SequenceStep.Kind.EMAIL)
    first = emails.order_by("sequence_id").values_list("sequence_id", flat=True).first()
    steps = list(emails.filter(sequence_id=first).order_by("order")[:3])
    if not steps:
        sequence = Sequence.objects.create(organization=org, name="Seeded outreach sequence")
        steps = [
            SequenceStep.objects.create(sequence=sequence, order=n, template_id=templates[n - 1], delay_hours=delay)
            for n, delay in ((1, 0), (2, 72), (3, 96))
        ]
    circles = list(Circle.objects.filter(organization=org).values_list("pk", flat=True)[:10])
    return templates, steps, circles


def seed_messages(*, org, messages: int, seed: int, out) -> int:
    """Write about `messages` messages (whole threads) into `org`; returns how many were written."""
    now = datetime.now(tz=UTC)
    stream = Conversations(org=org, seed=seed, now=now)
    postgres = connection.vendor == "postgresql"
    started, written, threads = time.perf_counter(), 0, 0
    out.write(f"seeding about {messages:,} messages into “{org.slug}” ({connection.vendor})")
    while written < messages:
        estimate = min(BATCH_THREADS, int((messages - written) / 1.2) + 10)
        thread_ids = _ids(Thread._meta.db_table, estimate) if postgres else [None] * estimate
        batch: list[Conversation] = []
        batch_messages = 0
        for thread_id in thread_ids:
            conversation = stream.thread(stream.serial + 1 if thread_id is None else thread_id)
            batch.append(conversation)
            batch_messages += len(conversation.messages)
            if written + batch_messages >= messages:
                break
        with transaction.atomic():
            if postgres:
                _copy(org, batch)
            else:
                _insert(org, batch)
        written += batch_messages
        threads += len(batch)
        elapsed = time.perf_counter() - started
        out.write(f"  {written:>11,} messages  {threads:>10,} threads  {elapsed:7.1f} s  ({written / elapsed:,.0f}/s)")
    _unsubscribe_some(org, now)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE messaging_thread, messaging_message, candidates_candidate, engagement_enrollment,"
                " engagement_sequencemessage, engagement_circleoutreach"
            )
    out.write(f"wrote {written:,} messages in {threads:,} threads in {time.perf_counter() - started:.1f} s")
    return written


def _links(org, conversation: Conversation, message_ids: list[int], enrollment_id: int | None):
    """Engagement's link rows for one conversation whose ids are known."""
    thread_id = conversation.thread[0]
    sequence_messages = [
        (message_id, thread_id, enrollment_id, step, org.pk)
        for message_id, step in zip(message_ids, conversation.steps, strict=True)
        if step is not None
    ]
    circle = [(thread_id, conversation.circle_id, org.pk)] if conversation.circle_id else []
    return sequence_messages, circle


def _copy(org, batch: list[Conversation]) -> None:
    message_ids = iter(_ids(Message._meta.db_table, sum(len(c.messages) for c in batch)))
    enrollment_ids = iter(_ids(Enrollment._meta.db_table, sum(1 for c in batch if c.enrollment)))
    threads, messages, enrollments, sequence_messages, circles = [], [], [], [], []
    for conversation in batch:
        threads.append(conversation.thread)
        ids = [next(message_ids) for _ in conversation.messages]
        messages += [(pk, *row[1:]) for pk, row in zip(ids, conversation.messages, strict=True)]
        enrollment_id = None
        if conversation.enrollment:
            enrollment_id = next(enrollment_ids)
            enrollments.append((enrollment_id, *conversation.enrollment[1:]))
        linked, started_for = _links(org, conversation, ids, enrollment_id)
        sequence_messages += linked
        circles += started_for
    raw = connection.connection
    with raw.cursor() as cursor:
        # Rows are consistent by construction: skip the per-row foreign-key triggers for this
        # transaction (they cost more than the COPY itself). Needs a superuser; otherwise they run.
        try:
            cursor.execute("SAVEPOINT seed_role")
            cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT seed_role")
        for model, columns, rows in (
            (Thread, THREAD_COLUMNS, threads),
            (Enrollment, ENROLLMENT_COLUMNS, enrollments),
            (Message, MESSAGE_COLUMNS, messages),
            (SequenceMessage, SEQUENCE_MESSAGE_COLUMNS, sequence_messages),
            (CircleOutreach, CIRCLE_OUTREACH_COLUMNS, circles),
        ):
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def _insert_row(cursor, model, columns: tuple[str, ...], values) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names are this module's constants, never input.
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})", list(values))  # noqa: S608
    return cursor.lastrowid


def _insert(org, batch: list[Conversation]) -> None:
    """SQLite: row by row, each id as the database assigns it, the rows after it pointed at it."""
    with connection.cursor() as cursor:
        sequence_messages, circles = [], []
        for conversation in batch:
            thread_id = _insert_row(cursor, Thread, THREAD_COLUMNS[1:], conversation.thread[1:])
            conversation.thread = (thread_id, *conversation.thread[1:])
            enrollment_id = None
            if conversation.enrollment:
                enrollment_id = _insert_row(cursor, Enrollment, ENROLLMENT_COLUMNS[1:], conversation.enrollment[1:])
            ids = [
                _insert_row(cursor, Message, MESSAGE_COLUMNS[1:], (row[1], thread_id, *row[3:]))
                for row in conversation.messages
            ]
            linked, started_for = _links(org, conversation, ids, enrollment_id)
            sequence_messages += linked
            circles += started_for
        for model, columns, rows in (
            (SequenceMessage, SEQUENCE_MESSAGE_COLUMNS, sequence_messages),
            (CircleOutreach, CIRCLE_OUTREACH_COLUMNS, circles),
        ):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _unsubscribe_some(org, now: datetime) -> None:
    """About 1 in 200 candidates with outreach unsubscribed, some time in the last 60 days."""
    rng = Random(org.pk)  # noqa: S311
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT candidate_id FROM messaging_thread"
            " WHERE organization_id = %s AND started_by = 'recruiter'",
            [org.pk],
        )
        chosen = [pk for (pk,) in cursor.fetchall() if rng.random() < 0.005]
        for start in range(0, len(chosen), 5000):
            part = chosen[start : start + 5000]
            cursor.executemany(
                "UPDATE candidates_candidate SET unsubscribed_at = %s WHERE id = %s AND unsubscribed_at IS NULL",
                [(now - timedelta(days=rng.random() * 60), pk) for pk in part],
            )
