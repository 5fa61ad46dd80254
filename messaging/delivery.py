"""The outbox: an outgoing e-mail message row is claimed, checked once more, sent and marked.

The row is the source of truth. `messages_deliver` (a batch; `message_deliver` for one) moves rows
`queued` → `sending` with one conditional UPDATE (so of two workers only one sends each), re-checks
that each candidate may still be contacted, hands the e-mails to Django's e-mail backend (whatever
EMAIL_URL configures: SMTP, console, an anymail provider) through one connection per batch and
moves each accepted one `sending` → `sent` on its own, right away (`handed_at`, written just before
the server gets it, tells the sweep which message a dead worker had in flight). Temporary failures
put a row back to `queued` with a later `next_attempt_at`; permanent ones, or too many attempts,
make it `failed` with the error kept for the thread. `messaging.recovery.messages_sweep` re-queues
rows whose task was lost. Nothing here sends twice: a row that is not `queued` and due is never claimed.
The e-mail itself is built by `messaging.envelope`.
"""

from __future__ import annotations

import logging
import random
import smtplib
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from messaging.envelope import BodyRenderer, build_email
from messaging.models import Message
from messaging.services import CANDIDATE_HEAVY_FIELDS, SKIP_REASONS, new_message_id_header, skip_reasons
from talentcircles import events
from talentcircles.models import Organization, User

logger = logging.getLogger(__name__)

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
CANCELLED = "cancelled"
SKIPPED = "skipped"

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
# Far below the Redis broker's visibility timeout (an hour), so a retry's countdown never makes
# Redis hand the same task to a second worker.
BACKOFF_CAP = timedelta(minutes=10)
# Longer than the Celery hard time limit (5 minutes): a row still `sending` after this has lost its worker.
STALE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
# A retry whose own task was lost (Redis flushed) is queued again by the sweep this long after it fell due.
RETRY_GRACE = timedelta(minutes=2)
# Sent messages are announced (MESSAGE_SENT) every this many or this long; each is marked sent at once.
ANNOUNCE_EVERY = 100
ANNOUNCE_AFTER = timedelta(seconds=2)
# While a batch is sent, who may be contacted and who answered is read again after this long, so a
# slow mail server cannot stretch the time between the check and the send.
RECHECK_EVERY = timedelta(seconds=2)
_MAX_ERROR_CHARS = 2000


class _PermanentError(Exception):
    """Sending this message can never succeed as it is (refused address, 5xx)."""


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: uniform in [1 s, min(cap, base · 2^(attempts-1))]."""
    ceiling = min(BACKOFF_CAP.total_seconds(), BACKOFF_BASE.total_seconds() * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=(rng or random).uniform(1, max(ceiling, 1)))


# --- Delivery --------------------------------------------------------------------------------


def _table() -> str:
    return connection.ops.quote_name(Message._meta.db_table)


def _claim_many(message_ids: list[int], now: datetime) -> list[int]:
    """Move the due, queued outgoing e-mails among `message_ids` to `sending` in one statement.

    Conditional (only `queued` and due rows), so two workers given the same ids claim each row once.
    UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35.
    """
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return []
    stamp = connection.ops.adapt_datetimefield_value(now)
    marks = ", ".join(["%s"] * len(ids))
    # Only placeholders and our own table name are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {_table()} SET status = %s, claimed_at = %s, handed_at = NULL, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN ({marks}) AND status = %s AND direction = %s AND channel = %s "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) RETURNING id"
    )
    params = [Message.Status.SENDING, stamp, *ids, Message.Status.QUEUED, Message.Direction.OUT,
              Message.Channel.EMAIL, stamp]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _release(message: Message, **fields) -> None:
    """Move our claimed row out of `sending`; conditional, so a row the sweep took back is left alone."""
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)


def _cancel_reasons(messages: list[Message]) -> dict[int, str]:
    """Message id → why it must not go out after all, as the thread shows it; absent when it may.

    Reads fresh state: two queries per organisation for who may be contacted, one for answers.
    """
    reasons: dict[int, str] = {}
    by_org: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        by_org[message.organization_id].append(message)
    for rows in by_org.values():
        codes = skip_reasons(org=rows[0].organization, candidates=[m.candidate for m in rows])
        for message in rows:
            code = codes.get(message.candidate_id)
            if code:
                reasons[message.pk] = f"Not sent: {SKIP_REASONS.get(code, code)}"
    # A follow-up written by automation (a sequence) is pointless once the candidate answered in its thread. Only a
    # thread with activity since the message was written can hold such an answer (an answer moves
    # `last_message_at`); the rest, a batch of first messages say, need no query.
    follow_ups = [
        m for m in messages if m.automated and m.pk not in reasons and m.thread.last_message_at > m.created_at
    ]
    if follow_ups:
        last_answer = dict(
            Message.objects.answers()
            .filter(thread_id__in={m.thread_id for m in follow_ups})
            .values("thread_id")
            .annotate(last=Max("created_at"))
            .values_list("thread_id", "last")
        )
        for message in follow_ups:
            answered = last_answer.get(message.thread_id)
            if answered is not None and answered > message.created_at:
                reasons[message.pk] = "Not sent: the candidate answered before this follow-up went out."
    return reasons


def _is_permanent(error: Exception) -> bool:
    """True for failures a retry cannot fix: the recipient or the message is refused (5xx), a bad address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Every recipient refused; 4xx there is greylisting or a full mailbox, worth another try.
        codes = [code for code, _text in error.recipients.values()]
        return not codes or any(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return False
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our own mail server settings are wrong: once they are fixed the message can still go.
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return False
    # An address Django cannot encode, a header it refuses (BadHeaderError is a ValueError).
    return isinstance(error, (ValueError, UnicodeError))


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in error.recipients.items()
        )
        text = f"The recipient was refused ({text})."
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        text = f"The mail server answered {error.smtp_code} {reply}"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:_MAX_ERROR_CHARS]


