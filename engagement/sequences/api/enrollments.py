"""`…/sequences/{id}/enrollments/` (list, enrol), `/api/v1/enrollments/` (read, pause, resume, stop) and
`/api/v1/enrollment-jobs/{id}/` (progress).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from candidates.models import Candidate
from engagement.circles.models import Circle
from engagement.sequences import enrolment, enrolment_batches, lifecycle, selectors
from engagement.sequences.api.common import _ID_CHUNK, MAX_ENROL_IDS, _choices
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence
from talentcircles.api import OrgScopedViewSet
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id, query_id
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest

# --- Enrollments --------------------------------------------------------------------------------


class EnrollmentSerializer(serializers.ModelSerializer):
    sequence = serializers.IntegerField(source="sequence_id", read_only=True)
    candidate = serializers.IntegerField(source="candidate_id", read_only=True)
    enrolled_by = serializers.IntegerField(source="enrolled_by_id", read_only=True, allow_null=True)
    state = _choices(Enrollment.State.choices, read_only=True)
    next_step = serializers.IntegerField(
        source="next_step_id", read_only=True, allow_null=True, help_text="The step that runs at `next_run_at`."
    )

    class Meta:
        model = Enrollment
        fields = [
            "id", "sequence", "candidate", "state", "next_step", "steps_done", "next_run_at", "stop_reason",
            "enrolled_by", "enrolled_at", "updated_at", "completed_at", "stopped_at",
        ]  # fmt: skip
        read_only_fields = fields


class EnrolRequestSerializer(serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=MAX_ENROL_IDS,
        help_text=f"Candidate ids (up to {MAX_ENROL_IDS:,}).",
    )
    circle = serializers.IntegerField(required=False, min_value=1, help_text="Or a circle: all its members.")

    def validate(self, data: dict) -> dict:
        if ("candidates" in data) == ("circle" in data):
            raise serializers.ValidationError({"non_field_errors": ["Give either `candidates` or `circle`."]})
        return data


class SkippedSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()
    reason = _choices(list(enrolment_batches.ENROLL_SKIP_REASONS.items()))
    # DRF's serializer metaclass takes declared fields off the class, so this does not replace the
    # serializer's own `label` attribute; the stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]


class EnrolResultSerializer(serializers.Serializer):
    enrolled = EnrollmentSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class EnrollmentJobSerializer(serializers.ModelSerializer):
    sequence = serializers.IntegerField(source="sequence_id", read_only=True)
    status = _choices(EnrollmentJob.Status.choices, read_only=True)
    skipped_reasons = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text="Reason code → how many."
    )
    progress_url = serializers.SerializerMethodField()

    class Meta:
        model = EnrollmentJob
        fields = [
            "id", "sequence", "status", "total", "processed", "enrolled", "skipped", "skipped_reasons", "error",
            "created_at", "started_at", "finished_at", "progress_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress_url(self, job: EnrollmentJob) -> str:
        path = reverse("api-enrollment-job-detail", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


_ENROLL_STATE = OpenApiParameter(
    "state", OpenApiTypes.STR, enum=Enrollment.State.values, description="Only enrollments in this state."
)


class SequenceEnrollmentsView(GenericAPIView):
    """A sequence's enrollments: list them, or enrol candidates (by id or a whole circle)."""

    capability = Capability.BULK_SEND

    request: OrgApiRequest
    serializer_class = EnrollmentSerializer

    def sequence(self) -> Sequence:
        return get_object_or_404(Sequence.objects.for_org(self.request.org), pk=self.kwargs["sequence_pk"])

    @extend_schema(
        summary="List a sequence's enrollments, newest first",
        parameters=[*path_id("sequence", "sequence_pk"), _ENROLL_STATE],
        responses=EnrollmentSerializer(many=True),
    )
    def get(self, request, sequence_pk: int):
        state = request.query_params.get("state", "")
        qs = selectors.enrollment_list(
            sequence=self.sequence(), state=state if state in Enrollment.State.values else ""
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EnrollmentSerializer(page, many=True).data)

    @extend_schema(
        summary="Enrol candidates in a sequence",
        description=(
            "Enrols the candidates who can be (the others are listed in `skipped` with the reason). "
            f"Above {enrolment.BACKGROUND_ENROLMENT_THRESHOLD:,} candidates the enrolment runs in the "
            "background: the answer is 202 with the job, whose `progress_url` shows its progress."
        ),
        parameters=path_id("sequence", "sequence_pk"),
        request=EnrolRequestSerializer,
        responses={201: EnrolResultSerializer, 202: EnrollmentJobSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample("Two candidates", request_only=True, value={"candidates": [42, 43]}),
            OpenApiExample("A circle", request_only=True, value={"circle": 7}),
            OpenApiExample(
                "Enrolled and skipped",
                response_only=True,
                status_codes=["201"],
                value={
                    "enrolled": [
                        {
                            "id": 9,
                            "sequence": 1,
                            "candidate": 42,
                            "state": "active",
                            "next_step": 3,
                            "steps_done": 0,
                            "next_run_at": "2026-03-02T09:00:00Z",
                            "stop_reason": "",
                            "enrolled_by": 5,
                            "enrolled_at": "2026-03-01T20:14:00Z",
                            "updated_at": "2026-03-01T20:14:00Z",
                            "completed_at": None,
                            "stopped_at": None,
                        }
                    ],
                    "skipped": [{"candidate": 43, "reason": "unsubscribed", "label": "Unsubscribed from all messages"}],
                },
            ),
        ],
    )
    def post(self, request, sequence_pk: int):
        sequence = self.sequence()
        body = EnrolRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target: dict = {}
        if "circle" in body.validated_data:
            circle = Circle.objects.for_org(request.org).filter(pk=body.validated_data["circle"]).first()
            if circle is None:
                raise serializers.ValidationError({"circle": ["No circle with this id in this organisation."]})
            target["circle"] = circle
        else:
            target["candidate_ids"] = self._own_candidate_ids(body.validated_data["candidates"])
        result = enrolment.enrollments_create(
            org=request.org,
            sequence=sequence,
            enrolled_by=request.user,
            background_threshold=enrolment.BACKGROUND_ENROLMENT_THRESHOLD,
            **target,
        )
        if result.job is not None:
            data = EnrollmentJobSerializer(result.job, context={"request": request}).data
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["progress_url"]})
        return Response(
            {
                "enrolled": EnrollmentSerializer(result.enrolled, many=True).data,
                "skipped": result.skipped_with_labels(),
            },
            status=status.HTTP_201_CREATED,
        )

    def _own_candidate_ids(self, wanted: list[int]) -> list[int]:
        """The ids, once each in the order given; any that is not this organisation's is a 400 naming it."""
        ids = list(dict.fromkeys(wanted))
        found: set[int] = set()
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            found.update(Candidate.objects.for_org(self.request.org).filter(pk__in=chunk).values_list("pk", flat=True))
        unknown = [pk for pk in ids if pk not in found]
        if unknown:
            shown = ", ".join(map(str, unknown[:20])) + (
                f" and {len(unknown) - 20:,} more" if len(unknown) > 20 else ""
            )
            raise serializers.ValidationError({"candidates": [f"No candidate with id {shown} in this organisation."]})
        return ids


