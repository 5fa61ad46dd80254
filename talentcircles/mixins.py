"""View mixin for recruiter pages under `/o/<org_slug>/…` (see `talentcircles.tenancy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest

from talentcircles import permissions
from talentcircles.permissions import Capability
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
    """Sets `self.org` and `self.membership` (and the same on the request) for `/o/<org_slug>/…`,
    then refuses (403, with the reason) a member whose role lacks the capability the page declares:

    - `capability`: needed for every method (a form page and its POST, an action);
    - `read_capability`: if set, needed instead for GET/HEAD (a page that shows, with a form that writes);
    - neither: GET needs VIEW, a write needs MANAGE_SETTINGS (admins): undeclared writes fail closed;
    - `admin_only = True` (the older spelling, kept for pages written against it): MANAGE_SETTINGS for
      every method, so admins only (403 for other members, as every refusal; it was 404).

    See `talentcircles.permissions`; every route's declaration is checked by the role matrix test.

    The signed-in user, typed: `talentcircles.tenancy.signed_in_user(self.request)`.
    """

    # Set by View.setup() on the view this is mixed into.
    request: HttpRequest
    args: Any
    kwargs: Any
    # Set by dispatch().
    org: Organization
    membership: Membership
    capability: Capability | None = None
    read_capability: Capability | None = None
    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_for(request.user, kwargs["org_slug"])
        self.org = self.membership.organization
        request.org, request.membership = self.org, self.membership
        permissions.require(self.membership, permissions.for_method(self, request.method))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(org=self.org, membership=self.membership)
        return context
