"""Bulk compose: one message, rendered and checked for each candidate of a selection, filter or circle.

The steps share a draft kept in the session (`bulk/<draft>/…`): who it goes to (ids, the
candidate list's filters or a circle: re-read at each step, never frozen), then subject and
body, then a paginated per-recipient preview, then the send through `bulk.bulk_compose`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from candidates.forms import CandidateFilterForm, IdListField, org_members
from candidates.models import Candidate
from candidates.selectors import candidate_filter
from messaging import bulk, policy, rendering, selectors, services, topics
from messaging.forms import DraftForm
from messaging.views.common import PAGE_SIZE, int_or_404, score_level
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.pagination import CappedPaginator
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

SESSION_KEY = "messaging_bulk_drafts"
DRAFTS_KEPT = 5
# The preview's totals render and check every recipient up to this many (about 5 s); above it
# the totals say "up to" and each page shows its own recipients exactly.
EXACT_TOTALS_LIMIT = 1_000
# One bulk send renders, checks and writes in the request; larger audiences are split by filters.
SEND_LIMIT = 5_000
ORDERING = ("last_name", "first_name", "id")


def _safe_back(request, fallback: str) -> str:
    """The `back` address the form sent, when it is one of ours; else `fallback`."""
    target = request.POST.get("back") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclass
class Audience:
    """Who a bulk draft goes to, as stored in the session."""

    kind: str  # "selected", "query" or "circle"
    ids: list[int]
    query: str = ""
    circle_id: int | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "ids": self.ids, "query": self.query, "circle_id": self.circle_id}


def audience_candidates(org, audience: Audience) -> QuerySet[Candidate]:
    """The candidates the audience names now, in a stable order; 404 when it no longer makes sense."""
    found: QuerySet[Candidate]
    if audience.kind == "selected":
        found = Candidate.objects.for_org(org).filter(pk__in=audience.ids)
    elif audience.kind == "circle":
        if audience.circle_id is None or selectors.circle_for(org, audience.circle_id) is None:
            raise Http404
        found = selectors.circle_candidates(org=org, circle_id=audience.circle_id).active()
    else:
        form = CandidateFilterForm(QueryDict(audience.query), org=org, members=org_members(org))
        if not form.is_valid():  # an invalid filter would be left out and widen "all matching"
            raise Http404
        found = candidate_filter(org=org, filters=form.to_filters())
    return found.order_by(*ORDERING)


class DraftMixin(OrgMemberRequiredMixin):
    """The session draft named by the URL; another organisation's (or an unknown) draft is 404."""

    def drafts(self) -> dict:
        return self.request.session.get(SESSION_KEY, {})

    def draft(self) -> dict:
        draft = self.drafts().get(self.kwargs["draft"])
        if draft is None or draft.get("org") != self.org.pk:
            raise Http404
        return draft

    def save_draft(self, key: str, draft: dict) -> None:
        drafts = self.drafts()
        drafts[key] = draft
        # Only the newest few: a draft is a step in a flow, not something to keep.
        for old in sorted(drafts, key=lambda k: drafts[k]["created"])[:-DRAFTS_KEPT]:
            drafts.pop(old)
        self.request.session[SESSION_KEY] = drafts

    def drop_draft(self, key: str) -> None:
        drafts = self.drafts()
        drafts.pop(key, None)
        self.request.session[SESSION_KEY] = drafts

    def audience(self, draft: dict) -> Audience:
        return Audience(**draft["audience"])

    def audience_label(self, draft: dict, count: int) -> str:
        audience = self.audience(draft)
        if audience.kind == "circle":
            circle = selectors.circle_for(self.org, audience.circle_id)
            name = circle.name if circle else "(a circle since deleted)"
            return f"the {_plural(count, 'member')} of the circle “{name}”"
        if audience.kind == "query":
            return f"all {_plural(count, 'candidate')} matching the list's filters"
        topic = self.topic_of(draft)
        return f"{_plural(count, 'selected candidate')}" + (f", about {topic.label}" if topic else "")

    def template_of(self, draft: dict):
        if not draft.get("template"):
            return None
        return (
            selectors.templates_visible(org=self.org, user=signed_in_user(self.request))
            .filter(pk=draft["template"])
            .first()
        )

    def topic_of(self, draft: dict) -> topics.Topic | None:
        """What the draft is about (a job), or None; one that has since gone is None too."""
        return topics.topic_get(self.org, draft.get("topic")) if draft.get("topic") else None

    def circle_of(self, draft: dict):
        audience = self.audience(draft)
        return selectors.circle_for(self.org, audience.circle_id) if audience.kind == "circle" else None


