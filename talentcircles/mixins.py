"""View mixin for recruiter pages under `/o/<org_slug>/…` (see `talentcircles.tenancy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest

from talentcircles.tenancy import membership_for

if TYPE_CHECKING:
    from talentcircles.models import Membership, Organization


class OrgMemberRequiredMixin(LoginRequiredMixin):
    """Sets `self.org` and `self.membership` (and the same on the request) for `/o/<org_slug>/…`.

    A view that reads the request's user, organisation or htmx details declares `request: OrgRequest`
    (`talentcircles.tenancy`): what `dispatch` leaves. The mixin itself keeps View's `request` type,
    as mypy wants the views' other bases to agree with it.
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
