"""DRF side of tenancy: the base viewset every app's API uses, and the organisation endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from talentcircles.api_permissions import ORG_HEADER
from talentcircles.models import ApiToken, Organization
from talentcircles.permissions import capabilities
from talentcircles.tenancy import OrgApiRequest

if TYPE_CHECKING:
    _GenericBase = generics.GenericAPIView
else:
    _GenericBase = object


class OrgScopedMixin(_GenericBase):
    """Every query of the endpoint starts from `request.org`: objects of another organisation are 404.

    For viewsets, `OrgScopedViewSet`; other generic views put this mixin before DRF's view class.

    Subclasses set `queryset` (its model's manager has `for_org`) and, to read through a selector,
    override `org_queryset(org)`. Schema generation has no organisation: it gets `queryset.none()`.
    """

    request: OrgApiRequest

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return super().get_queryset().none()
        return self.org_queryset(self.request.org)

    def org_queryset(self, org: Organization) -> QuerySet:
        """The organisation's objects this endpoint serves."""
        return super().get_queryset().for_org(org)  # type: ignore[attr-defined]  # an OrgScopedQuerySet


class OrgScopedViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Base viewset for organisation-owned resources. Creating one goes through its app's service
    (each viewset's `perform_create` or serializer says which)."""


# List, create, read, update and delete an organisation's resources (each write through its service).
# No docstring: drf-spectacular would show it as the description of every operation of every subclass.
class OrgScopedModelViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    pass


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    token_read_only = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id", "name", "slug", "tagline", "description", "brand_color", "sender_name",
            "sender_email", "time_zone", "send_window_start", "send_window_end", "role",
            "token_read_only", "capabilities",
        ]  # fmt: skip
        read_only_fields = fields

    def get_role(self, org) -> str:
        return self.context["request"].membership.role

    def _token(self) -> ApiToken | None:
        auth = self.context["request"].auth
        return auth if isinstance(auth, ApiToken) else None

    def get_token_read_only(self, org) -> bool:
        """True when the call came with a read-only API token (it can only read)."""
        token = self._token()
        return bool(token and token.read_only)

    def get_capabilities(self, org) -> list[str]:
        """What the caller may do here: their role's capabilities, narrowed by a read-only token (docs/roles.md)."""
        granted = capabilities(self.context["request"].membership, self._token())
        return sorted(capability.value for capability in granted)


class OrganizationView(APIView):
    @extend_schema(
        responses=OrganizationSerializer,
        parameters=[
            OpenApiParameter(
                ORG_HEADER,
                location="header",
                required=False,
                description="Organisation slug, for session callers who belong to several.",
            )
        ],
        summary="The caller's organisation and role",
    )
    def get(self, request):
        return Response(OrganizationSerializer(request.org, context={"request": request}).data)
