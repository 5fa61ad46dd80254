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
