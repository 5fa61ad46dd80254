"""`POST /api/v1/messages/{id}/resend/`: send again a message whose delivery is unknown.

Scoped to the caller's organisation (another organisation's message is 404). Only a message in
"delivery unknown" (its worker died while handing it to the mail server) can be resent; anything
else is a 400 naming `message`. See `messaging.recovery`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from messaging.models import Message
from messaging.recovery import message_resend
from messaging.serializers import MessageSerializer
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest


class MessageResendView(GenericAPIView):
    """Resend one outgoing message whose delivery is unknown."""

    capability = Capability.SEND_MESSAGES

    serializer_class = MessageSerializer

    @extend_schema(
        summary="Resend a message whose delivery is unknown",
        description="A message is in status `unknown` when the worker sending it stopped between handing it to the "
        "mail server and recording the answer: it may or may not have gone out, so it is never re-sent "
        "automatically. This queues it again (same Message-ID); the response shows it `queued`.",
        parameters=path_id("message"),
        request=None,
        responses={200: MessageSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "Not in delivery unknown",
                response_only=True,
                status_codes=["400"],
                value={"message": ["Only a message whose delivery is unknown can be resent."]},
            ),
        ],
    )
    def post(self, request: OrgApiRequest, pk: int) -> Response:
        message = Message.objects.for_org(request.org).outgoing().filter(pk=pk).first()
        if message is None:
            raise NotFound("No such message.")
        message = message_resend(org=request.org, message=message, user=request.user)
        return Response(MessageSerializer(message).data)
