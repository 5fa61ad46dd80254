"""DRF side of tenancy: the base viewset every app's API uses, and the organisation endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from talentcircles.api_permissions import ORG_HEADER
from talentcircles.models import Organization
from talentcircles.tenancy import OrgApiRequest


class OrgScopedViewSet(viewsets.GenericViewSet):
    """Base for organisation-owned resources: every query starts from `request.org`.

    Subclasses set `queryset` to a model whose manager has `for_org`; objects of another
    organisation therefore fall outside the queryset and are 404.
    """

    request: OrgApiRequest

    def get_queryset(self):
        return super().get_queryset().for_org(self.request.org)

    def perform_create(self, serializer):
        serializer.save(organization=self.request.org)


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id", "name", "slug", "tagline", "description", "brand_color", "sender_name",
            "sender_email", "time_zone", "send_window_start", "send_window_end", "role",
        ]  # fmt: skip
        read_only_fields = fields

    def get_role(self, org) -> str:
        return self.context["request"].membership.role


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
