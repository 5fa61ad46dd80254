"""Every write to webhook endpoints and their deliveries (besides the outbox and the worker's outcomes)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from talentcircles.models import Membership, Organization, User
from talentcircles.webhooks_out import hosts, payloads
from talentcircles.webhooks_out.models import EVENT_TYPES, PING, WebhookDelivery, WebhookEndpoint, new_secret
from talentcircles.webhooks_out.outbox import DELIVERY_WINDOW, kick

logger = logging.getLogger(__name__)

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_ENDPOINTS_PER_ORG = 20


def clean_url(url: str) -> str:
    """The endpoint URL, or a ValidationError saying what is wrong with it."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": ["Enter a full URL, such as https://example.com/hooks/talentcircles."]}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError({"url": ["Leave user names and passwords out of the URL: deliveries are signed."]})
    if not hosts.literal_allowed(parts.hostname or ""):
        raise ValidationError({"url": ["Use a public address: private, loopback and link-local ones are refused."]})
    if parts.scheme == "http":
        local = (parts.hostname or "") in LOCAL_HOSTS
        if not (local and settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST):
            raise ValidationError({"url": ["Use an https:// URL: events are only sent over an encrypted connection."]})
    return url


def clean_events(chosen: list[str]) -> list[str]:
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"events": [f"Unknown event {unknown[0]!r}."]})
    if not chosen:
        raise ValidationError({"events": ["Choose at least one event."]})
    return [name for name in EVENT_TYPES if name in chosen]  # in the documented order


@transaction.atomic
def endpoint_create(
    *, org: Organization, actor: User | None, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    url, events = clean_url(url), clean_events(events)
    if WebhookEndpoint.objects.for_org(org).count() >= MAX_ENDPOINTS_PER_ORG:
        raise ValidationError({"url": [f"An organisation has at most {MAX_ENDPOINTS_PER_ORG} endpoints."]})
    return WebhookEndpoint.objects.create(
        organization=org, url=url, events=events, description=description.strip()[:200], created_by=actor
    )


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    endpoint.url, endpoint.events = clean_url(url), clean_events(events)
    endpoint.description, endpoint.updated_at = description.strip()[:200], timezone.now()
    endpoint.save(update_fields=["url", "events", "description", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret at once: deliveries from now on are signed with it (the old one stops verifying)."""
    endpoint.secret, endpoint.updated_at = new_secret(), timezone.now()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


@transaction.atomic
def endpoint_pause(*, endpoint: WebhookEndpoint, reason: str, notify: bool = True) -> bool:
    """Stop delivering to the endpoint (its deliveries wait); the admins are e-mailed after commit.

    False when it was already paused (told once).
    """
    now = timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, status=WebhookEndpoint.Status.ACTIVE).update(
        status=WebhookEndpoint.Status.PAUSED, paused_at=now, paused_reason=reason[:300], updated_at=now
    )
    if not changed:
        return False
    endpoint.status, endpoint.paused_at, endpoint.paused_reason = WebhookEndpoint.Status.PAUSED, now, reason[:300]
    if notify:
        endpoint_id = endpoint.pk
        transaction.on_commit(lambda: _tell_admins(endpoint_id))
    return True


def _tell_admins(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("organization").filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    org = endpoint.organization
    recipients = list(
        Membership.objects.for_org(org)
        .filter(role=Membership.Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    page = f"{settings.SITE_URL}/o/{org.slug}/settings/webhooks/{endpoint.pk}/"
    context = {"org": org, "endpoint": endpoint, "url": page}
    try:
        send_mail(
            subject=render_to_string("emails/webhook_paused_subject.txt", context).strip(),
            message=render_to_string("emails/webhook_paused_body.txt", context),
            html_message=render_to_string("emails/webhook_paused_body.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception:  # the page shows the pause too; a mail server outage must not undo it
        logger.warning("Could not e-mail the admins about paused webhook endpoint %s", endpoint_id, exc_info=True)


@transaction.atomic
def endpoint_resume(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> int:
    """Deliver again: its waiting deliveries, and those given up since it began failing, are due now with a
    fresh 24 hours. Returns how many were queued."""
    now = now or timezone.now()
    failing_since = endpoint.failing_since or endpoint.paused_at or now
    queued = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .filter(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED])
        .exclude(status=WebhookDelivery.Status.FAILED, last_attempt_at__lt=failing_since)
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=now, expires_at=now + DELIVERY_WINDOW)
    )
    endpoint.status, endpoint.paused_at, endpoint.paused_reason = WebhookEndpoint.Status.ACTIVE, None, ""
    endpoint.failing_since, endpoint.updated_at = None, now
    endpoint.save(update_fields=["status", "paused_at", "paused_reason", "failing_since", "updated_at"])
    transaction.on_commit(kick)
    return queued


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again (whatever became of it), with the same event id and a fresh 24 hours."""
    now = now or timezone.now()
    if delivery.status == WebhookDelivery.Status.DELIVERING:
        raise ValidationError("This delivery is being sent right now.")
    delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, now
    delivery.expires_at = now + DELIVERY_WINDOW
    delivery.save(update_fields=["status", "next_attempt_at", "expires_at"])
    transaction.on_commit(kick)
    return delivery


@transaction.atomic
def webhook_test_send(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    """A `ping` event to this endpoint alone, signed like every delivery."""
    now = now or timezone.now()
    event_id = str(uuid.uuid4())
    body = payloads.envelope(
        event_id=event_id, event_type=PING, occurred_at=now, organization=endpoint.organization.slug,
        candidate_id=None, data={"endpoint_id": endpoint.pk},
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=PING, payload=body, next_attempt_at=now,
        expires_at=now + DELIVERY_WINDOW, created_at=now,
    )  # fmt: skip
    transaction.on_commit(kick)
    return delivery