class _Backend:
    """One connection to the configured e-mail backend (EMAIL_URL) for a whole batch.

    Opened before the first message and kept open; after an error it is closed and opened again
    for the next message, so one refused message or a dropped connection costs only that message.
    """

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        self.opened = False
        self.unreachable: Exception | None = None

    def send(self, email: EmailMultiAlternatives) -> None:
        if self.unreachable is not None:
            # The server could not be reached for this batch: the rest wait for their retry
            # instead of each waiting for EMAIL_TIMEOUT.
            raise self.unreachable
        if not self.opened:
            try:
                self.connection.open()
            except Exception as error:
                self.unreachable = error
                raise
            self.opened = True
        try:
            if not self.connection.send_messages([email]):
                raise ConnectionError("The e-mail backend accepted nothing.")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.opened:
            self.opened = False
            try:
                self.connection.close()
            except Exception:  # a connection that already broke has nothing left to close
                logger.debug("Closing the e-mail connection failed", exc_info=True)


def _hand_over(message: Message) -> bool:
    """Record, in its own transaction, that this message is about to go to the mail server.

    From now until it is marked sent its fate is unknown if the worker dies: the sweep then marks it
    "delivery unknown" instead of sending it again. Still ours if the sweep only queued it again
    (taken back to `sending`: the task the sweep queued will skip it); False once another claim
    took it (`claimed_at` changed) or it left the outbox (cancelled, erased).
    """
    return bool(
        Message.objects.filter(
            pk=message.pk,
            status__in=[Message.Status.SENDING, Message.Status.QUEUED],
            claimed_at=message.claimed_at,
        ).update(status=Message.Status.SENDING, handed_at=timezone.now())
    )


def _mark_sent(message: Message, email: EmailMultiAlternatives, sent_at: datetime) -> bool:
    """Mark sent what the mail server just accepted: one UPDATE, committed at once.

    One message at a time, so a worker dying at any moment leaves at most the message in flight
    unrecorded. Also from `queued` (the sweep took it back) or "delivery unknown": the e-mail is
    out all the same and must not go again. `handed_at` stays until `announce_sent`. False when the row
    was not marked (sent already, erased meanwhile).
    """
    return bool(
        Message.objects.filter(
            pk=message.pk, status__in=[Message.Status.SENDING, Message.Status.QUEUED, Message.Status.UNKNOWN]
        ).update(
            status=Message.Status.SENT,
            sent_at=sent_at,
            last_error="",
            next_attempt_at=None,
            from_email=header_from(email)[:254],
            to_email=email.to[0][:254],
        )
    )


