"""Engagement API: a candidate's timeline, logging notes/calls/meetings, stage changes, reminders.

Scoped to the caller's organisation: another organisation's candidate or reminder is 404.
Reads go through `engagement.selectors`, writes through `engagement.services` (and
`candidates.services.candidate_set_stage` for stages); service errors are 400 with field messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, pagination, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from candidates.models import Candidate
from candidates.services import candidate_set_stage
from engagement.timeline import selectors, services
from engagement.timeline.models import Activity, Reminder
from talentcircles.api import OrgScopedMixin, OrgScopedModelViewSet
from talentcircles.api_permissions import ValidatedPageSizeMixin
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION, path_id
from talentcircles.models import Membership, User
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest

Kind = Activity.Kind


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    actor = ActorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id", "kind", "occurred_at", "summary", "body", "details", "actor",
            "message_id", "circle", "created_at", "edited_at",
        ]  # fmt: skip
        read_only_fields = fields


class ActivityLogSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(str(k), k.label) for k in Activity.LOGGED_KINDS])
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When; notes and calls default to now."
    )
    outcome = serializers.ChoiceField(
        choices=services.CALL_OUTCOMES, required=False, allow_blank=True, default="", help_text="Calls only."
    )
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Calls only.")
    attendees = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list, help_text="Meetings only."
    )
    confirm_far_date = serializers.BooleanField(
        required=False, default=False, help_text="Needed for a meeting more than a year away."
    )


class StageChangeSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text=f"One of: {', '.join(Candidate.Stage.values)}.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CandidateStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "stage", "stage_changed_at"]
        read_only_fields = fields


class ReminderSerializer(serializers.ModelSerializer):
    candidate = serializers.IntegerField(
        source="candidate_id", min_value=1, max_value=MAX_ID, help_text="The candidate's id."
    )
    candidate_name = serializers.CharField(source="candidate.full_name", read_only=True)
    recruiter = serializers.IntegerField(
        source="recruiter_id",
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The member to remind; defaults to the caller.",
    )
    done = serializers.BooleanField(required=False, help_text="Set true to tick the reminder off.")

    class Meta:
        model = Reminder
        fields = [
            "id", "candidate", "candidate_name", "recruiter", "due_at", "note", "origin", "done", "done_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "candidate_name", "origin", "done_at", "created_at"]
        extra_kwargs = {"note": {"required": False, "allow_blank": True}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["done"] = instance.done_at is not None
        return data

    def validate(self, attrs):
        moved = (
            self.instance is not None
            and attrs.get("candidate_id", self.instance.candidate_id) != self.instance.candidate_id
        )
        if moved:
            raise ValidationError({"candidate": ["A reminder stays with its candidate; create a new one instead."]})
        return attrs


class TimelinePagination(ValidatedPageSizeMixin, pagination.CursorPagination):
    """Newest first; the cursor is opaque and stable while new activities arrive."""

    ordering = ("-occurred_at", "-id")
    page_size = selectors.TIMELINE_PAGE_SIZE


_ID = path_id("candidate")

# A generic view to mypy, a plain mixin at run time (as `talentcircles.api.OrgScopedMixin`).
if TYPE_CHECKING:
    _GenericBase = generics.GenericAPIView
else:
    _GenericBase = object


class CandidateScopedMixin(_GenericBase):
    """For generic views: the candidate named by the URL, of the caller's organisation (else 404)."""

    request: OrgApiRequest

    def candidate(self) -> Candidate:
        try:
            return Candidate.objects.for_org(self.request.org).get(pk=self.kwargs["pk"])
        except Candidate.DoesNotExist:
            raise NotFound("No such candidate.") from None


@extend_schema(
    summary="A candidate's timeline, newest first",
    parameters=[
        *_ID,
        OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Kind.values, description="Only these."),
    ],
    responses={200: ActivitySerializer(many=True), **VALIDATION, **NOT_FOUND},
    examples=[
        OpenApiExample(
            "A logged call",
            response_only=True,
            value={
                "id": 981,
                "kind": "call",
                "occurred_at": "2025-05-02T09:30:00Z",
                "summary": "Call · Connected · 20 min",
                "body": "Open to a platform role from September.",
                "details": {"outcome": "connected", "duration_minutes": 20},
                "actor": {"id": 7, "email": "recruiter@example.com"},
                "message_id": None,
                "circle": None,
                "created_at": "2025-05-02T09:52:00Z",
                "edited_at": None,
            },
        )
    ],
)
class TimelineView(mixins.ListModelMixin, CandidateScopedMixin, OrgScopedMixin, generics.GenericAPIView):
    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    pagination_class = TimelinePagination

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def org_queryset(self, org):
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Kind.values:
            choices = ", ".join(Kind.values)
            raise ValidationError({"kind": [f"“{kind}” is not an activity kind. Choose one of: {choices}."]})
        return selectors.timeline(org=org, candidate=self.candidate(), kind=kind)


