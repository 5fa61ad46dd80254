"""The one organisation-scoping mechanism every app reuses.

- `OrgScopedQuerySet.for_org(org)` starts every recruiter-facing query.
- `talentcircles.mixins.OrgMemberRequiredMixin` resolves `/o/<org_slug>/…` and answers 404 to non-members.
- `talentcircles.api` holds the DRF counterparts (permission and base viewset).

Objects of another organisation are 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from talentcircles.models import Membership, Organization


class OrgScopedQuerySet(models.QuerySet):
    def for_org(self, org: Organization) -> OrgScopedQuerySet:
        return self.filter(organization=org)


def membership_for(user, org_slug: str) -> Membership:
    """The user's membership of the organisation, or 404 (also for unknown slugs)."""
    from talentcircles.models import Membership

    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organization").get(user=user, organization__slug=org_slug)
    except Membership.DoesNotExist:
        raise Http404 from None
