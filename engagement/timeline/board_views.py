"""The pipeline board and "My day" (with its in-place reminder actions), mounted under /o/<org_slug>/.

Every query starts from the request's organisation; another organisation's candidate or
anyone else's reminder is a 404. Pages render in the recruiter's own time zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from candidates.forms import org_members
from candidates.models import Candidate
from candidates.services import candidate_set_stage
from engagement.timeline import selectors, services
from engagement.timeline.forms import PipelineFilterForm
from engagement.timeline.views import RecruiterTimeMixin
from talentcircles.audiences import audience_choices
from talentcircles.errors import field_messages
from talentcircles.mixins import HtmxRequest
from talentcircles.permissions import Capability

MY_DAY_PAGE_SIZE = 50


# --- Pipeline board -------------------------------------------------------------------------


class PipelineView(RecruiterTimeMixin, TemplateView):
    template_name = "engagement/pipeline.html"

    def get_context_data(self, **kwargs):
        form = PipelineFilterForm(self.request.GET, members=org_members(self.org), circles=audience_choices(self.org))
        filters = form.board_filters()
        columns = selectors.pipeline_board(org=self.org, **filters)
        return super().get_context_data(
            form=form,
            owner=form.cleaned_data.get("owner", ""),
            circle=form.cleaned_data.get("circle", ""),
            columns=columns,
            total=sum(column.total for column in columns),
            total_capped=any(column.capped for column in columns),
            stages=[(stage.value, stage.label) for stage in selectors.PIPELINE_STAGES],
            # Card links are built on these two URLs rather than reversed per card.
            list_url=reverse("candidate_list", args=[self.org.slug]),
            board_url=reverse("pipeline", args=[self.org.slug]),
            cap=selectors.PIPELINE_COLUMN_CAP,
            now=timezone.now(),
            **kwargs,
        )


class PipelineMoveView(RecruiterTimeMixin, View):
    """Move a card to another stage: a form post (keyboard, no JavaScript) or a fetch from pipeline.js (JSON)."""

    capability = Capability.MOVE_STAGE

    def post(self, request, org_slug, pk):
        candidate = get_object_or_404(Candidate.objects.for_org(self.org), pk=pk)
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            candidate_set_stage(
                candidate=candidate, actor=request.user, stage=request.POST.get("stage", ""),
                reason=request.POST.get("reason", "")[:300],
            )  # fmt: skip
        except ValidationError as exc:
            if wants_json:
                return JsonResponse({"errors": field_messages(exc)}, status=400)
            for message in exc.messages:
                messages.error(request, message)
        else:
            done = f"Moved {candidate.full_name} to “{candidate.get_stage_display()}”."
            if wants_json:
                label = candidate.get_stage_display()
                return JsonResponse({"id": candidate.pk, "stage": candidate.stage, "label": label, "message": done})
            messages.success(request, done)
        # Back to the board as it was filtered (the values are only echoed into our own URL).
        kept = {name: request.POST.get(name, "") for name in ("owner", "circle") if request.POST.get(name)}
        board = reverse("pipeline", args=[org_slug])
        return redirect(f"{board}?{urlencode(kept)}" if kept else board)


# --- My day ---------------------------------------------------------------------------------


class MyDayView(RecruiterTimeMixin, TemplateView):
    template_name = "engagement/my_day.html"

    def get_context_data(self, **kwargs):
        day = selectors.my_day(org=self.org, recruiter=self.request.user, now=timezone.now())
        due = Paginator(day.due, MY_DAY_PAGE_SIZE).get_page(self.request.GET.get("page"))
        cold = Paginator(day.going_cold, MY_DAY_PAGE_SIZE).get_page(self.request.GET.get("cold_page"))
        return super().get_context_data(
            due=due,
            cold=cold,
            now=timezone.now(),
            my_day_url=reverse("my_day", args=[self.org.slug]),
            candidates_url=reverse("candidate_list", args=[self.org.slug]),
            **kwargs,
        )


# A View to mypy, a plain mixin at run time (see `engagement.timeline.views.TimelineMixin`).
if TYPE_CHECKING:
    _ViewBase = View
else:
    _ViewBase = object


class ReminderActionMixin(RecruiterTimeMixin, _ViewBase):
    request: HtmxRequest

    def reminder(self):
        # Only one's own reminders: anyone else's, in this organisation or another, is a 404.
        reminders = selectors.my_reminders(org=self.org, recruiter=self.request.user)
        return get_object_or_404(reminders, pk=self.kwargs["pk"])

    def answer(self, text: str) -> HttpResponse:
        if self.request.htmx:
            context = {"text": text}
            return TemplateResponse(self.request, "engagement/_reminder_status.html", context)
        messages.success(self.request, text)
        return redirect("my_day", self.org.slug)


class ReminderDoneView(ReminderActionMixin, View):
    capability = Capability.SCHEDULE

    def post(self, request, org_slug, pk):
        reminder = services.reminder_complete(reminder=self.reminder())
        return self.answer(f"Done: {reminder.note} ({reminder.candidate.full_name}).")


class ReminderSnoozeView(ReminderActionMixin, View):
    capability = Capability.SCHEDULE

    def post(self, request, org_slug, pk):
        reminder = self.reminder()
        try:
            days = int(request.POST.get("days", ""))
            services.reminder_snooze(reminder=reminder, days=days)
        except (ValueError, ValidationError):
            if request.htmx:
                return HttpResponse("Snooze for 1 day or 1 week.", status=400)
            messages.error(request, "Snooze for 1 day or 1 week.")
            return redirect("my_day", org_slug)
        when = timezone.localtime(reminder.due_at)
        return self.answer(f"Snoozed until {when:%a %d %b, %H:%M}: {reminder.note} ({reminder.candidate.full_name}).")
