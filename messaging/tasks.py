"""Celery tasks of the messaging app: a few lines each, calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from messaging import delivery, recovery
from messaging.inbound.tasks import poll_imap_mailbox  # noqa: F401  (registers the IMAP poll with Celery)
from messaging.models import Message


# acks_late: a worker that dies mid-task leaves the task on the broker to run again, which is safe
# because delivery claims rows conditionally and never sends a `sent` row twice.
@shared_task(acks_late=True)
def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    """Send a batch of queued outgoing messages; each temporary failure gets its own retry task."""
    delivered = delivery.messages_deliver(message_ids)
    # Run eagerly (tests, CELERY_TASK_ALWAYS_EAGER) a retry cannot wait: the row stays queued with its
    # next_attempt_at and the sweep delivers it later. The row, not Celery, counts attempts.
    if not deliver_messages.request.is_eager:
        now = timezone.now()
        for message_id, due_at in delivered.retry_at.items():
            deliver_message.apply_async((message_id,), countdown=max((due_at - now).total_seconds(), 1))
    return delivered.counts()


@shared_task(bind=True, acks_late=True, max_retries=delivery.MAX_ATTEMPTS * 2)
def deliver_message(self, message_id: int) -> str:
    """Send one queued outgoing message; on a temporary failure, run again when the row says it is due."""
    outcome = delivery.message_deliver(message_id)
    if outcome == delivery.RETRY and not self.request.is_eager:
        due_at = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
        countdown = max((due_at - timezone.now()).total_seconds(), 1) if due_at else 1
        # If this retry is lost the sweep queues it again.
        raise self.retry(countdown=countdown)
    return outcome


@shared_task
def sweep_stuck_messages() -> int:
    """Periodic: queue delivery again for messages whose task was lost; returns how many."""
    return recovery.messages_sweep()


@shared_task
def relay_unpublished_messages() -> int:
    """Periodic: publish delivery for queued messages whose task never reached the broker; returns how many."""
    return recovery.messages_relay()