class BulkStartView(DraftMixin, View):
    """Start a draft from the candidate list (POST: selection or all matching) or a circle (GET ?circle=<id>)."""

    capability = Capability.BULK_SEND

    def get(self, request, org_slug):
        circle = selectors.circle_for(self.org, request.GET.get("circle"))
        if circle is None:
            raise Http404
        return self._start(Audience(kind="circle", ids=[], circle_id=circle.pk))

    def post(self, request, org_slug):
        query = request.POST.get("query", "")[:2000]
        back = reverse("candidate_list", args=[org_slug]) + (f"?{query}" if query else "")
        # A page that offers its own selection (a job's "who fits") sends its address back and what the
        # message is about ("job:42", messaging.topics): another organisation's topic is a 404.
        about = request.POST.get("about", "")
        topic = topics.topic_get(self.org, about) if about else None
        if about and topic is None:
            raise Http404
        back = _safe_back(request, back)
        try:
            selected = IdListField(required=False).clean(request.POST.getlist("selected"))
        except Exception:  # the field's own message
            messages.error(request, "The selection is not valid; reload the page and try again.")
            return HttpResponseRedirect(back)
        if request.POST.get("all_matching"):
            audience = Audience(kind="query", ids=[], query=query)
            filters = CandidateFilterForm(QueryDict(query), org=self.org, members=org_members(self.org))
            if not filters.is_valid():
                messages.error(request, "The filters are not valid any more, so nothing was prepared. Try again.")
                return HttpResponseRedirect(back)
        elif selected:
            audience = Audience(kind="selected", ids=selected)
        else:
            messages.error(request, "Select at least one candidate, or “all matching”, to message.")
            return HttpResponseRedirect(back)
        return self._start(audience, topic=topic)

    def _start(self, audience: Audience, topic: topics.Topic | None = None):
        key = secrets.token_urlsafe(9)
        self.save_draft(
            key,
            {
                "org": self.org.pk,
                "created": timezone.now().isoformat(),
                "audience": audience.as_dict(),
                "subject": "",
                "body": "",
                "template": None,
                "summary": None,
                "topic": topic.key if topic else "",
            },
        )
        return redirect("bulk_compose", self.org.slug, key)


class BulkComposeView(DraftMixin, TemplateView):
    capability = Capability.BULK_SEND
    template_name = "messaging/bulk_compose.html"

    def templates(self):
        return selectors.templates_visible(org=self.org, user=self.request.user)

    def get(self, request, *args, **kwargs):
        draft = self.draft()
        initial = {"subject": draft["subject"], "body": draft["body"], "template": draft["template"]}
        template_id = request.GET.get("template")
        if template_id:
            template = get_object_or_404(self.templates(), pk=int_or_404(template_id))
            initial = {"template": template.pk, "subject": template.subject, "body": template.body}
        form = DraftForm(initial=initial, templates=self.templates())
        return self.render_to_response(self.get_context_data(draft=draft, form=form))

    def post(self, request, org_slug, draft):
        key, draft = draft, self.draft()
        form = DraftForm(request.POST, templates=self.templates())
        if request.POST.get("action") == "load":
            chosen = form.data.get("template")
            template = self.templates().filter(pk=int_or_404(chosen)).first() if chosen else None
            initial = {"subject": form.data.get("subject", ""), "body": form.data.get("body", "")}
            if template is not None:
                initial = {"template": template.pk, "subject": template.subject, "body": template.body}
            form = DraftForm(initial=initial, templates=self.templates())
            return self.render_to_response(self.get_context_data(draft=draft, form=form))
        candidates = audience_candidates(self.org, self.audience(draft))
        total = candidates.count()
        if total > SEND_LIMIT:
            form.add_error(
                None,
                f"This would message {total:,} candidates; one bulk send takes at most {SEND_LIMIT:,}. "
                "Narrow the filters and send in parts.",
            )
        elif total == 0:
            form.add_error(None, "Nobody is left in this selection to message.")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(draft=draft, form=form), status=400)
        data = form.cleaned_data
        draft.update(
            subject=data["subject"],
            body=data["body"],
            template=data["template"].pk if data["template"] else None,
            summary=self._summary(draft, candidates, total, data),
        )
        self.save_draft(key, draft)
        return redirect("bulk_preview", org_slug, key)

    def _summary(self, draft: dict, candidates: QuerySet, total: int, data: dict) -> dict:
        if total <= EXACT_TOTALS_LIMIT:
            result = bulk.bulk_compose(
                org=self.org,
                recruiter=signed_in_user(self.request),
                candidates=candidates,
                subject=data["subject"],
                body=data["body"],
                template=data["template"],
                circle=self.circle_of(draft),
                topic=self.topic_of(draft),
                preview_only=True,
            )
            counts = {name: len(getattr(result, name)) for name in ("ready", "skipped", "failed", "held")}
            return {"total": total, "exact": True, **counts, "reasons": result.skip_counts()}
        decisions = policy.contact_decisions(org=self.org, candidates=candidates, purpose=policy.Purpose.BULK)
        reasons = policy.reason_counts(decisions.values())
        skipped = sum(n for _code, _label, n in reasons)
        return {
            "total": total, "exact": False, "ready": total - skipped, "skipped": skipped, "failed": 0, "held": 0,
            "reasons": reasons,
        }  # fmt: skip

    def get_context_data(self, **kwargs):
        draft = kwargs["draft"]
        candidates = audience_candidates(self.org, self.audience(draft))
        total = candidates.count()
        circle = self.circle_of(draft)
        return super().get_context_data(
            draft_key=self.kwargs["draft"],
            total=total,
            audience_label=self.audience_label(draft, total),
            sample=candidates.contactable().first(),
            circle=circle,
            topic=self.topic_of(draft),
            tokens=rendering.TOKENS,
            send_limit=SEND_LIMIT,
            **kwargs,
        )


