"""Getting outgoing e-mail out after an outage: the relay, and a person's resend of a message whose
delivery is unknown.

- The relay (`messages_relay`, beat every minute) publishes the delivery of queued messages whose
  task never reached the broker: it was down, or refused, when they were written
  (`messaging.outbox.enqueue_deliveries` gives up after one quick attempt and leaves `published_at`
  empty). It claims them with one conditional UPDATE (after SELECT … FOR UPDATE SKIP LOCKED on
  PostgreSQL), so two relays at once publish each row once; a second publication would be harmless
  anyway, since delivery claims rows conditionally.
- "Delivery unknown" (`Message.Status.UNKNOWN`): the sweep found the row `sending` with `handed_at`
  set, its worker dead; the e-mail may have gone out. `message_resend` is the one-click decision to
  send it again (with the same Message-ID, so a mail client that got both shows one).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from messaging.delivery import MAX_ATTEMPTS, RETRY_GRACE, STALE_AFTER, SWEEP_BATCH, announce_sent
from messaging.models import Message
from messaging.outbox import enqueue_deliveries, queue_delivery
from messaging.services import MessagingError
from talentcircles.models import Organization, User

logger = logging.getLogger(__name__)

# A row written this long ago and still not published has lost its publication: longer than a
# write and its on-commit publish take, even for a bulk send of thousands.
RELAY_AFTER = timedelta(seconds=30)
RELAY_BATCH = 1000


def _claim_unpublished(message_ids: list[int], now: datetime) -> list[int]:
    """Stamp `published_at` on those still queued and unpublished, in one statement; returns their ids.

    Conditional, so of two relays (or a relay and a late publisher) only one takes each row; on
    SQLite, which has no SKIP LOCKED, this is what keeps concurrent relays apart.
    """
    if not message_ids:
        return []
    table = connection.ops.quote_name(Message._meta.db_table)
    marks = ", ".join(["%s"] * len(message_ids))
    # Only placeholders and our own table name are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET published_at = %s WHERE id IN ({marks}) "  # noqa: S608
        "AND status = %s AND published_at IS NULL RETURNING id"
    )
    params = [connection.ops.adapt_datetimefield_value(now), *message_ids, Message.Status.QUEUED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def _publish(message_ids: list[int], claimed_at: datetime) -> None:
    unpublished = enqueue_deliveries(message_ids)
    if unpublished:
        # Still no broker: give them back to the next run.
        Message.objects.filter(pk__in=unpublished, published_at=claimed_at).update(published_at=None)


def messages_relay(*, now: datetime | None = None, after: timedelta = RELAY_AFTER) -> int:
    """Publish delivery for queued outgoing e-mails nobody published for `after`; returns how many it claimed.

    The publication happens once this transaction commits; rows it still cannot publish are left
    for the next run. Retries (`next_attempt_at` in the future) wait for their time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                direction=Message.Direction.OUT,
                channel=Message.Channel.EMAIL,
                status=Message.Status.QUEUED,
                published_at__isnull=True,
                created_at__lte=now - after,
            )
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("pk", flat=True)[:RELAY_BATCH]
        )
        claimed = _claim_unpublished(candidates, now)
        if claimed:
            logger.info("Relaying %s message(s) whose delivery was never published", len(claimed))
            transaction.on_commit(lambda: _publish(claimed, now))
    return len(claimed)


def message_resend(*, org: Organization, message: Message, user: User | None) -> Message:
    """Send again a message whose delivery is unknown (a person's decision); returns it, queued.

    Keeps its Message-ID. Raises MessagingError when it is not an outgoing message of `org` in
    "delivery unknown" (sent, resent already by a colleague, or still being sent).
    """
    if message.organization_id != org.pk or message.direction != Message.Direction.OUT:
        raise MessagingError("Unknown message.", field="message")
    with transaction.atomic():
        resent = Message.objects.filter(pk=message.pk, organization=org, status=Message.Status.UNKNOWN).update(
            status=Message.Status.QUEUED, next_attempt_at=None, handed_at=None, published_at=None, last_error=""
        )  # fmt: skip
        if not resent:
            raise MessagingError("Only a message whose delivery is unknown can be resent.", field="message")
        logger.info("Message %s resent by user %s after an unknown delivery", message.pk, user.pk if user else None)
        message.refresh_from_db()
        queue_delivery(message)
    return message


