"""The "Unmatched" inbox: mail that named no conversation, waiting for a recruiter to file or discard it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from candidates.models import Candidate
from messaging import selectors
from messaging.inbound.ingest import inbound_assign, inbound_discard
from messaging.models import InboundEmail
from messaging.services import MessagingError
from messaging.views.common import int_or_404, page_of
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability


class UnmatchedListView(OrgMemberRequiredMixin, TemplateView):
    template_name = "messaging/unmatched_list.html"

    def get_context_data(self, **kwargs):
        page, paginator = page_of(selectors.unmatched_inbox(org=self.org), self.request)
        return super().get_context_data(
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            total=paginator.count,
            **kwargs,
        )


class UnmatchedMixin(OrgMemberRequiredMixin):
    def inbound(self) -> InboundEmail:
        try:
            return selectors.unmatched_email(org=self.org, pk=self.kwargs["pk"])
        except InboundEmail.DoesNotExist:
            raise Http404 from None


class UnmatchedAssignView(UnmatchedMixin, TemplateView):
    """GET shows the e-mail and a candidate search; POST files it under the chosen candidate."""

    capability = Capability.SEND_MESSAGES

    template_name = "messaging/unmatched_assign.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")[:200]
        return super().get_context_data(
            inbound=self.inbound(),
            q=query,
            found=selectors.candidate_lookup(org=self.org, query=query),
            **kwargs,
        )

    def post(self, request, org_slug, pk):
        inbound = self.inbound()
        candidate = get_object_or_404(Candidate.objects.for_org(self.org), pk=int_or_404(request.POST.get("candidate")))
        try:
            message = inbound_assign(inbound=inbound, candidate=candidate, user=request.user)
        except MessagingError as exc:
            messages.error(request, exc.message)
            return redirect("unmatched_list", org_slug)
        messages.success(request, f"Filed under {candidate.full_name}'s conversation.")
        return redirect("thread_detail", org_slug, message.thread_id)


class UnmatchedDiscardView(UnmatchedMixin, View):
    capability = Capability.SEND_MESSAGES

    def post(self, request, org_slug, pk):
        inbound = self.inbound()
        if inbound_discard(inbound=inbound, user=request.user):
            messages.success(request, f"Discarded “{inbound.subject or '(no subject)'}”. The raw mail is kept.")
        return redirect("unmatched_list", org_slug)
