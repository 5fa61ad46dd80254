"""`POST /api/v1/messages/{id}/classification/`: a recruiter corrects what a reply was read as.

Scoped to the caller's organisation (another organisation's message is 404). The correction is
recorded (who, when, from → to) and its effects follow (see `messaging.replies.corrections`);
correcting an opt-out never resubscribes the candidate.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from messaging.models import Message
from messaging.replies.corrections import CORRECTION_NOTE_OPT_OUT, message_reclassify
from messaging.serializers import MessageSerializer
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest


class ClassificationCorrectionSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(
        choices=Message.Classification.choices, help_text="What the reply really says."
    )


class MessageClassificationView(GenericAPIView):
    """Correct the classification of one of the candidate's replies."""

    capability = Capability.SEND_MESSAGES

    serializer_class = ClassificationCorrectionSerializer

    @extend_schema(
        summary="Correct what a reply was read as",
        description="Records the correction (who, when, from → to) and redoes its effects: the stage moves to or "
        "back from “not interested”, “later” makes the owner's reminder (and a correction away from it closes it), "
        "“opt_out” unsubscribes the candidate. " + CORRECTION_NOTE_OPT_OUT,
        parameters=path_id("message"),
        request=ClassificationCorrectionSerializer,
        responses={200: MessageSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample("Correct to interested", request_only=True, value={"classification": "interested"}),
            OpenApiExample(
                "Not a reply",
                response_only=True,
                status_codes=["400"],
                value={"message": ["Only a candidate's own reply has a classification to correct."]},
            ),
        ],
    )
    def post(self, request: OrgApiRequest, pk: int) -> Response:
        message = Message.objects.for_org(request.org).filter(pk=pk).first()
        if message is None:
            raise NotFound("No such message.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = message_reclassify(
            org=request.org,
            message=message,
            classification=serializer.validated_data["classification"],
            user=request.user,
        )
        message.refresh_from_db()
        return Response(MessageSerializer(message).data)
