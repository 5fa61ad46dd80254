"""Message templates: the list (shared and mine, archived apart), create and edit with the token
whitelist beside the editor, archive and restore, and a preview against any candidate.

Writes go through `messaging.template_services`, like the API's.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from candidates.models import Candidate
from messaging import rendering, selectors, template_services
from messaging.forms import TemplateForm
from messaging.models import MessageTemplate
from messaging.services import MessagingError
from messaging.views.common import FIELD_LABELS, draft_for, int_or_404, page_of, score_level
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user


class TemplateMixin(OrgMemberRequiredMixin):
    @cached_property
    def object(self) -> MessageTemplate:
        try:
            return selectors.template_visible(org=self.org, user=signed_in_user(self.request), pk=self.kwargs["pk"])
        except MessageTemplate.DoesNotExist:
            raise Http404 from None


class TemplateListView(OrgMemberRequiredMixin, TemplateView):
    template_name = "messaging/template_list.html"

    def get_context_data(self, **kwargs):
        archived = self.request.GET.get("archived") == "1"
        templates = selectors.templates_visible(org=self.org, user=self.request.user, archived=archived)
        page, paginator = page_of(templates, self.request)
        return super().get_context_data(
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            total=paginator.count,
            archived=archived,
            **kwargs,
        )


class TemplateFormMixin(OrgMemberRequiredMixin):
    # Typed as FormView types them, which the views mix this into.
    template_name: str | None = "messaging/template_form.html"
    form_class: type[TemplateForm] | None = TemplateForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(tokens=rendering.TOKENS, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def save(self, data: dict) -> MessageTemplate:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            template = self.save(form.cleaned_data)
        except (MessagingError, ValidationError) as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Template “{template.name}” saved.")
        return redirect("template_list", self.org.slug)


class TemplateCreateView(TemplateFormMixin, FormView):
    capability = Capability.MANAGE_TEMPLATES

    def save(self, data: dict) -> MessageTemplate:
        return template_services.template_create(org=self.org, actor=signed_in_user(self.request), **data)


class TemplateEditView(TemplateMixin, TemplateFormMixin, FormView):
    capability = Capability.MANAGE_TEMPLATES

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(template=self.object, **kwargs)

    def save(self, data: dict) -> MessageTemplate:
        return template_services.template_update(
            org=self.org, actor=signed_in_user(self.request), template=self.object, **data
        )


class TemplateArchiveView(TemplateMixin, View):
    """POST archives an active template and restores an archived one."""

    capability = Capability.MANAGE_TEMPLATES

    def post(self, request, org_slug, pk):
        who = {"org": self.org, "actor": signed_in_user(request), "template": self.object}
        if self.object.archived_at is None:
            template = template_services.template_archive(**who)
            messages.success(request, f"Template “{template.name}” archived; it can't start new messages now.")
        else:
            template = template_services.template_restore(**who)
            messages.success(request, f"Template “{template.name}” restored.")
        return redirect("template_list", org_slug)


class TemplatePreviewView(TemplateMixin, TemplateView):
    """The template rendered for a candidate picked by id or search, with its score and findings."""

    template_name = "messaging/template_preview.html"

    def get_context_data(self, **kwargs):
        template = self.object
        query = self.request.GET.get("q", "")[:200]
        candidate = None
        if self.request.GET.get("candidate"):
            candidate = get_object_or_404(
                Candidate.objects.for_org(self.org), pk=int_or_404(self.request.GET["candidate"])
            )
        draft = None
        if candidate is not None:
            draft = draft_for(
                org=self.org,
                recruiter=self.request.user,
                candidate=candidate,
                subject=template.subject,
                body=template.body,
                template=template,
            )
        return super().get_context_data(
            template=template,
            candidate=candidate,
            draft=draft,
            level=score_level(draft.check.score if draft and draft.check else None),
            q=query,
            found=selectors.candidate_lookup(org=self.org, query=query),
            field_labels=FIELD_LABELS,
            tokens=rendering.TOKENS,
            **kwargs,
        )
