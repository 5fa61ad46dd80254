"""The contact policy over the API: may this candidate be contacted (and why not), and a bulk send.

`GET /api/v1/candidates/{id}/contact/` answers for one candidate; `POST /api/v1/threads/bulk/` sends a
template to many (a list of ids or a circle) and says who was skipped and why.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from candidates.models import Candidate
from messaging import bulk, policy, selectors
from messaging.serializers import OrgLookupMixin
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest

BULK_LIMIT = 5_000  # as the bulk composer: one send reaches at most this many people
# Outcomes of a bulk send beside the contact policy's reasons.
BULK_CODES = {
    **policy.REASON_LABELS,
    "unfillable": "The template can't be filled in for them",
    "low_score": "Under the organisation's minimum personalisation score",
}


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(policy.REASON_LABELS.items()))
    detail = serializers.CharField(help_text="In words, e.g. “Contacted by Dana Smith on 3 Dec 2026.”")
    thread = serializers.IntegerField(
        allow_null=True, help_text="The live conversation this is about (GET /api/v1/threads/{id}/), or null."
    )
    overridable = serializers.BooleanField(help_text="A one-to-one message may still be sent with `override`.")


class ContactDecisionSerializer(serializers.Serializer):
    may_contact = serializers.BooleanField()
    purpose = serializers.ChoiceField(choices=[p.value for p in policy.Purpose])
    reasons = ReasonSerializer(many=True)


class ContactQuerySerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(
        choices=[p.value for p in policy.Purpose], required=False, default=policy.Purpose.BULK.value
    )


def decision_data(decision: policy.Decision, purpose: str) -> dict:
    return {
        "may_contact": decision.may_contact,
        "purpose": purpose,
        "reasons": [
            {"code": r.code, "detail": r.detail, "thread": r.thread_id, "overridable": r.overridable}
            for r in decision.reasons
        ],
    }


class CandidateContactView(GenericAPIView):
    """Whether the contact policy lets the organisation contact this candidate now, and why not."""

    serializer_class = ContactDecisionSerializer

    @extend_schema(
        summary="May this candidate be contacted now, and if not, why",
        description="The contact policy's answer (the same one every sending path asks). `purpose`: `bulk` "
        "(cold outreach, the default), `sequence` (enrolment), `sequence_step`, `one_to_one` (you starting a "
        "conversation) or `community` (digests: consent and unsubscribe only).",
        parameters=[
            *path_id("candidate"),
            OpenApiParameter("purpose", OpenApiTypes.STR, enum=[p.value for p in policy.Purpose]),
        ],
        responses={200: ContactDecisionSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "In a conversation",
                response_only=True,
                value={
                    "may_contact": False,
                    "purpose": "bulk",
                    "reasons": [
                        {
                            "code": "in_conversation",
                            "detail": "In a conversation with Dana Smith: replied on 3 Dec 2026, not answered yet.",
                            "thread": 17,
                            "overridable": False,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: OrgApiRequest, pk: int) -> Response:
        query = ContactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        purpose = query.validated_data["purpose"]
        candidate = Candidate.objects.for_org(request.org).filter(pk=pk).first()
        if candidate is None:
            raise NotFound("No such candidate.")
        decision = policy.contact_decision(
            org=request.org, candidate=candidate, purpose=purpose, recruiter=request.user
        )
        return Response(decision_data(decision, purpose))


class BulkSendSerializer(OrgLookupMixin, serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, allow_empty=False,
        max_length=BULK_LIMIT,
        help_text="Candidate ids; ids that are not this organisation's are skipped as `unknown`.",
    )  # fmt: skip
    circle = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Or: every member of this circle."
    )
    template = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The template rendered for each candidate."
    )

    def validate_template(self, value: int):
        return self._template(value)

    def validate_circle(self, value: int):
        return self._circle(value)

    def validate(self, attrs: dict) -> dict:
        if ("candidates" in attrs) == ("circle" in attrs):
            raise serializers.ValidationError({"candidates": ["Give either `candidates` or `circle`, not both."]})
        return attrs


class BulkSkippedSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()
    code = serializers.ChoiceField(choices=list(BULK_CODES.items()))
    detail = serializers.CharField()


class BulkQueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Messages written and queued for sending.")
    skipped = BulkSkippedSerializer(many=True)


class BulkSendView(GenericAPIView):
    """A template sent to many candidates at once, each asked of the contact policy."""

    capability = Capability.BULK_SEND

    serializer_class = BulkSendSerializer

    @extend_schema(
        summary="Send a template to many candidates (a list or a circle)",
        description="Each candidate gets their own rendering and conversation. Whoever the contact policy rules "
        "out for cold outreach (unsubscribed, in a live conversation, contacted within the cooldown, …), whom "
        "the template can't be filled for, or whose message scores under the organisation's minimum is "
        "skipped, with the reason. At most 5,000 candidates per call.",
        request=BulkSendSerializer,
        responses={202: BulkQueuedSerializer, **VALIDATION},
        examples=[
            OpenApiExample("By ids", request_only=True, value={"candidates": [42, 43, 44], "template": 3}),
            OpenApiExample("A circle", request_only=True, value={"circle": 5, "template": 3}),
            OpenApiExample(
                "Queued",
                response_only=True,
                status_codes=["202"],
                value={
                    "queued": 2,
                    "skipped": [{"candidate": 44, "code": "cooldown", "detail": "Contacted by Dana Smith on 3 Dec."}],
                },
            ),
        ],
    )
    def post(self, request: OrgApiRequest) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org, template, circle = request.org, data["template"], data.get("circle")
        skipped: list[dict] = []
        if circle is not None:
            candidates = selectors.circle_candidates(org=org, circle_id=circle.pk).active()
            if candidates.count() > BULK_LIMIT:
                raise serializers.ValidationError({"circle": [f"One send reaches at most {BULK_LIMIT:,} people."]})
        else:
            candidates = Candidate.objects.for_org(org).filter(pk__in=data["candidates"])
            known = set(candidates.values_list("pk", flat=True))
            label = policy.REASON_LABELS["unknown"]
            skipped += [
                {"candidate": pk, "code": "unknown", "detail": label}
                for pk in dict.fromkeys(data["candidates"])
                if pk not in known
            ]
        result = bulk.bulk_compose(
            org=org, recruiter=request.user, candidates=candidates.order_by("pk"), subject=template.subject,
            body=template.body, template=template, circle=circle,
        )  # fmt: skip
        skipped += [{"candidate": r.candidate.pk, "code": r.code, "detail": r.problem} for r in result.skipped]
        skipped += [{"candidate": r.candidate.pk, "code": "unfillable", "detail": r.problem} for r in result.failed]
        skipped += [{"candidate": r.candidate.pk, "code": "low_score", "detail": r.problem} for r in result.held]
        return Response({"queued": len(result.messages), "skipped": skipped}, status=status.HTTP_202_ACCEPTED)
