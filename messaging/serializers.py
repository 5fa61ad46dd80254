"""DRF serializers of the messaging API: templates, threads and their messages, drafts to check.

Serializers check shape and resolve ids inside the caller's organisation (an id from another
organisation is a 400 field error, as elsewhere in the API); `messaging.services` enforces the
rules and writes.
"""

from __future__ import annotations

from typing import TypedDict

from rest_framework import serializers

from candidates.models import Candidate
from messaging import selectors
from messaging.models import MAX_BODY_CHARS, Message, MessageTemplate, Thread
from messaging.rendering import TemplateError, validate_template_text
from talentcircles.models import User

NO_SUCH_CANDIDATE = "No such candidate in this organisation."
NO_SUCH_TEMPLATE = "No such template in this organisation."
NO_SUCH_CIRCLE = "No such talent circle in this organisation."


class _IdBounds(TypedDict):
    min_value: int
    max_value: int


_ID_FIELD: _IdBounds = {"min_value": 1, "max_value": 2**63 - 1}


def _body(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=MAX_BODY_CHARS,
        error_messages={"max_length": f"The message is too long: at most {MAX_BODY_CHARS:,} characters."},
        **kwargs,
    )


def _idempotency_key() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=150,
        help_text="Send the same key again (a retried request) and the message is written only once: "
        "the one already written is returned.",
    )


def _checked_template_text(value: str) -> str:
    try:
        validate_template_text(value)
    except TemplateError as exc:
        raise serializers.ValidationError(exc.message) from None
    return value


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email"]
        read_only_fields = fields


class CandidateRefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Candidate
        fields = ["id", "full_name", "email"]
        read_only_fields = fields


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable identifier, e.g. `generic` or `placeholder` (docs/messaging.md).")
    message = serializers.CharField(help_text="The reason, in words a recruiter understands.")
    severity = serializers.CharField()
    penalty = serializers.IntegerField(help_text="Points this finding takes off the score.")


class CheckResultSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="0 (generic) to 100 (personal).")
    findings = FindingSerializer(many=True)


class PreviewSerializer(CheckResultSerializer):
    subject = serializers.CharField(help_text="The subject rendered for the candidate.")
    body = serializers.CharField(help_text="The body rendered for the candidate.")


# Inputs -----------------------------------------------------------------------------------------


class OrgLookupMixin:
    """Turns ids in a request body into the caller's organisation's rows, or a field error."""

    context: dict

    def _org(self):
        return self.context["request"].org

    def _candidate(self, value: int) -> Candidate:
        candidate = Candidate.objects.for_org(self._org()).filter(pk=value).first()
        if candidate is None:
            raise serializers.ValidationError(NO_SUCH_CANDIDATE)
        return candidate

    def _template(self, value: int | None) -> MessageTemplate | None:
        if value is None:
            return None
        request = self.context["request"]
        template = (
            MessageTemplate.objects.for_org(self._org()).visible_to(request.user).active().filter(pk=value).first()
        )
        if template is None:
            raise serializers.ValidationError(NO_SUCH_TEMPLATE)
        return template

    def _circle(self, value: int | None):
        if value is None:
            return None
        circle = selectors.circle_for(self._org(), value)
        if circle is None:
            raise serializers.ValidationError(NO_SUCH_CIRCLE)
        return circle


def _circle_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A talent circle's id: fills {{ circle.name }}.",
        **_ID_FIELD,
    )