class BulkPreviewView(DraftMixin, TemplateView):
    """Each recipient's rendered message, score and findings, a page at a time; then "Send N messages"."""

    capability = Capability.BULK_SEND

    template_name = "messaging/bulk_preview.html"

    def get(self, request, *args, **kwargs):
        draft = self.draft()
        if draft["summary"] is None:
            return redirect("bulk_compose", self.org.slug, self.kwargs["draft"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.pop("draft", None)  # the URL's key; the draft itself is read from the session
        draft = self.draft()
        candidates = audience_candidates(self.org, self.audience(draft))
        paginator = CappedPaginator(candidates, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        on_page = list(page.object_list)
        result = bulk.bulk_compose(
            org=self.org,
            recruiter=self.request.user,
            candidates=Candidate.objects.for_org(self.org).filter(pk__in=[c.pk for c in on_page]),
            subject=draft["subject"],
            body=draft["body"],
            template=self.template_of(draft),
            circle=self.circle_of(draft),
            topic=self.topic_of(draft),
            preview_only=True,
        )
        outcome = {}
        for state in ("ready", "skipped", "failed", "held"):
            for recipient in getattr(result, state):
                outcome[recipient.candidate.pk] = (state, recipient)
        rows = [
            {
                "candidate": candidate,
                "state": outcome[candidate.pk][0],
                "recipient": outcome[candidate.pk][1],
                "level": score_level(outcome[candidate.pk][1].score),
            }
            for candidate in on_page
            if candidate.pk in outcome
        ]
        summary = draft["summary"]
        return super().get_context_data(
            draft=draft,
            draft_key=self.kwargs["draft"],
            rows=rows,
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            summary=summary,
            audience_label=self.audience_label(draft, summary["total"]),
            template=self.template_of(draft),
            **kwargs,
        )


class BulkSendView(DraftMixin, View):
    capability = Capability.BULK_SEND

    def post(self, request, org_slug, draft):
        key = draft
        if key not in self.drafts():
            # Sent already (the draft is dropped on send) or expired: don't send twice.
            messages.info(request, "That bulk message was already sent or has expired.")
            return redirect("thread_list", org_slug)
        draft = self.draft()
        if draft["summary"] is None:
            return redirect("bulk_compose", org_slug, key)
        candidates = audience_candidates(self.org, self.audience(draft))
        if candidates.count() > SEND_LIMIT:
            messages.error(request, f"One bulk send takes at most {SEND_LIMIT:,} candidates; narrow the selection.")
            return redirect("bulk_compose", org_slug, key)
        try:
            result = bulk.bulk_compose(
                org=self.org,
                recruiter=request.user,
                candidates=candidates,
                subject=draft["subject"],
                body=draft["body"],
                template=self.template_of(draft),
                circle=self.circle_of(draft),
                topic=self.topic_of(draft),
            )
        except services.MessagingError as refused:  # bulk sends paused by the response-rate guard
            messages.error(request, refused.message)
            return redirect("bulk_compose", org_slug, key)
        self.drop_draft(key)
        parts = [f"{_plural(len(result.messages), 'message')} queued for sending."]
        if result.skipped:
            parts.append(f"{_plural(len(result.skipped), 'candidate')} skipped (not contactable).")
        if result.held:
            parts.append(f"{_plural(len(result.held), 'message')} held under the minimum score.")
        if result.failed:
            parts.append(f"{_plural(len(result.failed), 'message')} could not be filled in.")
        (messages.success if result.messages else messages.warning)(request, " ".join(parts))
        return redirect(reverse("thread_list", args=[org_slug]) + "?show=mine")
