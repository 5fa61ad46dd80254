"""The candidate's inbox in the portal under `/c/<org_slug>/inbox/`: their conversations, read and answered.

Every page acts on the signed-in person's own candidate record (PortalCandidateMixin); a thread
id of anyone else is a 404. A candidate sees what reached them (sent messages) and what they
wrote, never drafts, queued, cancelled or failed messages. An answer here counts as a reply.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from candidates.portal_access import PortalCandidateMixin
from messaging import selectors, services
from messaging.classify import classify_reply_intent
from messaging.forms import PortalReplyForm
from messaging.models import Message, Thread
from talentcircles.pagination import CappedPaginator

PAGE_SIZE = 20


class InboxView(PortalCandidateMixin, TemplateView):
    template_name = "portal/messaging/inbox.html"

    def get_context_data(self, **kwargs):
        paginator = CappedPaginator(selectors.portal_threads(candidate=self.candidate), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, total=paginator.count, **kwargs)


class InboxThreadView(PortalCandidateMixin, TemplateView):
    template_name = "portal/messaging/thread.html"

    def thread(self) -> Thread:
        try:
            return selectors.portal_thread(candidate=self.candidate, pk=self.kwargs["pk"])
        except Thread.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        thread = kwargs.pop("thread", None) or self.thread()
        kwargs.setdefault("form", PortalReplyForm())
        return super().get_context_data(thread=thread, thread_messages=thread.visible_messages, **kwargs)

    def post(self, request, org_slug, pk):
        thread = self.thread()
        form = PortalReplyForm(request.POST)
        if form.is_valid():
            text = form.cleaned_data["body"]
            intent = classify_reply_intent(text)
            services.message_receive(
                thread=thread,
                channel=Message.Channel.PORTAL,
                body_text=text,
                classification=intent.classification,
                classification_reason=intent.reason,
                from_email=self.candidate.email,
            )
            messages.success(request, "Your answer was sent.")
            return redirect("portal_inbox_thread", org_slug, thread.pk)
        return self.render_to_response(self.get_context_data(thread=thread, form=form), status=400)