class TemplateSerializer(serializers.ModelSerializer):
    """A template as read and written. Subject and body may use only the documented tokens."""

    owner = PersonSerializer(read_only=True, allow_null=True)
    is_shared = serializers.BooleanField(
        required=False, default=True, help_text="true: every member may use it; false: only its owner sees it."
    )
    archived = serializers.BooleanField(
        required=False,
        help_text="Archived templates are left out of the list and cannot be used for new messages; "
        'DELETE archives, PATCH {"archived": false} restores.',
    )
    body = _body(help_text="Plain text with tokens such as {{ candidate.first_name }}.")

    class Meta:
        model = MessageTemplate
        fields = [
            "id", "name", "subject", "body", "is_shared", "owner", "archived", "archived_at", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "owner", "archived_at", "created_at", "updated_at"]

    def validate_subject(self, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise serializers.ValidationError("A subject is one line: remove the line breaks.")
        return _checked_template_text(value)

    def validate_body(self, value: str) -> str:
        return _checked_template_text(value)

    def to_representation(self, instance: MessageTemplate) -> dict:
        data = super().to_representation(instance)
        data["archived"] = instance.archived_at is not None
        return data


class TemplatePreviewRequestSerializer(OrgLookupMixin, serializers.Serializer):
    candidate = serializers.IntegerField(help_text="The id of a candidate of the organisation.", **_ID_FIELD)
    circle = _circle_field()

    def validate_candidate(self, value: int) -> Candidate:
        return self._candidate(value)

    def validate_circle(self, value: int | None):
        return self._circle(value)


class ThreadStartSerializer(OrgLookupMixin, serializers.Serializer):
    """Start a conversation: a subject and body, or a template (whose subject or body those override)."""

    candidate = serializers.IntegerField(help_text="The id of a candidate of the organisation.", **_ID_FIELD)
    template = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A template's id.", **_ID_FIELD
    )
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    body = _body(required=False, allow_blank=True, default="")
    circle = _circle_field()
    idempotency_key = _idempotency_key()
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send even though the contact policy warns (a colleague's live conversation, the cooldown); "
        "recorded on the message. Never overrides a block such as an unsubscribe.",
    )

    def validate_candidate(self, value: int) -> Candidate:
        return self._candidate(value)

    def validate_template(self, value: int | None) -> MessageTemplate | None:
        return self._template(value)

    def validate_circle(self, value: int | None):
        return self._circle(value)

    def validate(self, attrs: dict) -> dict:
        if attrs["template"] is None:
            missing = {
                name: ["This field is required when no template is given."]
                for name in ("subject", "body")
                if not attrs[name].strip()
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class ReplySerializer(OrgLookupMixin, serializers.Serializer):
    body = _body(required=False, allow_blank=True, default="")
    subject = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Defaults to Re: the thread's subject."
    )
    template = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A template's id.", **_ID_FIELD
    )
    idempotency_key = _idempotency_key()
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send even though the contact policy warns (a colleague's live conversation, the cooldown); "
        "recorded on the message. Never overrides a block such as an unsubscribe.",
    )

    def validate_template(self, value: int | None) -> MessageTemplate | None:
        return self._template(value)

    def validate(self, attrs: dict) -> dict:
        if attrs["template"] is None and not attrs["body"].strip():
            raise serializers.ValidationError({"body": ["This field is required when no template is given."]})
        return attrs


class CheckRequestSerializer(OrgLookupMixin, serializers.Serializer):
    candidate = serializers.IntegerField(help_text="The id of a candidate of the organisation.", **_ID_FIELD)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    body = _body(allow_blank=True, help_text="The draft; tokens are filled in for the candidate before checking.")
    template = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The template the draft started from, so edits beyond it count as personal.",
        **_ID_FIELD,
    )
    circle = _circle_field()

    def validate_candidate(self, value: int) -> Candidate:
        return self._candidate(value)

    def validate_template(self, value: int | None) -> MessageTemplate | None:
        return self._template(value)

    def validate_circle(self, value: int | None):
        return self._circle(value)


class ThreadListQuerySerializer(OrgLookupMixin, serializers.Serializer):
    candidate = serializers.IntegerField(required=False, help_text="Only this candidate's threads.", **_ID_FIELD)

    def validate_candidate(self, value: int) -> Candidate:
        return self._candidate(value)


# Outputs ----------------------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body_text", read_only=True, help_text="The text; for replies, cleaned.")
    sender = PersonSerializer(read_only=True, allow_null=True)
    classification = serializers.ChoiceField(
        choices=Message.Classification.choices,
        read_only=True,
        help_text="For the candidate's replies: what they said (interested, not_interested, opt_out, later, question, "
        "neutral); empty for outgoing messages and automatic replies. Correct it with "
        "POST /api/v1/messages/{id}/classification/.",
    )
    classification_reason = serializers.CharField(
        read_only=True, help_text="The phrase that decided the classification, or who corrected it."
    )

    class Meta:
        model = Message
        fields = [
            "id", "direction", "channel", "status", "sender", "from_email", "to_email", "subject", "body",
            "is_auto_reply", "classification", "classification_reason", "personalisation_score", "findings",
            "created_at", "sent_at",
            "received_at", "last_error",
        ]  # fmt: skip
        read_only_fields = fields


class ThreadSerializer(serializers.ModelSerializer):
    candidate = CandidateRefSerializer(read_only=True)
    recruiter = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Thread
        fields = [
            "id", "candidate", "recruiter", "subject", "started_by", "origin", "created_at", "last_message_at",
            "last_inbound_at",
        ]  # fmt: skip
        read_only_fields = fields


class ThreadSummarySerializer(ThreadSerializer):
    """A row of the conversations list: the thread and a glimpse of its latest message."""

    last_excerpt = serializers.CharField(read_only=True, default="", help_text="The start of the latest message.")
    last_direction = serializers.ChoiceField(
        choices=Message.Direction.choices, read_only=True, allow_null=True, help_text="Who wrote last."
    )
    last_out_status = serializers.ChoiceField(
        choices=Message.Status.choices,
        read_only=True,
        allow_null=True,
        help_text="Delivery status of the latest outgoing message.",
    )
    has_reply = serializers.BooleanField(read_only=True, help_text="The candidate answered (auto-replies excluded).")

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "last_excerpt", "last_direction", "last_out_status", "has_reply"]
        read_only_fields = fields


class ThreadDetailSerializer(ThreadSerializer):
    messages = MessageSerializer(many=True, read_only=True, help_text="Oldest first.")

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]
        read_only_fields = fields
