"""API tenancy primitives named in settings: the permission and the pagination.

Kept apart from `talentcircles.api` because DRF imports these while loading its own
views, so this module must not import DRF's views or viewsets.
"""

from __future__ import annotations

from functools import partial

from rest_framework import exceptions, pagination, permissions

from talentcircles import permissions as roles
from talentcircles.models import ApiToken, Membership
from talentcircles.pagination import LIST_COUNT_CAP, CappedPaginator

ORG_HEADER = "X-Organization"


def resolve_membership(request) -> Membership:
    """The caller's membership: the token's, or for a session the one named (or the only one)."""
    if isinstance(request.auth, ApiToken):
        return request.auth.membership
    memberships = Membership.objects.select_related("organization").filter(user=request.user)
    slug = request.headers.get(ORG_HEADER) or request.query_params.get("org")
    if slug:
        membership = memberships.filter(organization__slug=slug).first()
        if membership is None:
            raise exceptions.NotFound("No such organisation.")
        return membership
    found = list(memberships[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise exceptions.NotFound("You are not a member of any organisation.")
    raise exceptions.ValidationError(
        {"org": [f"You belong to several organisations: name one with the {ORG_HEADER} header or ?org=<slug>."]}
    )


class IsOrganizationMember(permissions.IsAuthenticated):
    """Authenticated, a member of the request's organisation, and allowed what the endpoint declares
    for this request (`talentcircles.permissions.for_method`: `capabilities` per action or method,
    `read_capability`, `capability`), with the role the member has now and the token's scope.
    Sets `request.org` and `request.membership`.
    """

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        membership = resolve_membership(request)
        request.membership, request.org = membership, membership.organization
        token = request.auth if isinstance(request.auth, ApiToken) else None
        capability = roles.for_method(view, request.method, getattr(view, "action", None), api=True)
        if not roles.can(membership, capability, token):
            raise exceptions.PermissionDenied(roles.refusal(membership, capability, token))
        return True


class ValidatedPageSizeMixin:
    """`?page_size=` is a whole number from 1 to `max_page_size`, else a 400 naming it (DRF ignores garbage)."""

    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = 100

    def get_page_size(self, request):
        name, most = self.page_size_query_param or "page_size", self.max_page_size or 100
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return super().get_page_size(request)  # type: ignore[misc]
        message = f"Give a whole number from 1 to {most}."
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({name: [message]}) from None
        if not 1 <= size <= most:
            raise exceptions.ValidationError({name: [message]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Results per page, 1 to {self.max_page_size}."
        return parameters


class CountedPagination(ValidatedPageSizeMixin, pagination.PageNumberPagination):
    """Page-number pagination whose body carries `count`, the total across pages.

    The count stops at LIST_COUNT_CAP (a million-row COUNT is too slow to run per page);
    `count_capped` says when there are more. A view that already knows its count (a search
    ranked by relevance counts its window, up to `RANK_WINDOW` + 1) sets `known_count` to
    `(counted, cap)`, and that is used instead of a COUNT query.
    """

    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "known_count", None)
        if known is not None:
            counted, cap = known
            self.django_paginator_class = partial(CappedPaginator, counted=counted, count_cap=cap)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_is_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": (
                f"True when there are more than `count` results (counting stops at {LIST_COUNT_CAP:,}; "
                "at 500 for a search ranked by relevance, which ranks its first 500 matches)."
            ),
            "example": False,
        }
        return schema
