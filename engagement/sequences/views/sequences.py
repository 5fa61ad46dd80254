"""The sequence pages: the list, the builder (steps added, moved and edited without JavaScript), a
preview of every step for one candidate, the status switch and the sequence page (per-step figures
and the enrollments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from engagement.sequences import builder, selectors
from engagement.sequences.forms import (
    PreviewForm,
    SequenceForm,
    StepForm,
    step_formset,
)
from engagement.sequences.models import Enrollment, Sequence
from engagement.sequences.views.common import (
    ENROLLMENTS_PER_PAGE,
    SEQUENCES_PER_PAGE,
    SequencePageMixin,
    _error_text,
    step_preview,
    visible_templates,
)
from messaging.models import MessageTemplate
from messaging.selectors import candidate_lookup
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

# --- The list -----------------------------------------------------------------------------------


class SequenceListView(SequencePageMixin, TemplateView):
    template_name = "engagement/sequences/list.html"

    def get_context_data(self, **kwargs):
        archived = self.request.GET.get("archived") == "1"
        paginator = Paginator(selectors.sequence_list(org=self.org, include_archived=archived), SEQUENCES_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        for sequence in page.object_list:
            sequence.reply_rate = selectors.reply_rate(
                replied=sequence.replied_count, contacted=sequence.contacted_count
            )
        return super().get_context_data(page=page, total=paginator.count, archived=archived, **kwargs)


# --- Building -----------------------------------------------------------------------------------


# A TemplateView to mypy, a plain mixin at run time (as `talentcircles.api.OrgScopedMixin`).
if TYPE_CHECKING:
    _TemplateViewBase = TemplateView
else:
    _TemplateViewBase = object


class SequenceBuilderMixin(SequencePageMixin, _TemplateViewBase):
    """Create and edit share one page: the sequence's fields and its steps, each an editable row.

    "Add a step" and the up/down buttons post the form and render it again with the rows as typed
    (nothing is saved until "Save"), so the builder works without JavaScript.
    """

    template_name = "engagement/sequences/form.html"
    editing = False

    def templates(self) -> QuerySet[MessageTemplate]:
        return visible_templates(self.org, self.request.user)

    def render_builder(self, form, formset, *, status: int = 200):
        running = 0
        if self.editing:
            running = Enrollment.objects.filter(sequence=self.sequence).running().count()
        context = self.get_context_data(
            form=form,
            formset=formset,
            running_enrollments=running,
            has_templates=self.templates().exists(),
            editing=self.editing,
        )
        return self.render_to_response(context, status=status)

    def post(self, request, *args, **kwargs):
        formset = step_formset(templates=self.templates(), data=request.POST)
        form = SequenceForm(request.POST, steps=formset)
        action = request.POST.get("action", "save")
        if action == "add" or action.startswith(("up-", "down-")):
            return self._rearrange(form, formset, action)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_builder(form, formset, status=400)
        steps = formset.steps_data()
        try:
            sequence = self.save(form.cleaned_data, steps)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.render_builder(form, formset, status=400)
        return self.saved(sequence)

    def _rearrange(self, form, formset, action: str):
        rows = formset.raw_rows()
        extra = 0
        if action == "add":
            extra = 1
        else:
            direction, _, raw_index = action.partition("-")
            index = int(raw_index) if raw_index.isdigit() else -1
            other = index - 1 if direction == "up" else index + 1
            if 0 <= index < len(rows) and 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
        initial = {name: form[name].value() for name in SequenceForm.base_fields}
        return self.render_builder(
            SequenceForm(initial=initial), step_formset(templates=self.templates(), initial=rows, extra=extra)
        )


class SequenceCreateView(SequenceBuilderMixin, TemplateView):
    capability = Capability.MANAGE_SEQUENCES

    def get(self, request, *args, **kwargs):
        return self.render_builder(SequenceForm(), step_formset(templates=self.templates(), extra=1))

    def save(self, data: dict, steps: list[dict]) -> Sequence:
        return builder.sequence_create(org=self.org, owner=signed_in_user(self.request), steps=steps, **data)

    def saved(self, sequence: Sequence):
        messages.success(self.request, f"Sequence “{sequence.name}” created. Enrol candidates to start it.")
        return redirect("sequence_detail", self.org.slug, sequence.pk)


class SequenceEditView(SequenceBuilderMixin, TemplateView):
    capability = Capability.MANAGE_SEQUENCES
    editing = True

    def get(self, request, *args, **kwargs):
        rows = [StepForm.initial_for(step) for step in self.sequence.steps.all()]
        return self.render_builder(
            SequenceForm(initial=SequenceForm.initial_for(self.sequence)),
            step_formset(templates=self.templates(), initial=rows),
        )

    def save(self, data: dict, steps: list[dict]) -> Sequence:
        return builder.sequence_update(sequence=self.sequence, steps=steps, **data)

    def saved(self, sequence: Sequence):
        text = f"Sequence “{sequence.name}” saved."
        if Enrollment.objects.filter(sequence=sequence).running().exists():
            text += " The changes apply to the steps not yet sent."
        messages.success(self.request, text)
        return redirect("sequence_detail", self.org.slug, sequence.pk)


class StepMoveView(SequencePageMixin, View):
    """Move a saved step up or down one place (the sequence page's arrows)."""

    capability = Capability.MANAGE_SEQUENCES

    def post(self, request, org_slug, pk, step_pk):
        ids = [step.pk for step in self.sequence.steps.all()]
        if step_pk not in ids:
            raise Http404
        index = ids.index(step_pk)
        other = index - 1 if request.POST.get("direction") == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            try:
                builder.steps_reorder(sequence=self.sequence, step_ids=ids)
            except ValidationError as error:
                messages.error(request, f"The steps were not moved: {_error_text(error)}")
            else:
                messages.success(
                    request, "Step moved. Running enrollments follow the new order for steps not yet sent."
                )
        return redirect(reverse("sequence_detail", args=[org_slug, pk]) + "#steps")


class SequencePreviewView(SequencePageMixin, TemplateView):
    """Every step rendered for one candidate, with its personalisation check."""

    template_name = "engagement/sequences/preview.html"

    def get_context_data(self, **kwargs):
        form = PreviewForm(self.request.GET or None)
        candidate, previews = None, []
        query = form.cleaned_data["candidate"] if form.is_valid() else ""
        if query:
            found = candidate_lookup(org=self.org, query=query, limit=1)
            candidate = found[0] if found else None
        if candidate is not None:
            recruiter = self.sequence.owner or self.request.user
            previews = [
                step_preview(org=self.org, recruiter=recruiter, candidate=candidate, step=step)
                for step in self.sequence.steps.all()
            ]
        return super().get_context_data(form=form, query=query, candidate=candidate, previews=previews, **kwargs)


class SequenceStatusView(SequencePageMixin, View):
    """Pause, resume or archive the sequence."""

    capability = Capability.MANAGE_SEQUENCES

    LABELS = {
        Sequence.Status.PAUSED: "paused: no step is sent until it is resumed",
        Sequence.Status.ACTIVE: "resumed: due steps go out in the next send window",
        Sequence.Status.ARCHIVED: "archived: its running enrollments were stopped",
    }

    def post(self, request, org_slug, pk):
        status = request.POST.get("status", "")
        if status not in self.LABELS:
            messages.error(request, "Choose pause, resume or archive.")
        else:
            try:
                builder.sequence_set_status(sequence=self.sequence, status=status)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, f"Sequence “{self.sequence.name}” {self.LABELS[status]}.")
        target = "sequence_list" if status == Sequence.Status.ARCHIVED else "sequence_detail"
        return redirect(target, org_slug, *([] if target == "sequence_list" else [pk]))


# --- The sequence page --------------------------------------------------------------------------


class SequenceDetailView(SequencePageMixin, TemplateView):
    template_name = "engagement/sequences/detail.html"

    def get_context_data(self, **kwargs):
        sequence = self.sequence
        steps = list(sequence.steps.all())
        state = self.request.GET.get("state", "")
        if state not in Enrollment.State.values:
            state = ""
        paginator = Paginator(selectors.enrollment_list(sequence=sequence, state=state), ENROLLMENTS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        counts = selectors.enrollment_counts(sequence=sequence)
        return super().get_context_data(
            steps=steps,
            figures=selectors.sequence_step_figures(sequence=sequence, steps=steps),
            reply_rate=selectors.reply_rate(replied=sequence.replied_count, contacted=sequence.contacted_count),
            states=[(value, label, counts[value]) for value, label in Enrollment.State.choices],
            state=state,
            page=page,
            **kwargs,
        )