def _sent_event(message: Message, sent_at: datetime) -> events.CandidateEvent:
    return events.CandidateEvent(
        organization_id=message.organization_id,
        candidate_id=message.candidate_id,
        kind=events.MESSAGE_SENT,
        occurred_at=sent_at,
        actor_id=message.sender_id,
        related={"message_id": message.pk, "thread_id": message.thread_id},
        details={"subject": message.subject, "origin": message.thread.origin, "template_id": message.template_id},
    )


def announce_sent(sent: list[Message], sent_at: datetime | None = None) -> None:
    """Emit the MESSAGE_SENT events of messages marked sent, and clear their `handed_at`, in one transaction.

    Grouped (every ANNOUNCE_EVERY messages or ANNOUNCE_AFTER) so the timeline, stages and roll-ups
    take a few statements a group, not a few a message. A worker dying before this leaves `sent`
    rows with `handed_at` set: the sweep announces them (`_announce_orphans`), so none is lost.
    Clearing `handed_at` comes first and decides who announces: of two callers (a worker and a
    sweep) only the one that cleared it emits, so no message is announced twice.
    """
    if not sent:
        return
    table = _table()
    marks = ", ".join(["%s"] * len(sent))
    # Only placeholders and our own table name are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET handed_at = NULL WHERE id IN ({marks}) "  # noqa: S608
        "AND status = %s AND handed_at IS NOT NULL RETURNING id"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [*(m.pk for m in sent), Message.Status.SENT])
            ours = {row[0] for row in cursor.fetchall()}
        events.emit_many([_sent_event(m, sent_at or m.sent_at or timezone.now()) for m in sent if m.pk in ours])


def header_from(email: EmailMultiAlternatives) -> str:
    """The From header of a built e-mail (its `from_email` is the envelope sender, the VERP address)."""
    return str(email.extra_headers.get("From") or email.from_email)


def _fail_or_retry(message: Message, error: Exception, now: datetime) -> tuple[str, datetime | None]:
    """Record a failed send on the row: `failed` for good, or `queued` again with its next attempt time."""
    text = _error_text(error)
    if _is_permanent(error) or message.attempts >= MAX_ATTEMPTS:
        logger.warning("Message %s failed after %s attempt(s): %s", message.pk, message.attempts, text)
        _release(message, status=Message.Status.FAILED, last_error=text, next_attempt_at=None)
        return FAILED, None
    logger.info("Message %s will be retried (attempt %s): %s", message.pk, message.attempts, text)
    due_at = now + retry_delay(message.attempts)
    _release(message, status=Message.Status.QUEUED, last_error=text, next_attempt_at=due_at)
    return RETRY, due_at


@dataclass
class Delivered:
    """What a delivery run did, message by message; `retry_at` says when each retried one is due."""

    outcomes: dict[int, str] = field(default_factory=dict)
    retry_at: dict[int, datetime] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes.values():
            counted[outcome] += 1
        return dict(counted)


