"""Reads shared by the webhook pages and API; each owns its joins so its query count is fixed."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from talentcircles.models import Organization
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, org: Organization) -> QuerySet[WebhookEndpoint]:
    """The organisation's endpoints, each with how many deliveries wait (read from the open rows' index)."""
    waiting = (
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"), status__in=WebhookDelivery.OPEN)
        .order_by()
        .values("endpoint")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        WebhookEndpoint.objects.for_org(org)
        .annotate(waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), 0))
        .order_by("created_at", "id")
    )


def endpoint_get(*, org: Organization, pk: int) -> WebhookEndpoint:
    """One of the organisation's endpoints (WebhookEndpoint.DoesNotExist for another's: a 404)."""
    return WebhookEndpoint.objects.for_org(org).get(pk=pk)


def delivery_log(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, newest first, without the payloads (shown on demand)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload").order_by("-id")


def delivery_get(*, org: Organization, endpoint_pk: int, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.for_org(org).select_related("endpoint").get(endpoint_id=endpoint_pk, pk=pk)
