"""View mixin for recruiter pages under `/o/<org_slug>/…` (see `talentcircles.tenancy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest

from talentcircles.tenancy import membership_for

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from talentcircles.models import Membership, Organization


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves every request: for annotations only.

    A view that reads `self.request.htmx` declares `request: HtmxRequest` in its own body (declared
    on a mixin, it would clash with the `request` of the view's other bases).
    """

    htmx: HtmxDetails


class OrgMemberRequiredMixin(LoginRequiredMixin):
    """Sets `self.org` and `self.membership` (and the same on the request) for `/o/<org_slug>/…`.

    The signed-in user, typed: `talentcircles.tenancy.signed_in_user(self.request)`.
    """

    # Set by View.setup() on the view this is mixed into.
    request: HttpRequest
    args: Any
    kwargs: Any
    # Set by dispatch().
    org: Organization
    membership: Membership
    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request.user, kwargs["org_slug"])
        if self.admin_only and not self.membership.is_admin:
            raise Http404
        self.org = self.membership.organization
        request.org, request.membership = self.org, self.membership
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(org=self.org, membership=self.membership)
        return context