# --- The sweep -----------------------------------------------------------------------------


DELIVERY_UNKNOWN_NOTE = (
    "Delivery unknown: the worker stopped while handing this message to the mail server, so it may or may "
    "not have gone out. It is not sent again automatically; resend it if the candidate did not get it."
)


def messages_sweep(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER) -> int:
    """Queue delivery again for outgoing e-mail rows whose task was lost; returns how many.

    - `queued` `stale_after` after it was written, or RETRY_GRACE (at most `stale_after`) after its
      `next_attempt_at` (a retry): the broker lost the task (Redis flushed, a retry's countdown
      dropped). The row is left `queued`; `next_attempt_at` is set to now so the next sweep waits
      another RETRY_GRACE before queuing it again.
    - `sending` with `claimed_at` older than `stale_after`: the worker died (the Celery hard time
      limit is shorter). What it recorded decides: no `handed_at`, the e-mail never reached the mail
      server, so the row goes back to `queued` (`failed` after MAX_ATTEMPTS such claims); with
      `handed_at`, the server may have accepted it just before the worker died (the window between
      acceptance and our commit, which no SMTP client can close), so it becomes "delivery unknown"
      for a person to resend (`messaging.recovery.message_resend`), never re-sent in bulk. A worker
      marks each message on its own, so that is at most one message per dead worker.
    Running it twice is harmless: delivery claims rows conditionally, and a `sent` row is never touched.
    """
    now = now or timezone.now()
    cutoff = now - stale_after
    email_out = Q(direction=Message.Direction.OUT, channel=Message.Channel.EMAIL)
    with transaction.atomic():
        stuck_sending = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(email_out, status=Message.Status.SENDING, claimed_at__lte=cutoff)
            .values_list("pk", "attempts", "handed_at")[:SWEEP_BATCH]
        )
        in_flight = [pk for pk, _attempts, handed_at in stuck_sending if handed_at is not None]
        if in_flight:
            logger.warning("Delivery unknown for message(s) %s: their worker died mid-send", in_flight)
        Message.objects.filter(pk__in=in_flight, status=Message.Status.SENDING).update(
            status=Message.Status.UNKNOWN, last_error=DELIVERY_UNKNOWN_NOTE, next_attempt_at=None
        )
        untouched = [(pk, attempts) for pk, attempts, handed_at in stuck_sending if handed_at is None]
        worn_out = [pk for pk, attempts in untouched if attempts >= MAX_ATTEMPTS]
        Message.objects.filter(pk__in=worn_out, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED,
            last_error="Delivery was interrupted too many times.",
            next_attempt_at=None,
        )
        requeue = [pk for pk, attempts in untouched if attempts < MAX_ATTEMPTS]
        Message.objects.filter(pk__in=requeue, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            last_error="Delivery was interrupted; trying again.",
            next_attempt_at=now,
        )
        # Lost: first sends still queued `stale_after` after they were written, and retries (or
        # rows this sweep queued before) still queued RETRY_GRACE after they fell due.
        grace = min(RETRY_GRACE, stale_after)
        lost = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(email_out, status=Message.Status.QUEUED)
            .filter(Q(next_attempt_at__isnull=True, created_at__lte=cutoff) | Q(next_attempt_at__lte=now - grace))
            .exclude(pk__in=requeue)
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Message.objects.filter(pk__in=lost, status=Message.Status.QUEUED).update(next_attempt_at=now)
        to_queue = requeue + lost
        # Always the real staleness wait: a live worker announces within seconds of marking.
        _announce_orphans(now - max(stale_after, STALE_AFTER))
        transaction.on_commit(lambda: enqueue_deliveries(to_queue))
    return len(to_queue)


def _announce_orphans(cutoff: datetime) -> None:
    """Announce the messages a dead worker marked sent but did not announce (`handed_at` still set)."""
    orphans = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(status=Message.Status.SENT, handed_at__isnull=False, claimed_at__lte=cutoff)
        .select_related("thread")
        .order_by("sent_at", "id")[:SWEEP_BATCH]
    )
    if orphans:
        logger.info("Announcing %s message(s) sent by a worker that died", len(orphans))
        announce_sent(orphans)