def messages_deliver(message_ids: list[int], *, now: datetime | None = None) -> Delivered:
    """Send many queued outgoing e-mails, each at most once, through one backend connection.

    Claims the due, queued rows among `message_ids` in one statement; re-checks, for all of them
    at once and again every RECHECK_EVERY while sending, that each candidate may still be contacted
    and that no sequence follow-up was answered meanwhile (those are "cancelled"); sends each with
    its own error handling ("retry": queued again with a later `next_attempt_at`; "failed"); records
    each as handed over just before the server gets it and marks it sent (with its MESSAGE_SENT event)
    right after, each in its own transaction. Ids not claimed are "skipped" (already sent, claimed
    by another worker, cancelled, not yet due, not an outgoing e-mail, or no such row).
    """
    now = now or timezone.now()
    result = Delivered()
    claimed = _claim_many(message_ids, now)
    result.outcomes = {pk: SKIPPED for pk in dict.fromkeys(message_ids)}
    if not claimed:
        return result
    messages = list(
        Message.objects.filter(pk__in=claimed)
        .select_related("thread", "candidate")
        .defer(*CANDIDATE_HEAVY_FIELDS)
        .order_by("id")
    )
    # A batch has a handful of organisations and senders: one object each, shared by its messages.
    orgs = Organization.objects.in_bulk({m.organization_id for m in messages})
    senders = User.objects.in_bulk({m.sender_id for m in messages if m.sender_id is not None})
    for message in messages:
        message.organization = message.candidate.organization = orgs[message.organization_id]
        message.sender = senders.get(message.sender_id)
    without_id = [m for m in messages if not m.message_id_header]
    for message in without_id:
        # Saved before the first send so every retry carries the same Message-ID.
        message.message_id_header = new_message_id_header()
    if without_id:
        Message.objects.bulk_update(without_id, ["message_id_header"])

    renderer, backend = BodyRenderer(), _Backend()
    checked_at = -1e9
    sent = _Unannounced()
    try:
        for position, message in enumerate(messages):
            if clock.monotonic() - checked_at > RECHECK_EVERY.total_seconds():
                # Just before handing them to the backend: the rest of the batch, read fresh.
                cancelled = _cancel_reasons(messages[position:])
                checked_at = clock.monotonic()
                for reason, pks in _group(cancelled).items():
                    Message.objects.filter(pk__in=pks, status=Message.Status.SENDING).update(
                        status=Message.Status.CANCELLED, last_error=reason, next_attempt_at=None
                    )
                    result.outcomes.update(dict.fromkeys(pks, CANCELLED))
            if result.outcomes[message.pk] != CANCELLED:
                _send_one(message, renderer, backend, result, now, sent)
    finally:
        backend.close()
        sent.announce()
    return result


@dataclass
class _Unannounced:
    """Messages of a batch marked sent and not announced yet, and the send time they share."""

    messages: list[Message] = field(default_factory=list)
    sent_at: datetime | None = None
    started: float = 0.0

    def stamp(self) -> datetime:
        if self.sent_at is None:
            self.sent_at, self.started = timezone.now(), clock.monotonic()
        return self.sent_at

    def add(self, message: Message) -> None:
        self.messages.append(message)
        if len(self.messages) >= ANNOUNCE_EVERY or clock.monotonic() - self.started > ANNOUNCE_AFTER.total_seconds():
            self.announce()

    def announce(self) -> None:
        announce_sent(self.messages, self.sent_at)
        self.messages, self.sent_at = [], None


def _send_one(
    message: Message, renderer: BodyRenderer, backend: _Backend, result: Delivered, now: datetime, sent: _Unannounced
) -> None:
    """Build, record as handed over, send and mark one claimed message; its outcome goes in `result`.

    A database error while marking it sent is not caught: the row stays `sending` with its
    `handed_at`, which the sweep turns into "delivery unknown" rather than sending it again.
    """
    try:
        email = build_email(message, renderer=renderer)
        if not _hand_over(message):
            return  # claimed by another worker since (after a sweep): it sends it ("skipped" here)
        backend.send(email)
    except Exception as error:  # every failure is recorded on the row; unknown ones are retried
        if not isinstance(error, (smtplib.SMTPException, OSError, ValueError, UnicodeError)):
            logger.exception("Unexpected error delivering message %s", message.pk)
        outcome, due_at = _fail_or_retry(message, error, now)
        result.outcomes[message.pk] = outcome
        if due_at is not None:
            result.retry_at[message.pk] = due_at
        return
    # Right after the server accepted it, committed on its own: a worker dying from here on can
    # leave only this one message unrecorded.
    if _mark_sent(message, email, sent.stamp()):
        sent.add(message)
    result.outcomes[message.pk] = SENT


def _group(reasons: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk, reason in reasons.items():
        grouped[reason].append(pk)
    return grouped


def message_deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Send one queued outgoing e-mail message at most once; returns what happened.

    "sent" (handed to the backend and marked), "retry" (temporary failure: queued again with a later
    `next_attempt_at`), "failed" (permanent failure or MAX_ATTEMPTS reached; `last_error` says why),
    "cancelled" (the candidate may no longer be contacted, or answered before a sequence follow-up),
    "skipped" (not queued and due: already sent, claimed by another worker, cancelled or not yet due).
    """
    return messages_deliver([message_id], now=now).outcomes[message_id]
