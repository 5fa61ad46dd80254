"""`/api/v1/sequences/`: CRUD with nested steps."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from engagement.sequences import builder, selectors
from engagement.sequences.api.common import _choices
from engagement.sequences.models import Sequence, SequenceStep
from messaging.models import MessageTemplate
from talentcircles.api import OrgScopedModelViewSet
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability

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
        responses={201: SequenceSerializer, **VALIDATION},
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
        summary="Read a sequence", parameters=path_id("sequence"), responses={200: SequenceSerializer, **NOT_FOUND}
    ),
    update=extend_schema(
        summary="Replace a sequence's fields and steps (running enrollments follow for steps not yet sent)",
        parameters=path_id("sequence"),
        responses={200: SequenceSerializer, **VALIDATION, **NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some of a sequence's fields (steps, when given, replace the list)",
        parameters=path_id("sequence"),
        responses={200: SequenceSerializer, **VALIDATION, **NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Archive a sequence: its running enrollments stop; sent messages and figures are kept",
        parameters=path_id("sequence"),
        responses={204: None, **NOT_FOUND},
    ),
)
class SequenceViewSet(OrgScopedModelViewSet):
    capability = Capability.MANAGE_SEQUENCES
    queryset = Sequence.objects.all()
    serializer_class = SequenceSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        steps = Prefetch("steps", queryset=SequenceStep.objects.order_by("order", "id"))
        qs = selectors.sequence_list(org=org, include_archived=True).prefetch_related(steps)
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
        sequence = builder.sequence_create(org=self.request.org, owner=self.request.user, steps=steps, **data)
        serializer.instance = self._fresh(sequence)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        steps = _step_data(data.pop("steps")) if "steps" in data else None
        sequence = builder.sequence_update(sequence=serializer.instance, steps=steps, **data)
        serializer.instance = self._fresh(sequence)

    def perform_destroy(self, instance: Sequence) -> None:
        builder.sequence_set_status(sequence=instance, status=Sequence.Status.ARCHIVED)
