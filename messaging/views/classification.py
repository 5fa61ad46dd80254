"""One-click correction of what a reply was read as, on the thread page (htmx partial, or a plain POST).

Mounted under /o/<org_slug>/messages/. Another organisation's message is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from messaging.models import Message
from messaging.replies.corrections import CORRECTION_NOTE_OPT_OUT, corrections_for, message_reclassify
from messaging.services import MessagingError
from talentcircles.mixins import HtmxRequest, OrgMemberRequiredMixin
from talentcircles.permissions import Capability

CLASSIFICATIONS = Message.Classification.choices


def classification_context(message: Message, candidate_unsubscribed: bool) -> dict:
    return {
        "message": message,
        "classifications": CLASSIFICATIONS,
        "opt_out_note": CORRECTION_NOTE_OPT_OUT,
        "candidate_unsubscribed": candidate_unsubscribed,
    }


class MessageClassifyView(OrgMemberRequiredMixin, View):
    capability = Capability.SEND_MESSAGES
    request: HtmxRequest

    def post(self, request, org_slug, pk):
        message = Message.objects.for_org(self.org).incoming().select_related("candidate").filter(pk=pk).first()
        if message is None:
            raise Http404
        error = ""
        try:
            message = message_reclassify(
                org=self.org, message=message, classification=request.POST.get("classification", ""), user=request.user
            )
        except MessagingError as exc:
            error = str(exc)
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, f"Reply marked “{message.get_classification_display()}”.")
            thread_url = reverse("thread_detail", args=[self.org.slug, message.thread_id])
            return redirect(f"{thread_url}#message-{message.pk}")
        message.candidate.refresh_from_db(fields=["unsubscribed_at"])
        message.correction_list = corrections_for(org=self.org, message_ids=[message.pk]).get(message.pk, [])
        context = classification_context(message, message.candidate.unsubscribed_at is not None)
        context.update(error=error, org=self.org)
        return render(request, "messaging/_classification.html", context, status=400 if error else 200)
