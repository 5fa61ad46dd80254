"""One-click resend of a message whose delivery is unknown, on the thread page (a plain POST).

Mounted under /o/<org_slug>/messages/. Another organisation's message is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from messaging.models import Message
from messaging.recovery import message_resend
from messaging.services import MessagingError
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability


class MessageResendView(OrgMemberRequiredMixin, View):
    capability = Capability.SEND_MESSAGES

    def post(self, request, org_slug, pk):
        message = Message.objects.for_org(self.org).filter(pk=pk, direction=Message.Direction.OUT).first()
        if message is None:
            raise Http404
        try:
            message_resend(org=self.org, message=message, user=request.user)
        except MessagingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The message is queued to be sent again.")
        thread_url = reverse("thread_detail", args=[self.org.slug, message.thread_id])
        return redirect(f"{thread_url}#message-{message.pk}")
