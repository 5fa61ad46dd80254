"""Messaging API: `/api/v1/templates/` (CRUD, archive, preview), `/api/v1/threads/` (list, start, read,
reply) and `/api/v1/messages/check/` (score a draft without sending).

Scoped to the caller's organisation: another organisation's template or thread is 404, and a
candidate or template id of another organisation in a request body is a 400 naming the field.
Writes go through `messaging.services`; a refusal (unsubscribed candidate, a token that cannot be
filled, a body too long) is a 400 with a field message and writes nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from candidates.models import Candidate
from messaging import outbox, selectors, services, template_services
from messaging.checks import personalisation_check
from messaging.models import MessageTemplate, Thread
from messaging.rendering import Rendered, TemplateError, render_text
from messaging.serializers import (
    CheckRequestSerializer,
    CheckResultSerializer,
    MessageSerializer,
    PreviewSerializer,
    ReplySerializer,
    TemplatePreviewRequestSerializer,
    TemplateSerializer,
    ThreadDetailSerializer,
    ThreadListQuerySerializer,
    ThreadStartSerializer,
    ThreadSummarySerializer,
)
from talentcircles.api import OrgScopedModelViewSet, OrgScopedViewSet
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.models import Organization, User
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest


def render_for(
    *,
    subject: str,
    body: str,
    candidate: Candidate,
    recruiter: User,
    organization: Organization,
    circle=None,
) -> Rendered:
    """Subject and body with their tokens filled for the candidate, or a 400 on the field that failed.

    Each is rendered on its own so the error names the field as well as the token and the candidate.
    """
    rendered: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            rendered[field] = render_text(
                text, candidate=candidate, recruiter=recruiter, organization=organization, circle=circle
            )
        except TemplateError as exc:
            errors[field] = [exc.message]
    if errors:
        raise ValidationError(errors)
    return Rendered(subject=rendered["subject"], body=rendered["body"])


def api_idempotency_key(key: str) -> str:
    """A client's key, kept apart from the keys the app writes itself (e.g. a sequence's step keys)."""
    return f"api:{key}" if key else ""


# --- Templates --------------------------------------------------------------------------------

_TEMPLATE_EXAMPLE = OpenApiExample(
    "A shared template",
    request_only=True,
    value={
        "name": "Backend, first touch",
        "subject": 'Your work at {{ candidate.current_company|default:"your team" }}',
        "body": "Hi {{ candidate.first_name }},\n\nI read about your work as {{ candidate.current_title }}…\n\n"
        "{{ recruiter.full_name }}",
        "is_shared": True,
    },
)
_UNKNOWN_TOKEN_EXAMPLE = OpenApiExample(
    "Unknown token",
    response_only=True,
    status_codes=["400"],
    value={"body": ["Unknown token {{ candidate.salary }} at line 1, column 4. Allowed: {{ candidate.first_name }}…"]},
)


@extend_schema_view(
    list=extend_schema(
        summary="Templates: the shared ones and the caller's personal ones",
        parameters=[
            OpenApiParameter(
                "archived", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="true: only the archived ones."
            )
        ],
    ),
    create=extend_schema(
        summary="Create a template",
        responses={201: TemplateSerializer, **VALIDATION},
        examples=[_TEMPLATE_EXAMPLE, _UNKNOWN_TOKEN_EXAMPLE],
    ),
    retrieve=extend_schema(summary="Read a template", parameters=path_id("template")),
    update=extend_schema(
        summary="Replace a template",
        parameters=path_id("template"),
        responses={200: TemplateSerializer, **VALIDATION, **NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary='Change some fields of a template (`{"archived": false}` restores an archived one)',
        parameters=path_id("template"),
        responses={200: TemplateSerializer, **VALIDATION, **NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Archive a template",
        description="Sets `archived_at`: the template leaves the list and cannot start new messages; "
        'messages already written from it keep their text. PATCH `{"archived": false}` restores it.',
        parameters=path_id("template"),
        responses={204: None, **NOT_FOUND},
    ),
)
class TemplateViewSet(OrgScopedModelViewSet):
    """Shared templates and the caller's personal ones; another member's personal template is 404."""

    capability = Capability.MANAGE_TEMPLATES

    queryset = MessageTemplate.objects.all()
    serializer_class = TemplateSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        user = self.request.user
        if self.action == "list":
            archived = self.request.query_params.get("archived", "").lower() in ("1", "true", "yes")
            return selectors.templates_visible(org=org, user=user, archived=archived)
        # Archived ones too: they can be read, restored and previewed.
        return MessageTemplate.objects.for_org(org).visible_to(user).select_related("owner")

    def perform_create(self, serializer):
        serializer.instance = template_services.template_create(
            org=self.request.org, actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        archived = fields.pop("archived", None)
        who = {"org": self.request.org, "actor": self.request.user}
        template = template_services.template_update(**who, template=serializer.instance, **fields)
        if archived is True:
            template = template_services.template_archive(**who, template=template)
        elif archived is False:
            template = template_services.template_restore(**who, template=template)
        serializer.instance = template

    def perform_destroy(self, instance: MessageTemplate) -> None:
        template_services.template_archive(org=self.request.org, actor=self.request.user, template=instance)

    @extend_schema(
        summary="Render a template for a candidate and score it",
        parameters=path_id("template"),
        request=TemplatePreviewRequestSerializer,
        responses={200: PreviewSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample("For candidate 42", request_only=True, value={"candidate": 42}),
            OpenApiExample(
                "A token the candidate has no value for",
                response_only=True,
                status_codes=["400"],
                value={
                    "body": [
                        "{{ candidate.current_company }} has no value for Jane Doe: add a fallback such as "
                        '{{ candidate.current_company|default:"your team" }} or fill in the profile.'
                    ]
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"], serializer_class=TemplatePreviewRequestSerializer)
    def preview(self, request: OrgApiRequest, pk=None) -> Response:
        template = self.get_object()
        serializer = TemplatePreviewRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        candidate = serializer.validated_data["candidate"]
        rendered = render_for(
            subject=template.subject,
            body=template.body,
            candidate=candidate,
            recruiter=request.user,
            organization=request.org,
            circle=serializer.validated_data["circle"],
        )
        result = personalisation_check(
            org=request.org,
            candidate=candidate,
            subject=rendered.subject,
            body=rendered.body,
            template_body=template.body,
        )
        return Response({"subject": rendered.subject, "body": rendered.body, **result.as_dict()})


# --- Threads ----------------------------------------------------------------------------------

_THREAD_EXAMPLE = {
    "id": 310,
    "candidate": {"id": 42, "full_name": "Jane Doe", "email": "jane.doe@example.com"},
    "recruiter": {"id": 7, "email": "recruiter@example.com"},
    "subject": "Your work at Initech",
    "started_by": "recruiter",
    "origin": "one_to_one",
    "created_at": "2025-05-02T09:30:00Z",
    "last_message_at": "2025-05-02T09:30:00Z",
    "last_inbound_at": None,
    "messages": [
        {
            "id": 901,
            "direction": "out",
            "channel": "email",
            "status": "queued",
            "sender": {"id": 7, "email": "recruiter@example.com"},
            "from_email": "",
            "to_email": "jane.doe@example.com",
            "subject": "Your work at Initech",
            "body": "Hi Jane, …",
            "is_auto_reply": False,
            "classification": "",
            "classification_reason": "",
            "personalisation_score": 85,
            "findings": [],
            "created_at": "2025-05-02T09:30:00Z",
            "sent_at": None,
            "received_at": None,
            "last_error": "",
        }
    ],
}


@extend_schema_view(
    list=extend_schema(
        summary="Conversations, most recent activity first",
        parameters=[
            OpenApiParameter(
                "candidate", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this candidate's."
            )
        ],
        responses={200: ThreadSummarySerializer(many=True), **VALIDATION},
    ),
    retrieve=extend_schema(
        summary="A conversation with its messages, oldest first",
        parameters=path_id("thread"),
        responses={200: ThreadDetailSerializer, **NOT_FOUND},
        examples=[OpenApiExample("A conversation", response_only=True, value=_THREAD_EXAMPLE)],
    ),
)
class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    capability = Capability.SEND_MESSAGES
    queryset = Thread.objects.all()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action == "list":
            return ThreadSummarySerializer
        if self.action == "create":
            return ThreadStartSerializer
        if self.action == "messages":
            return ReplySerializer
        return ThreadDetailSerializer

    def org_queryset(self, org: Organization) -> QuerySet[Thread]:
        query = ThreadListQuerySerializer(
            data={k: v for k, v in self.request.query_params.dict().items() if k == "candidate" and v != ""},
            context=self.get_serializer_context(),
        )
        query.is_valid(raise_exception=True)
        candidate = query.validated_data.get("candidate")
        filters = selectors.ThreadFilters(candidate_id=candidate.pk if candidate else None)
        return selectors.thread_list(org=org, filters=filters)

    def get_object(self) -> Thread:
        try:
            thread = selectors.thread_detail(org=self.request.org, pk=int(self.kwargs["pk"]))
        except Thread.DoesNotExist:
            raise NotFound("No such conversation.") from None
        self.check_object_permissions(self.request, thread)
        return thread

    def _detail(self, thread: Thread) -> dict:
        fresh = selectors.thread_detail(org=self.request.org, pk=thread.pk)
        return ThreadDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Start a conversation and queue its first message",
        description="Give `subject` and `body`, or a `template` rendered for the candidate (a `subject` or "
        "`body` sent with it replaces the template's). The message is e-mailed once the request commits.",
        request=ThreadStartSerializer,
        responses={201: ThreadDetailSerializer, **VALIDATION},
        examples=[
            OpenApiExample(
                "Written by hand",
                request_only=True,
                value={"candidate": 42, "subject": "Your talk at DjangoCon", "body": "Hi Jane, …"},
            ),
            OpenApiExample("From a template", request_only=True, value={"candidate": 42, "template": 3}),
            OpenApiExample(
                "Unsubscribed candidate",
                response_only=True,
                status_codes=["400"],
                value={"candidate": ["Jane Doe can't be messaged: unsubscribed from all messages."]},
            ),
            OpenApiExample("Started", response_only=True, status_codes=["201"], value=_THREAD_EXAMPLE),
        ],
    )
    def create(self, request: OrgApiRequest) -> Response:
        serializer = ThreadStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidate, template, circle = data["candidate"], data["template"], data["circle"]
        subject, body = data["subject"], data["body"]
        if template is not None:
            subject, body = subject or template.subject, body or template.body
        # Say that the candidate can't be messaged before complaining about a token they can't fill.
        reason = services.skip_reason(candidate)
        if reason:
            raise services.NotContactable(candidate, reason)
        # Hand-written text may use tokens too, like the composer's.
        rendered = render_for(
            subject=subject,
            body=body,
            candidate=candidate,
            recruiter=request.user,
            organization=request.org,
            circle=circle,
        )
        message = outbox.thread_start(
            org=request.org,
            candidate=candidate,
            recruiter=request.user,
            subject=rendered.subject,
            body=rendered.body,
            template=template,
            circle_id=circle.pk if circle is not None else None,
            idempotency_key=api_idempotency_key(data["idempotency_key"]),
            override=data["override"],
        )
        return Response(self._detail(message.thread), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reply in a conversation",
        description="Queues a follow-up e-mail in the same thread (with In-Reply-To and References).",
        parameters=path_id("thread"),
        request=ReplySerializer,
        responses={201: MessageSerializer, **VALIDATION, **NOT_FOUND},
        examples=[OpenApiExample("A follow-up", request_only=True, value={"body": "Hi Jane, any thoughts?"})],
    )
    @action(detail=True, methods=["post"])
    def messages(self, request: OrgApiRequest, pk=None) -> Response:
        thread = self.get_object()
        serializer = ReplySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template, subject, body = data["template"], data["subject"], data["body"]
        # An empty subject becomes "Re: <the thread's subject>" in the service, never the template's.
        rendered = render_for(
            subject=subject,
            body=body or (template.body if template is not None else ""),
            candidate=thread.candidate,
            recruiter=request.user,
            organization=request.org,
            circle=selectors.thread_circle(request.org, thread),
        )
        message = outbox.message_reply(
            thread=thread,
            sender=request.user,
            body=rendered.body,
            subject=rendered.subject,
            template=template,
            idempotency_key=api_idempotency_key(data["idempotency_key"]),
            override=data["override"],
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


# --- The check --------------------------------------------------------------------------------


class MessageCheckView(GenericAPIView):
    """Score a draft for a candidate; nothing is written or sent."""

    capability = Capability.SEND_MESSAGES

    serializer_class = CheckRequestSerializer

    @extend_schema(
        summary="Score a draft for a candidate without sending it",
        description="Tokens in the subject and body are filled for the candidate first; the result is the "
        "personalisation score (0 to 100) and the findings behind it.",
        request=CheckRequestSerializer,
        responses={200: CheckResultSerializer, **VALIDATION},
        examples=[
            OpenApiExample(
                "A draft",
                request_only=True,
                value={"candidate": 42, "subject": "Quick question", "body": "Hi [Name], I have an exciting role…"},
            ),
            OpenApiExample(
                "Its score",
                response_only=True,
                value={
                    "score": 35,
                    "findings": [
                        {
                            "code": "placeholder",
                            "message": "Leftover placeholder: “[Name]”. Replace with the real details before sending.",
                            "severity": "high",
                            "penalty": 40,
                        }
                    ],
                },
            ),
        ],
    )
    def post(self, request: OrgApiRequest) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidate, template = data["candidate"], data["template"]
        rendered = render_for(
            subject=data["subject"],
            body=data["body"],
            candidate=candidate,
            recruiter=request.user,
            organization=request.org,
            circle=data["circle"],
        )
        result = personalisation_check(
            org=request.org,
            candidate=candidate,
            subject=rendered.subject,
            body=rendered.body,
            template_body=template.body if template is not None else None,
        )
        return Response(result.as_dict())
