"""Sequences API: `/api/v1/sequences/` (CRUD with nested steps), `…/{id}/enrollments/` (list, enrol),
`/api/v1/enrollments/` (read, pause, resume, stop) and `/api/v1/enrollment-jobs/{id}/` (progress).

Scoped to the caller's organisation: another organisation's sequence, enrollment or job is 404,
and another organisation's candidate, circle or template named in a body is a 400 naming the
field. Writes go through `engagement.sequences`; its field errors come back as 400s keyed like
DRF's own (`{"steps": {"1": {"delay_hours": ["…"]}}}`, by the step's index in the request) and
nothing is written.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from candidates.models import Candidate
from engagement.circles.models import Circle
from engagement.sequences import builder, enrolment, enrolment_batches, lifecycle, selectors
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep
from messaging.models import MessageTemplate
from talentcircles.api import OrgScopedViewSet

_NOT_FOUND = {404: OpenApiTypes.OBJECT}
_VALIDATION = {400: OpenApiTypes.OBJECT}
_STEP_KEY = re.compile(r"^steps\[(\d+)\]\.(\w+)$")
_ID_CHUNK = 5_000  # SQLite caps the number of query parameters
MAX_ENROL_IDS = 100_000


def _path_id(what: str, name: str = "id") -> list[OpenApiParameter]:
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")]


def _choices(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented inline: several models here name their choices `status` or `kind`,
    and inline enums keep the schema free of component-name collisions."""

    @extend_schema_field({"type": "string", "enum": [value for value, _ in choices]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)


def service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service ValidationError as a 400 shaped like DRF's own: step fields under `steps`, keyed by
    the step's index in the request (`{"steps": {"1": {"delay_hours": ["…"]}}}`)."""
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({"non_field_errors": exc.messages})
    detail: dict = {}
    step_errors: dict[str, dict] = {}
    for key, messages in exc.message_dict.items():
        match = _STEP_KEY.match(key)
        if match:
            step_errors.setdefault(match.group(1), {}).setdefault(match.group(2), []).extend(messages)
        else:
            detail.setdefault(key, []).extend(messages)
    if step_errors:
        if "steps" in detail:  # a message about the list as a whole cannot sit beside the per-step ones
            detail.setdefault("non_field_errors", []).extend(detail.pop("steps"))
        detail["steps"] = step_errors
    return serializers.ValidationError(detail)


# --- Sequences ----------------------------------------------------------------------------------


class VisibleTemplateField(serializers.PrimaryKeyRelatedField):
    """A template id the caller may use: active, of their organisation, shared or their own."""

    def get_queryset(self):
        request = self.context["request"]
        return MessageTemplate.objects.for_org(request.org).active().visible_to(request.user)


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing step's id keeps that step (on update)."
    )
    order = serializers.IntegerField(min_value=1, required=False, help_text="1 is the first step.")
    kind = _choices(SequenceStep.Kind.choices, default=SequenceStep.Kind.EMAIL)
    template = VisibleTemplateField(
        queryset=MessageTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="E-mail steps: the template sent (a shared one or your own).",
    )
    delay_hours = serializers.IntegerField(
        min_value=0, default=0, help_text="Wait after the previous step (after enrolment for the first)."
    )
    delay_business_days = serializers.IntegerField(
        min_value=0, default=0, help_text="Or the wait in business days (not both)."
    )
    same_thread = serializers.BooleanField(default=True, help_text="Follow-ups: reply in the previous conversation.")
    task_text = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Task steps: the owner's reminder."
    )

    def to_representation(self, step: SequenceStep) -> dict:
        return {
            "id": step.pk,
            "order": step.order,
            "kind": step.kind,
            "template": step.template_id,
            "delay_hours": step.delay_hours,
            "delay_business_days": step.delay_business_days,
            "same_thread": step.same_thread,
            "task_text": step.task_text,
        }


