"""Conversations: the list, one thread with its reply form, the one-to-one composer and the live check.

Mounted under /o/<org_slug>/messages/. Every query starts from the request's organisation, so
another organisation's thread, candidate or template is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView

from candidates.models import Candidate
from messaging import outbox, policy, rendering, selectors, services, topics
from messaging.forms import CheckForm, ComposeForm, ReplyForm, live_check
from messaging.models import Message, MessageTemplate, Thread
from messaging.replies.corrections import CORRECTION_NOTE_OPT_OUT, corrections_for
from messaging.views.common import FIELD_LABELS, draft_for, int_or_404, page_of, query_without_page, score_level
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability

SKIP_LABEL = {code: label[0].lower() + label[1:] for code, label in services.SKIP_REASONS.items()}


def policy_context(org, recruiter, candidate: Candidate, thread_id: int | None) -> dict:
    """What the composer shows from the contact policy: a hard block (`skip`) or the warnings to override."""
    decision = policy.contact_decision(
        org=org, candidate=candidate, purpose=policy.Purpose.ONE_TO_ONE, recruiter=recruiter, thread_id=thread_id
    )
    hard = next((r.code for r in decision.reasons if not r.overridable), "")
    return {"skip": SKIP_LABEL.get(hard, ""), "warnings": [r for r in decision.reasons if r.overridable]}


class ThreadListView(OrgMemberRequiredMixin, TemplateView):
    """Every conversation of the organisation (or only mine), searchable by candidate."""

    template_name = "messaging/thread_list.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        show = params.get("show", "all")
        filters = selectors.ThreadFilters(
            mine=show == "mine",
            search=params.get("q", "")[:200],
            awaiting_reply=params.get("awaiting") == "1",
        )
        threads = selectors.thread_list(org=self.org, user=self.request.user, filters=filters)
        page, paginator = page_of(threads, self.request)
        # Only an empty page needs to know whether the organisation has any conversation at all.
        has_any = bool(page.object_list) or Thread.objects.for_org(self.org).exists()
        return super().get_context_data(
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            total=paginator.count,
            total_is_capped=paginator.count_is_capped,
            show=show,
            q=filters.search,
            awaiting=filters.awaiting_reply,
            filtering=bool(filters.search or filters.awaiting_reply or filters.mine),
            has_any=has_any,
            filter_query=query_without_page(params),
            unmatched_count=selectors.unmatched_inbox(org=self.org)[:100].count(),
            **kwargs,
        )


class ThreadMixin(OrgMemberRequiredMixin):
    def thread(self) -> Thread:
        try:
            return selectors.thread_detail(org=self.org, pk=self.kwargs["pk"])
        except Thread.DoesNotExist:
            raise Http404 from None


class ThreadDetailView(ThreadMixin, TemplateView):
    template_name = "messaging/thread_detail.html"

    def get_context_data(self, **kwargs):
        thread = kwargs.pop("thread", None) or self.thread()
        form = kwargs.setdefault("form", ReplyForm())
        live_check(form, reverse("message_check", args=[self.org.slug]))
        thread_messages = list(thread.messages.all())
        corrections = corrections_for(org=self.org, message_ids=[m.pk for m in thread_messages if m.direction == "in"])
        for message in thread_messages:
            message.correction_list = corrections.get(message.pk, [])
        return super().get_context_data(
            thread=thread,
            thread_messages=thread_messages,
            classifications=Message.Classification.choices,
            opt_out_note=CORRECTION_NOTE_OPT_OUT,
            candidate=thread.candidate,
            **policy_context(self.org, self.request.user, thread.candidate, thread.pk),
            **kwargs,
        )


class ThreadReplyView(ThreadMixin, View):
    """The recruiter's next message in the conversation (tokens allowed, checked like a new one)."""

    capability = Capability.SEND_MESSAGES

    def post(self, request, org_slug, pk):
        thread = self.thread()
        form = ReplyForm(request.POST)
        if form.is_valid():
            draft = draft_for(
                org=self.org,
                recruiter=request.user,
                candidate=thread.candidate,
                subject=thread.subject,
                body=form.cleaned_data["body"],
            )
            if draft.errors:
                form.add_error("body", draft.errors.get("body") or draft.errors.get("subject"))
            else:
                try:
                    outbox.message_reply(
                        thread=thread, sender=request.user, body=draft.body, check=draft.check,
                        override=request.POST.get("override") == "1",
                    )  # fmt: skip
                except services.MessagingError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, f"Reply to {thread.candidate.full_name} queued for sending.")
                    return redirect("thread_detail", org_slug, thread.pk)
        view = ThreadDetailView(request=request, args=(), kwargs=self.kwargs)
        view.org, view.membership = self.org, self.membership
        return view.render_to_response(view.get_context_data(thread=thread, form=form), status=400)