class ActivityLogView(CandidateScopedMixin, generics.GenericAPIView):
    capability = Capability.SCHEDULE
    serializer_class = ActivityLogSerializer

    @extend_schema(
        summary="Log a note, a call or a meeting",
        parameters=_ID,
        request=ActivityLogSerializer,
        responses={201: ActivitySerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "A call",
                request_only=True,
                value={
                    "kind": "call",
                    "body": "Open to a platform role from September.",
                    "outcome": "connected",
                    "duration_minutes": 20,
                },
            ),
            OpenApiExample(
                "A meeting",
                request_only=True,
                value={
                    "kind": "meeting",
                    "occurred_at": "2025-06-12T14:00:00+01:00",
                    "attendees": ["Jane Doe", "Sam Smith"],
                    "body": "Coffee at the office.",
                },
            ),
            OpenApiExample(
                "A meeting far away, not confirmed",
                response_only=True,
                status_codes=["400"],
                value={"occurred_at": ["12 Jun 2205 is more than a year from now. Check the date, or confirm it."]},
            ),
        ],
    )
    def post(self, request, pk):
        candidate = self.candidate()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        activity = services.activity_log(
            candidate=candidate, actor=request.user, kind=data["kind"], body=data["body"],
            occurred_at=data["occurred_at"], outcome=data["outcome"], duration_minutes=data["duration_minutes"],
            attendees=data["attendees"], confirm_far_date=data["confirm_far_date"],
        )  # fmt: skip
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class StageView(CandidateScopedMixin, generics.GenericAPIView):
    capability = Capability.MOVE_STAGE
    serializer_class = StageChangeSerializer

    @extend_schema(
        summary="Move a candidate to another stage",
        description="Records who, when, from, to, why and how long the previous stage lasted, on the timeline.",
        parameters=_ID,
        request=StageChangeSerializer,
        responses={200: CandidateStageSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "Interested", request_only=True, value={"stage": "interested", "reason": "Replied to the circle post."}
            ),
            OpenApiExample(
                "Unknown stage",
                response_only=True,
                status_codes=["400"],
                value={
                    "stage": [
                        "“keen” is not a stage. Choose one of: new, contacted, engaged, interested, "
                        "applied, hired, not_interested, archived."
                    ]
                },
            ),
        ],
    )
    def post(self, request, pk):
        candidate = self.candidate()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        candidate = candidate_set_stage(
            candidate=candidate, actor=request.user, stage=serializer.validated_data["stage"],
            reason=serializer.validated_data["reason"],
        )  # fmt: skip
        return Response(CandidateStageSerializer(candidate).data)


REMINDER_STATUSES = ("open", "due", "overdue", "done")
_REMINDER_ID = path_id("reminder")
_REMINDER_EXAMPLE = OpenApiExample(
    "Follow up in two weeks",
    request_only=True,
    value={"candidate": 42, "due_at": "2025-05-16T09:00:00+01:00", "note": "Ask how the offer went"},
)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's reminders",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(REMINDER_STATUSES),
                description="open: not done; due: open and due by the end of the caller's day (overdue included); "
                "overdue: open and past due; done: ticked off.",
            )
        ],
    ),
    create=extend_schema(
        summary="Add a reminder",
        examples=[
            _REMINDER_EXAMPLE,
            OpenApiExample(
                "Another organisation's candidate",
                response_only=True,
                status_codes=["400"],
                value={"candidate": ["No such candidate in this organisation."]},
            ),
        ],
        responses={201: ReminderSerializer, **VALIDATION},
    ),
    retrieve=extend_schema(summary="Read a reminder", parameters=_REMINDER_ID),
    update=extend_schema(summary="Change a reminder", parameters=_REMINDER_ID),
    partial_update=extend_schema(
        summary='Change some fields of a reminder (e.g. {"done": true})',
        parameters=_REMINDER_ID,
        examples=[OpenApiExample("Tick it off", request_only=True, value={"done": True})],
    ),
    destroy=extend_schema(summary="Delete a reminder", parameters=_REMINDER_ID),
)
class ReminderViewSet(OrgScopedModelViewSet):
    """The caller's own reminders in the organisation; anyone else's is 404."""

    capability = Capability.SCHEDULE

    queryset = Reminder.objects.all()
    serializer_class = ReminderSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        reminders = selectors.my_reminders(org=org, recruiter=self.request.user)
        wanted = self.request.query_params.get("status", "") if self.action == "list" else ""
        if wanted and wanted not in REMINDER_STATUSES:
            raise ValidationError({"status": [f"Choose one of: {', '.join(REMINDER_STATUSES)}."]})
        now = timezone.now()
        if wanted == "open":
            reminders = reminders.open()
        elif wanted == "due":
            reminders = selectors.reminders_due(org=self.request.org, recruiter=self.request.user, now=now)
        elif wanted == "overdue":
            reminders = reminders.open().filter(due_at__lt=now)
        elif wanted == "done":
            reminders = reminders.filter(done_at__isnull=False).order_by("-done_at", "-id")
        return reminders

    def _recruiter(self, data: dict) -> User:
        recruiter_id = data.get("recruiter_id")
        if recruiter_id is None or recruiter_id == self.request.user.pk:
            return self.request.user
        members = Membership.objects.for_org(self.request.org).select_related("user")
        member = members.filter(user_id=recruiter_id).first()
        if member is None:
            raise ValidationError({"recruiter": ["The reminder must be for a member of this organisation."]})
        return member.user

    def perform_create(self, serializer):
        data = serializer.validated_data
        # The organisation comes from the request, never from the body.
        reminder = services.reminder_create(
            org=self.request.org, candidate_id=data["candidate_id"], recruiter=self._recruiter(data),
            due_at=data["due_at"], note=data.get("note", ""), created_by=self.request.user,
        )  # fmt: skip
        if data.get("done"):
            services.reminder_complete(reminder=reminder)
        serializer.instance = reminder

    def perform_update(self, serializer):
        data = serializer.validated_data
        changes = {name: data[name] for name in ("due_at", "note", "done") if name in data}
        if "recruiter_id" in data:
            changes["recruiter"] = self._recruiter(data)
        serializer.instance = services.reminder_update(reminder=serializer.instance, **changes)

    def perform_destroy(self, instance):
        services.reminder_delete(reminder=instance)
