"""The outbox: one `WebhookDelivery` per endpoint that chose the event (a paused endpoint's wait for it to be
resumed), written inside the transaction of the change it announces, so it is rolled back with it and never
announces what did not happen.

`on_events` is subscribed to `talentcircles.events` (TalentCirclesConfig.ready); engagement announces
what is not a candidate event (a job interest) with `webhook_event_record`. After commit a delivery task
is published best effort (`kick`); beat's periodic pass delivers whatever a lost kick left.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from talentcircles import events
from talentcircles.webhooks_out import payloads
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# How long a delivery is retried before it is marked failed.
DELIVERY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WebhookEvent:
    organization_id: int
    event_type: str
    candidate_id: int | None
    data: dict
    occurred_at: datetime


def on_events(batch: Sequence[events.CandidateEvent]) -> None:
    """The events subscriber: the deliveries for the events webhooks announce, in this transaction."""
    announced = []
    for event in batch:
        mapped = payloads.from_candidate_event(event)
        if mapped is not None:
            event_type, data = mapped
            announced.append(
                WebhookEvent(event.organization_id, event_type, event.candidate_id, data, event.occurred_at)
            )
    if announced:
        webhook_events_record(announced)


def webhook_event_record(
    *, organization_id: int, event_type: str, candidate_id: int | None, data: dict, occurred_at: datetime | None = None
) -> list[WebhookDelivery]:
    """Announce one event to the organisation's endpoints that chose it (call it inside the change's transaction)."""
    event = WebhookEvent(organization_id, event_type, candidate_id, data, occurred_at or timezone.now())
    return webhook_events_record([event])


def webhook_events_record(batch: Sequence[WebhookEvent]) -> list[WebhookDelivery]:
    """The deliveries of many events: one query for the endpoints, one insert; a kick after commit."""
    org_ids = {event.organization_id for event in batch}
    endpoints = list(
        WebhookEndpoint.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .only("id", "events", "organization__slug")
    )
    if not endpoints:
        return []
    now = timezone.now()
    rows = []
    for event in batch:
        event_id = str(uuid.uuid4())
        for endpoint in endpoints:
            if endpoint.organization_id != event.organization_id or event.event_type not in endpoint.events:
                continue
            rows.append(_delivery(endpoint, event, event_id, now))
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        transaction.on_commit(kick)
    return rows


def _delivery(endpoint: WebhookEndpoint, event: WebhookEvent, event_id: str, now: datetime) -> WebhookDelivery:
    body = payloads.envelope(
        event_id=event_id, event_type=event.event_type, occurred_at=event.occurred_at,
        organization=endpoint.organization.slug, candidate_id=event.candidate_id, data=event.data,
    )  # fmt: skip
    return WebhookDelivery(
        endpoint=endpoint, event_id=event_id, event_type=event.event_type, payload=body,
        candidate_id=event.candidate_id, next_attempt_at=now, expires_at=now + DELIVERY_WINDOW, created_at=now,
    )  # fmt: skip


def kick() -> None:
    """Publish a delivery pass now; best effort (a broker outage leaves it to beat's next pass)."""
    from talentcircles.webhooks_out.tasks import webhooks_deliver_task  # tasks import the worker, which imports this

    try:
        webhooks_deliver_task.apply_async(retry=False)
    except Exception:
        logger.warning("Could not publish a webhook delivery pass; beat's next pass will deliver", exc_info=True)
