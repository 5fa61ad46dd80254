"""The one organisation-scoping mechanism every app reuses.

- `OrgScopedQuerySet.for_org(org)` starts every recruiter-facing query.
- `talentcircles.mixins.OrgMemberRequiredMixin` resolves `/o/<org_slug>/…` and answers 404 to non-members.
- `talentcircles.api` holds the DRF counterparts (permission and base viewset); `OrgApiRequest` types the
  request they let through.

Objects of another organisation are 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from talentcircles.models import Membership, Organization, User


class OrgScopedQuerySet(models.QuerySet):
    def for_org(self, org: Organization | int) -> Self:
        """The rows of `org`, given as an Organization or its id (which spares loading it)."""
        return self.filter(organization=org)


class OrgApiRequest(Request):
    """An API request once `IsOrganizationMember` has let it through (the user signed in, `org` and
    `membership` set): for annotations only.
    """

    user: User
    org: Organization
    membership: Membership


def signed_in_user(request: HttpRequest) -> User:
    """`request.user` in a view that only signed-in users reach (behind a login or membership check).

    An anonymous user here is a missing check, refused rather than acted for.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def membership_for(user: User | AnonymousUser, org_slug: str) -> Membership:
    """The user's membership of the organisation, or 404 (also for unknown slugs)."""
    from talentcircles.models import Membership

    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organization").get(user=user, organization__slug=org_slug)
    except Membership.DoesNotExist:
        raise Http404 from None
