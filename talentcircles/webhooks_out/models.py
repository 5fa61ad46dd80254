"""Webhooks out: the endpoints an organisation's admins register, and the outbox of deliveries to them.

A `WebhookDelivery` row is written in the same transaction as the change it announces
(`talentcircles.webhooks_out.outbox`) and moved along by the delivery worker
(`talentcircles.webhooks_out.delivery`): pending → delivering → delivered, or back to pending with a
later `next_attempt_at`, or failed once `expires_at` (24 hours) has passed.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet

# The events an endpoint may choose (`ping` is sent only by "Send test event", to one endpoint).
EVENT_TYPES: dict[str, str] = {
    "candidate.created": "A candidate was added (by hand, the API, an import or the community sign-up).",
    "candidate.updated": "A candidate's profile changed (the names of the fields that changed).",
    "candidate.stage_changed": "A candidate moved to another stage.",
    "message.replied": "A candidate answered a message (with how the answer was read).",
    "candidate.unsubscribed": "A candidate unsubscribed.",
    "job.interest_created": "A candidate raised a hand for a job.",
    "candidate.erased": "A candidate's personal data was erased.",
}
PING = "ping"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpointQuerySet(OrgScopedQuerySet):
    def active(self) -> WebhookEndpointQuerySet:
        return self.filter(status=WebhookEndpoint.Status.ACTIVE)


class WebhookEndpoint(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="The event types sent to this endpoint.")
    # Kept readable: every delivery is signed with it. Shown to the organisation's admins only.
    secret = models.CharField(max_length=80, default=new_secret)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    # The first failed attempt since the last delivered one: a day of it pauses the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "talentcircles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "status"], name="webhook_endpoint_org_status")]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED


class WebhookDeliveryQuerySet(OrgScopedQuerySet):
    def for_org(self, org: Organization | int) -> WebhookDeliveryQuerySet:
        return self.filter(endpoint__organization=org)


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERING = "delivering", "Delivering"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # What blocks the deliveries after it for the same endpoint and candidate (ordering per candidate).
    OPEN = (Status.PENDING, Status.DELIVERING)

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The same on every attempt: receivers dedupe by it.")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    # No foreign key: talentcircles sits below candidates, and the row must outlive an erasure.
    candidate_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="After this a failing delivery is given up (marked failed).")
    # A claimed row: which worker holds it, until when (after that another worker may take it again).
    claim_token = models.UUIDField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The claim: open rows by when they are due.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="webhook_delivery_due",
                condition=Q(status__in=["pending", "delivering"]),
            ),
            # Head of line: an earlier open row for the same endpoint and candidate.
            models.Index(
                fields=["endpoint", "candidate_id", "id"],
                name="webhook_delivery_line",
                condition=Q(status__in=["pending", "delivering"]),
            ),
            # The delivery log, newest first; and the claim's own rows.
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log"),
            models.Index(fields=["claim_token"], name="webhook_delivery_claim", condition=Q(claim_token__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id} ({self.status})"
