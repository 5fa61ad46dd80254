"""The admins' webhook pages under /o/<org>/settings/webhooks/ (admins only: others get 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from talentcircles.errors import field_messages
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.pagination import CappedPaginator
from talentcircles.webhooks_out import selectors, services
from talentcircles.webhooks_out.forms import WebhookEndpointForm
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint

LOG_PAGE_SIZE = 25


class AdminOnly(OrgMemberRequiredMixin):
    admin_only = True

    def endpoint(self, pk: int) -> WebhookEndpoint:
        try:
            return selectors.endpoint_get(org=self.org, pk=pk)
        except WebhookEndpoint.DoesNotExist:
            raise Http404 from None


class WebhookListView(AdminOnly, View):
    template = "talentcircles/webhooks/list.html"

    def get(self, request, org_slug):
        return self._page(WebhookEndpointForm())

    def post(self, request, org_slug):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(
                    org=self.org, actor=request.user, url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"], description=form.cleaned_data["description"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Endpoint added. Copy its signing secret below into your receiver.")
                return redirect("webhook_detail", org_slug=org_slug, pk=endpoint.pk)
        return self._page(form, status=400)

    def _page(self, form: WebhookEndpointForm, status: int = 200):
        context = {"org": self.org, "membership": self.membership, "form": form,
                   "endpoints": list(selectors.endpoint_list(org=self.org))}  # fmt: skip
        return render(self.request, self.template, context, status=status)


class WebhookDetailView(AdminOnly, View):
    template = "talentcircles/webhooks/detail.html"

    def get(self, request, org_slug, pk):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(
            initial={"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
        )
        return self._page(endpoint, form)

    def post(self, request, org_slug, pk):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(
                    endpoint=endpoint, url=form.cleaned_data["url"], events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_service_errors(error)
                endpoint.refresh_from_db()
            else:
                messages.success(request, "Endpoint saved.")
                return redirect("webhook_detail", org_slug=org_slug, pk=pk)
        return self._page(endpoint, form, status=400)

    def _page(self, endpoint: WebhookEndpoint, form: WebhookEndpointForm, status: int = 200):
        paginator = CappedPaginator(selectors.delivery_log(endpoint=endpoint), LOG_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        context = {"org": self.org, "membership": self.membership, "endpoint": endpoint, "form": form,
                   "page": page, "deliveries": list(page.object_list)}  # fmt: skip
        return render(self.request, self.template, context, status=status)


class WebhookActionView(AdminOnly, View):
    """POST-only buttons on an endpoint's page: rotate the secret, send a test event, pause, resume, delete."""

    def post(self, request, org_slug, pk, action):
        endpoint = self.endpoint(pk)
        if action == "rotate":
            services.endpoint_rotate_secret(endpoint=endpoint)
            messages.success(request, "New secret made: deliveries are signed with it from now on.")
        elif action == "test":
            services.webhook_test_send(endpoint=endpoint)
            if endpoint.is_paused:
                messages.warning(request, "Test event queued; it goes out once the endpoint is resumed.")
            else:
                messages.success(request, "Test event queued: it shows in the log below within seconds.")
        elif action == "pause":
            services.endpoint_pause(endpoint=endpoint, reason="Paused by an admin.", notify=False)
            messages.success(request, "Endpoint paused: events are kept and sent once you resume it.")
        elif action == "resume":
            queued = services.endpoint_resume(endpoint=endpoint)
            messages.success(request, f"Endpoint resumed; {queued} waiting deliveries queued.")
        elif action == "delete":
            services.endpoint_delete(endpoint=endpoint)
            messages.success(request, "Endpoint deleted with its delivery log.")
            return redirect("webhooks", org_slug=org_slug)
        else:
            raise Http404
        return redirect("webhook_detail", org_slug=org_slug, pk=pk)


class WebhookRedeliverView(AdminOnly, View):
    def post(self, request, org_slug, pk, delivery_pk):
        try:
            delivery = selectors.delivery_get(org=self.org, endpoint_pk=pk, pk=delivery_pk)
        except WebhookDelivery.DoesNotExist:
            raise Http404 from None
        try:
            services.delivery_redeliver(delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(m for found in field_messages(error).values() for m in found))
        else:
            messages.success(request, f"Event {delivery.event_id} queued to be sent again.")
        return redirect("webhook_detail", org_slug=org_slug, pk=pk)