class ComposeView(OrgMemberRequiredMixin, TemplateView):
    """A one-to-one message: `?candidate=<id>` (a search to pick one otherwise), `&template=<id>` to start from."""

    capability = Capability.SEND_MESSAGES

    template_name = "messaging/compose.html"

    def candidate(self) -> Candidate | None:
        raw = self.request.POST.get("candidate") or self.request.GET.get("candidate")
        if not raw:
            return None
        return get_object_or_404(Candidate.objects.for_org(self.org), pk=int_or_404(raw))

    def templates(self):
        return selectors.templates_visible(org=self.org, user=self.request.user)

    def get(self, request, *args, **kwargs):
        candidate = self.candidate()
        initial = {}
        template_id = request.GET.get("template")
        if candidate and template_id:
            template = get_object_or_404(self.templates(), pk=int_or_404(template_id))
            initial = {"template": template.pk, "subject": template.subject, "body": template.body}
        form = ComposeForm(initial=initial, templates=self.templates())
        return self.render_to_response(self.get_context_data(candidate=candidate, form=form))

    def post(self, request, *args, **kwargs):
        candidate = self.candidate()
        if candidate is None:
            return redirect("message_compose", self.org.slug)
        action = request.POST.get("action", "send")
        form = ComposeForm(request.POST, templates=self.templates())
        if action == "load":
            return self._load_template(candidate, form)
        draft = None
        if form.is_valid():
            data = form.cleaned_data
            draft = draft_for(
                org=self.org,
                recruiter=request.user,
                candidate=candidate,
                subject=data["subject"],
                body=data["body"],
                template=data["template"],
            )
            for name, error in draft.errors.items():
                form.add_error(name, error)
            if draft.ok and action == "send":
                try:
                    message = outbox.thread_start(
                        org=self.org,
                        candidate=candidate,
                        recruiter=request.user,
                        subject=draft.subject,
                        body=draft.body,
                        template=data["template"],
                        check=draft.check,
                        override=request.POST.get("override") == "1",
                    )
                except services.MessagingError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, f"Message to {candidate.full_name} queued for sending.")
                    return redirect("thread_detail", self.org.slug, message.thread_id)
        context = self.get_context_data(candidate=candidate, form=form, draft=draft if action == "preview" else None)
        status = 200 if form.is_valid() and action == "preview" else 400
        return self.render_to_response(context, status=status)

    def _load_template(self, candidate: Candidate, form: ComposeForm):
        """Fill subject and body from the chosen template (keeping what was typed when none is chosen)."""
        chosen = form.data.get("template")
        template = self.templates().filter(pk=int_or_404(chosen)).first() if chosen else None
        if template is None:
            form = ComposeForm(
                initial={"subject": form.data.get("subject", ""), "body": form.data.get("body", "")},
                templates=self.templates(),
            )
        else:
            form = ComposeForm(
                initial={"template": template.pk, "subject": template.subject, "body": template.body},
                templates=self.templates(),
            )
        return self.render_to_response(self.get_context_data(candidate=candidate, form=form))

    def get_context_data(self, **kwargs):
        candidate = kwargs.get("candidate")
        if candidate is not None:
            kwargs.update(policy_context(self.org, self.request.user, candidate, None))
        else:
            query = self.request.GET.get("q", "")[:200]
            kwargs["q"] = query
            kwargs["found"] = selectors.candidate_lookup(org=self.org, query=query)
        kwargs["tokens"] = rendering.TOKENS
        if "form" in kwargs:
            live_check(kwargs["form"], reverse("message_check", args=[self.org.slug]))
        return super().get_context_data(**kwargs)


class CheckView(OrgMemberRequiredMixin, View):
    """The personalisation check of a draft for one candidate: an htmx partial with the score and findings."""

    capability = Capability.SEND_MESSAGES

    def post(self, request, org_slug):
        form = CheckForm(request.POST)
        context = {"check": None, "errors": {}, "level": "secondary", "field_labels": FIELD_LABELS}
        if not form.is_valid():
            context["errors"] = {"body": " ".join(e for errors in form.errors.values() for e in errors)}
        elif form.cleaned_data["candidate"] and form.cleaned_data["body"].strip():
            data = form.cleaned_data
            candidate = get_object_or_404(Candidate.objects.for_org(self.org), pk=data["candidate"])
            template = None
            if data["template"]:
                template = (
                    MessageTemplate.objects.for_org(self.org)
                    .visible_to(request.user)
                    .filter(pk=data["template"])
                    .first()
                )
            try:
                rendering.validate_template_text(data["subject"])
                rendering.validate_template_text(data["body"])
            except rendering.TemplateError as exc:
                context["errors"] = {"body": exc.message}
            else:
                draft = draft_for(
                    org=self.org,
                    recruiter=request.user,
                    candidate=candidate,
                    subject=data["subject"],
                    body=data["body"],
                    template=template,
                    circle=selectors.circle_for(self.org, request.POST.get("circle")),
                    topic=topics.topic_get(self.org, request.POST.get("about")),
                )
                context.update(
                    check=draft.check,
                    errors=draft.errors,
                    level=score_level(draft.check.score if draft.check else None),
                    candidate=candidate,
                )
        response = self.render_to_response(context)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def render_to_response(self, context):
        return render(self.request, "messaging/_check.html", {"org": self.org, **context})


class CandidateConversationsView(OrgMemberRequiredMixin, TemplateView):
    """The candidate page's "Conversations" panel (loaded with htmx)."""

    template_name = "messaging/_candidate_conversations.html"

    def get_context_data(self, **kwargs):
        candidate = get_object_or_404(Candidate.objects.for_org(self.org), pk=self.kwargs["candidate_pk"])
        return super().get_context_data(
            candidate=candidate,
            threads=selectors.candidate_threads(org=self.org, candidate=candidate),
            **kwargs,
        )