class SequenceSerializer(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id", read_only=True, allow_null=True)
    status = _choices(Sequence.Status.choices, required=False, help_text="`archived` also stops running enrollments.")
    steps = StepSerializer(many=True, help_text="The whole list; on update it replaces the steps (kept by `id`).")
    step_count = serializers.IntegerField(read_only=True, default=0)
    active_enrollments = serializers.IntegerField(source="active_count", read_only=True, default=0)
    contacted = serializers.IntegerField(
        source="contacted_count", read_only=True, default=0, help_text="Enrollments that had at least one step."
    )
    replied = serializers.IntegerField(source="replied_count", read_only=True, default=0)
    reply_rate = serializers.SerializerMethodField(help_text="Replied ÷ contacted, in percent; null before any send.")

    class Meta:
        model = Sequence
        fields = [
            "id", "name", "owner", "status", "send_window_start", "send_window_end", "steps", "step_count",
            "active_enrollments", "contacted", "replied", "reply_rate", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "owner", "created_at", "updated_at"]

    def get_reply_rate(self, sequence: Sequence) -> float | None:
        return selectors.reply_rate(
            replied=getattr(sequence, "replied_count", 0), contacted=getattr(sequence, "contacted_count", 0)
        )


def _step_data(steps: list[dict]) -> list[dict]:
    return [{**step, "order": step.get("order") or index} for index, step in enumerate(steps, start=1)]


@extend_schema_view(
    list=extend_schema(
        summary="List sequences with their steps and enrollment figures",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=Sequence.Status.values,
                description="Only this status; without it, every sequence but archived ones.",
            )
        ],
    ),
    create=extend_schema(
        summary="Create a sequence with its steps",
        responses={201: SequenceSerializer, **_VALIDATION},
        examples=[
            OpenApiExample(
                "Three steps",
                request_only=True,
                value={
                    "name": "Backend 2026",
                    "steps": [
                        {"order": 1, "kind": "email", "template": 3, "delay_hours": 0},
                        {"order": 2, "kind": "email", "template": 4, "delay_hours": 72, "same_thread": True},
                        {"order": 3, "kind": "task", "delay_business_days": 3, "task_text": "Call them"},
                    ],
                },
            ),
            OpenApiExample(
                "A follow-up without a delay",
                response_only=True,
                status_codes=["400"],
                value={
                    "steps": {
                        "1": {
                            "delay_hours": [
                                "A follow-up needs a delay after the previous step (at least one hour or one "
                                "business day)."
                            ]
                        }
                    }
                },
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a sequence", parameters=_path_id("sequence"), responses={200: SequenceSerializer, **_NOT_FOUND}
    ),
    update=extend_schema(
        summary="Replace a sequence's fields and steps (running enrollments follow for steps not yet sent)",
        parameters=_path_id("sequence"),
        responses={200: SequenceSerializer, **_VALIDATION, **_NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a sequence's fields (steps, when given, replace the list)",
        parameters=_path_id("sequence"),
        responses={200: SequenceSerializer, **_VALIDATION, **_NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Archive a sequence: its running enrollments stop; sent messages and figures are kept",
        parameters=_path_id("sequence"),
        responses={204: None, **_NOT_FOUND},
    ),
)
class SequenceViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    queryset = Sequence.objects.all()
    serializer_class = SequenceSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organisation
            return Sequence.objects.none()
        steps = Prefetch("steps", queryset=SequenceStep.objects.order_by("order", "id"))
        qs = selectors.sequence_list(org=self.request.org, include_archived=True).prefetch_related(steps)
        wanted = self.request.query_params.get("status", "")
        if self.action == "list":
            qs = (
                qs.filter(status=wanted)
                if wanted in Sequence.Status.values
                else qs.exclude(status=Sequence.Status.ARCHIVED)
            )
        return qs

    def _fresh(self, sequence: Sequence) -> Sequence:
        return self.get_queryset().get(pk=sequence.pk)

    def perform_create(self, serializer):
        # The organisation is passed explicitly: with the DRF mixins first in the bases,
        # OrgScopedViewSet.perform_create is shadowed.
        data = dict(serializer.validated_data)
        steps = _step_data(data.pop("steps"))
        try:
            sequence = builder.sequence_create(org=self.request.org, owner=self.request.user, steps=steps, **data)
        except DjangoValidationError as exc:
            raise service_error(exc) from None
        serializer.instance = self._fresh(sequence)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        steps = _step_data(data.pop("steps")) if "steps" in data else None
        try:
            sequence = builder.sequence_update(sequence=serializer.instance, steps=steps, **data)
        except DjangoValidationError as exc:
            raise service_error(exc) from None
        serializer.instance = self._fresh(sequence)

    def perform_destroy(self, instance: Sequence) -> None:
        builder.sequence_set_status(sequence=instance, status=Sequence.Status.ARCHIVED)


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
    label = serializers.CharField()


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

    serializer_class = EnrollmentSerializer

    def sequence(self) -> Sequence:
        return get_object_or_404(Sequence.objects.for_org(self.request.org), pk=self.kwargs["sequence_pk"])

    @extend_schema(
        summary="List a sequence's enrollments, newest first",
        parameters=[*_path_id("sequence", "sequence_pk"), _ENROLL_STATE],
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
        parameters=_path_id("sequence", "sequence_pk"),
        request=EnrolRequestSerializer,
        responses={201: EnrolResultSerializer, 202: EnrollmentJobSerializer, **_VALIDATION, **_NOT_FOUND},
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
        try:
            result = enrolment.enrollments_create(
                org=request.org,
                sequence=sequence,
                enrolled_by=request.user,
                background_threshold=enrolment.BACKGROUND_ENROLMENT_THRESHOLD,
                **target,
            )
        except DjangoValidationError as exc:
            raise service_error(exc) from None
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


_ENROLLMENT_ID = _path_id("enrollment")
_TRANSITION = {200: EnrollmentSerializer, **_VALIDATION, **_NOT_FOUND}


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
        summary="Read an enrollment", parameters=_ENROLLMENT_ID, responses={200: EnrollmentSerializer, **_NOT_FOUND}
    ),
)
class EnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = Enrollment.objects.all()
    serializer_class = EnrollmentSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        qs = Enrollment.objects.for_org(self.request.org).order_by("-enrolled_at", "-id")
        params = self.request.query_params
        for name in ("sequence", "candidate"):
            value = params.get(name, "")
            if value.isdigit():
                qs = qs.filter(**{f"{name}_id": int(value)})
        if params.get("state") in Enrollment.State.values:
            qs = qs.filter(state=params["state"])
        return qs

    def _transition(self, service, **kwargs) -> Response:
        enrollment = self.get_object()
        try:
            enrollment = service(enrollment=enrollment, **kwargs)
        except DjangoValidationError as exc:
            raise service_error(exc) from None
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
        parameters=_path_id("enrolment job"),
        responses={200: EnrollmentJobSerializer, **_NOT_FOUND},
    )
)
class EnrollmentJobViewSet(mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = EnrollmentJob.objects.all()
    serializer_class = EnrollmentJobSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EnrollmentJob.objects.none()
        return EnrollmentJob.objects.for_org(self.request.org)