_ENROLLMENT_ID = path_id("enrollment")
_TRANSITION = {200: EnrollmentSerializer, **VALIDATION, **NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary="List enrollments",
        parameters=[
            OpenApiParameter("sequence", OpenApiTypes.INT, description="Only this sequence's."),
            OpenApiParameter("candidate", OpenApiTypes.INT, description="Only this candidate's."),
            _ENROLL_STATE,
        ],
    ),
    retrieve=extend_schema(
        summary="Read an enrollment", parameters=_ENROLLMENT_ID, responses={200: EnrollmentSerializer, **NOT_FOUND}
    ),
)
class EnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    capability = Capability.MANAGE_SEQUENCES
    queryset = Enrollment.objects.all()
    serializer_class = EnrollmentSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        qs = super().org_queryset(org).order_by("-enrolled_at", "-id")
        params = self.request.query_params
        for name in ("sequence", "candidate"):
            wanted = query_id(params, name)
            if wanted is not None:
                qs = qs.filter(**{f"{name}_id": wanted})
        state = params.get("state", "")
        if state and state not in Enrollment.State.values:
            raise ValidationError({"state": [f"Choose one of: {', '.join(Enrollment.State.values)}."]})
        if state:
            qs = qs.filter(state=state)
        return qs

    def _transition(self, service, **kwargs) -> Response:
        enrollment = self.get_object()
        enrollment = service(enrollment=enrollment, **kwargs)
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(summary="Pause an active enrollment", parameters=_ENROLLMENT_ID, request=None, responses=_TRANSITION)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._transition(lifecycle.enrollment_pause)

    @extend_schema(
        summary="Resume a paused enrollment (a step that fell due runs in the next send window)",
        parameters=_ENROLLMENT_ID,
        request=None,
        responses=_TRANSITION,
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._transition(lifecycle.enrollment_resume)

    @extend_schema(
        summary="Stop an enrollment for good", parameters=_ENROLLMENT_ID, request=None, responses=_TRANSITION
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        return self._transition(lifecycle.enrollment_stop)


@extend_schema_view(
    retrieve=extend_schema(
        summary="A background enrolment's progress",
        parameters=path_id("enrolment job"),
        responses={200: EnrollmentJobSerializer, **NOT_FOUND},
    )
)
class EnrollmentJobViewSet(mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = EnrollmentJob.objects.all()
    serializer_class = EnrollmentJobSerializer
    lookup_value_regex = r"\d+"
