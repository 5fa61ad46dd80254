"""Jobs API: `/api/v1/jobs/` (list by status, create, read, update, delete a draft) and `…/{id}/status/`
(open, hold, fill, close, reopen). The interest in a job is in `api_interests.py`.

Scoped to the caller's organisation: another organisation's job is 404, and an owner or hiring
manager who is not a member of it is a 400 on that field. Writes go through the jobs' services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from engagement.circles.jobs import selectors
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from talentcircles.api import OrgScopedViewSet
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION, path_id
from talentcircles.models import User
from talentcircles.permissions import Capability

_ID = path_id("job")


def _labels(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=30, required=False, help_text=help_text
    )


class _MemberIdField(serializers.IntegerField):
    """A member's user id: read as an id (the serializer turns it into the User), shown as the id."""

    def to_representation(self, value: Any) -> int:
        return value.pk  # the User the model field holds


def _member_id(help_text: str) -> serializers.IntegerField:
    return _MemberIdField(min_value=1, max_value=MAX_ID, allow_null=True, required=False, help_text=help_text)


class _CircleIdsField(serializers.ListField):
    """The circles a job is shared to, as ids: read from the job's circles, written as a list of ids."""

    def to_representation(self, data: Any) -> list[int]:
        return [circle.pk for circle in data.all()]


class JobSerializer(serializers.ModelSerializer):
    locations = _labels("Cities or regions; for a remote job, where people may live.")
    skills = _labels("Skills wanted.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="Markdown.")
    salary_min = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2_000_000_000)
    salary_max = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2_000_000_000)
    salary_currency = serializers.CharField(
        required=False, allow_blank=True, max_length=3, help_text="ISO 4217 (EUR, USD…); needed with a salary."
    )
    owner = _member_id("The recruiter who owns it: a member's user id. Defaults to the caller.")
    hiring_manager = _member_id("A member's user id.")
    circles = _CircleIdsField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=100,
        required=False,
        help_text="Ids of your organisation's circles to share the job to (the whole list: [] stops sharing). "
        "Public ones list it in the community while it is open.",
    )

    class Meta:
        model = Job
        fields = [
            "id", "title", "slug", "team", "description", "description_html", "locations", "remote_policy",
            "employment_type", "seniority", "skills", "salary_min", "salary_max", "salary_currency", "owner",
            "hiring_manager", "ats_url", "circles", "status", "opened_at", "closed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "slug", "description_html", "status", "opened_at", "closed_at", "created_at",
                            "updated_at"]  # fmt: skip
        extra_kwargs = {"team": {"required": False}, "ats_url": {"required": False}}

    def _member(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        user = User.objects.filter(pk=user_id, memberships__organization=self.context["request"].org).first()
        if user is None:
            raise serializers.ValidationError("No member of your organisation has this user id.")
        return user

    def validate_owner(self, value: int | None) -> User | None:
        return self._member(value)

    def validate_hiring_manager(self, value: int | None) -> User | None:
        return self._member(value)

    def validate_circles(self, value: list[int]) -> list[Circle]:
        found = {c.pk: c for c in Circle.objects.for_org(self.context["request"].org).filter(pk__in=value)}
        unknown = [pk for pk in value if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"No circle of your organisation has the id {unknown[0]}.")
        return list({pk: found[pk] for pk in value}.values())


class JobStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Job.Status.choices,
        help_text="draft → open or closed; open → on_hold, filled or closed; on_hold → open, filled or closed; "
        "filled or closed → open. Opening needs a description, and a location unless the job is remote.",
    )


_STATUS_FILTER = OpenApiParameter(
    "status", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, enum=Job.Status.values,
    description="Only jobs in this status.",
)  # fmt: skip
_EXAMPLE = OpenApiExample(
    "A hybrid job in Berlin",
    request_only=True,
    value={
        "title": "Senior Backend Engineer", "team": "Platform", "description": "We build **APIs**.",
        "locations": ["Berlin"], "remote_policy": "hybrid", "employment_type": "full_time", "seniority": "senior",
        "skills": ["Python", "Django"], "salary_min": 70000, "salary_max": 90000, "salary_currency": "EUR",
    },
)  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="List jobs, newest first",
        parameters=[_STATUS_FILTER],
        responses={200: JobSerializer(many=True), **VALIDATION},
    ),
    create=extend_schema(
        summary="Create a job (a draft)", responses={201: JobSerializer, **VALIDATION}, examples=[_EXAMPLE]
    ),
    retrieve=extend_schema(summary="Read a job", parameters=_ID, responses={200: JobSerializer, **NOT_FOUND}),
    update=extend_schema(
        summary="Update a job", parameters=_ID, responses={200: JobSerializer, **VALIDATION, **NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary="Update some fields of a job", parameters=_ID, responses={200: JobSerializer, **VALIDATION, **NOT_FOUND}
    ),
    destroy=extend_schema(
        summary="Delete a draft job (a job that was opened is closed instead: 400)",
        parameters=_ID,
        responses={204: None, **VALIDATION, **NOT_FOUND},
    ),
)
class JobViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    capability = Capability.MANAGE_JOBS
    queryset = Job.objects.all()
    serializer_class = JobSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        wanted = self.request.query_params.get("status", "") if self.action == "list" else ""
        if wanted and wanted not in Job.Status.values:
            raise serializers.ValidationError({"status": [f"Choose one of: {', '.join(Job.Status.values)}."]})
        shared = Prefetch("circles", queryset=Circle.objects.only("pk").order_by("pk"))
        return selectors.job_list(org=org, status=wanted or None).prefetch_related(shared)

    @transaction.atomic
    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("owner", self.request.user)
        job = jobs.job_create(org=self.request.org, actor=self.request.user, data=data)
        if "circles" in data:
            jobs.job_share(job=job, circles=data["circles"])
        serializer.instance = job

    @transaction.atomic
    def perform_update(self, serializer):
        job = jobs.job_update(job=serializer.instance, data=serializer.validated_data)
        if "circles" in serializer.validated_data:
            jobs.job_share(job=job, circles=serializer.validated_data["circles"])  # drops the prefetched ones

    def perform_destroy(self, instance: Job) -> None:
        jobs.job_delete(job=instance)

    @extend_schema(
        summary="Move a job to another status (open, hold, fill, close, reopen)",
        parameters=_ID,
        request=JobStatusSerializer,
        responses={200: JobSerializer, **VALIDATION, **NOT_FOUND},
        examples=[OpenApiExample("Open it", request_only=True, value={"status": "open"})],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        job = self.get_object()
        wanted = JobStatusSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        job = jobs.job_set_status(job=job, status=wanted.validated_data["status"])
        return Response(JobSerializer(job, context=self.get_serializer_context()).data)
