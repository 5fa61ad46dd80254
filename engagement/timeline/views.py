"""A candidate's relationship timeline, mounted under /o/<org_slug>/candidates/<pk>/timeline/: loaded
into the candidate page by htmx, or a page of its own without JavaScript. The pipeline board and
"My day" are in `board_views`.

Every query starts from the request's organisation, so another organisation's candidate,
activity or reminder is a 404. Pages render in the recruiter's own time zone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.views import View

from candidates.models import Candidate
from candidates.services import candidate_set_stage
from engagement.timeline import selectors, services
from engagement.timeline.forms import (
    LOGGED_FORMS,
    CallForm,
    LoggedActivityForm,
    MeetingForm,
    NoteForm,
    ReminderForm,
    StageForm,
    TimelineFilterForm,
)
from engagement.timeline.models import Activity, Relationship
from talentcircles.mixins import HtmxRequest, OrgMemberRequiredMixin
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

PANEL_REMINDERS = 5  # the timeline's header shows the next few; "My day" has the rest


class RecruiterTimeMixin(OrgMemberRequiredMixin):
    """Renders in the signed-in recruiter's time zone, so "today" and every time shown are theirs."""

    def dispatch(self, request, *args, **kwargs):
        zone = getattr(request.user, "time_zone", "") or "UTC"
        with timezone.override(ZoneInfo(zone)):
            response = super().dispatch(request, *args, **kwargs)
            # Template responses render after the view returns: render them while the zone is active.
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response


def relationship_of(candidate: Candidate) -> Relationship | None:
    try:
        return candidate.relationship
    except Relationship.DoesNotExist:
        return None


def day_groups(activities: list[Activity], *, previous_day: date | None = None) -> list[dict]:
    """Activities grouped by local calendar day; a group continuing the previous page's last day is marked."""
    groups: list[dict] = []
    for activity in activities:
        day = timezone.localdate(activity.occurred_at)
        if not groups or groups[-1]["day"] != day:
            groups.append({"day": day, "items": [], "continued": not groups and day == previous_day})
        groups[-1]["items"].append(activity)
    return groups


# --- Timeline -------------------------------------------------------------------------------


# A View to mypy, a plain mixin at run time (as `talentcircles.api.OrgScopedMixin`): a mixin of View's
# subclasses that narrows `request` (to read `htmx`) would otherwise clash with View's `request`.
if TYPE_CHECKING:
    _ViewBase = View
else:
    _ViewBase = object


class TimelineMixin(RecruiterTimeMixin, _ViewBase):
    """The candidate named by the URL and the timeline panel's context."""

    request: HtmxRequest
    panel_template = "engagement/_timeline_panel.html"
    page_template = "engagement/timeline.html"

    def get_candidate(self) -> Candidate:
        try:
            return selectors.timeline_candidate(org=self.org, pk=self.kwargs["pk"])
        except Candidate.DoesNotExist:
            raise Http404 from None

    def items_context(self, candidate: Candidate, *, kind: str, before: selectors.Cursor | None, previous_day=None):
        page = selectors.timeline_page(org=self.org, candidate=candidate, kind=kind, before=before)
        groups = day_groups(page.activities, previous_day=previous_day)
        more_query = ""
        if page.next_cursor:
            last_day = groups[-1]["day"].isoformat()
            more_query = urlencode({"before": page.next_cursor.encode(), "kind": kind, "day": last_day})
        today = timezone.localdate()
        return {
            # Item links are built on this one URL: reversing three per row costs more than the row's query.
            "timeline_url": self.timeline_url(candidate),
            "groups": groups,
            "more_query": more_query,
            "today": today,
            "yesterday": today - timedelta(days=1),
            "logged_kinds": [str(k) for k in Activity.LOGGED_KINDS],
            "kind": kind,
            "first_page": before is None,
        }

    def panel_context(self, candidate: Candidate, *, kind: str = "", before=None, bound=None, open_form: str = ""):
        """Everything the panel shows; `bound` replaces a blank form with the one that was submitted."""
        forms = {
            "note_form": NoteForm(prefix="note"),
            "call_form": CallForm(prefix="call"),
            "meeting_form": MeetingForm(prefix="meeting"),
            "reminder_form": ReminderForm(prefix="reminder"),
            "stage_form": StageForm(prefix="stage", initial={"stage": candidate.stage}),
        }
        forms.update(bound or {})
        reminders = list(selectors.candidate_open_reminders(org=self.org, candidate=candidate)[: PANEL_REMINDERS + 1])
        return {
            "org": self.org,
            "membership": self.membership,
            "candidate": candidate,
            "relationship": relationship_of(candidate),
            "reminders": reminders[:PANEL_REMINDERS],
            "more_reminders": len(reminders) > PANEL_REMINDERS,
            "filter_form": TimelineFilterForm({"kind": kind}),
            "total": selectors.timeline(org=self.org, candidate=candidate, kind=kind).count(),
            "open_form": open_form,
            **forms,
            **self.items_context(candidate, kind=kind, before=before),
        }

    def render_panel(self, candidate: Candidate, *, status: int = 200, **kwargs) -> TemplateResponse:
        context = self.panel_context(candidate, **kwargs)
        if self.request.htmx:
            # htmx swaps only 2xx responses: the panel with its field errors comes back as 200.
            return TemplateResponse(self.request, self.panel_template, context)
        return TemplateResponse(self.request, self.page_template, context, status=status)

    def timeline_url(self, candidate: Candidate) -> str:
        return reverse("candidate_timeline", args=[self.org.slug, candidate.pk])


class TimelineView(TimelineMixin, View):
    """GET: the panel for htmx (`?part=items` for one more page of items), else a page of its own."""

    def get(self, request, org_slug, pk):
        candidate = self.get_candidate()
        kind = TimelineFilterForm(request.GET).chosen_kind()
        before = selectors.Cursor.decode(request.GET.get("before", ""))
        if request.htmx and request.GET.get("part") == "items":
            try:
                previous_day = date.fromisoformat(request.GET.get("day", ""))
            except ValueError:
                previous_day = None
            context = {"org": self.org, "candidate": candidate}
            context |= self.items_context(candidate, kind=kind, before=before, previous_day=previous_day)
            response = TemplateResponse(request, "engagement/_timeline_items.html", context)
        else:
            response = self.render_panel(candidate, kind=kind, before=before)
        # One URL answers with a page or a fragment: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response


class TimelineLogView(TimelineMixin, View):
    """POST a note, call or meeting from the timeline's inline forms."""

    capability = Capability.SCHEDULE

    def post(self, request, org_slug, pk, kind):
        if kind not in LOGGED_FORMS:
            raise Http404
        candidate = self.get_candidate()
        form = LOGGED_FORMS[kind](request.POST, prefix=kind)
        if form.is_valid():
            try:
                services.activity_log(candidate=candidate, actor=request.user, kind=kind, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                label = Activity.Kind(kind).label.lower()
                if not request.htmx:
                    messages.success(request, f"The {label} is on the timeline.")
                    return redirect(self.timeline_url(candidate))
                return self.render_panel(candidate)
        return self.render_panel(candidate, status=400, bound={f"{kind}_form": form}, open_form=kind)


class TimelineStageView(TimelineMixin, View):
    """POST a stage change (with an optional reason) from the timeline."""

    capability = Capability.MOVE_STAGE

    def post(self, request, org_slug, pk):
        candidate = self.get_candidate()
        form = StageForm(request.POST, prefix="stage")
        if form.is_valid():
            try:
                candidate_set_stage(
                    candidate=candidate, actor=request.user, stage=form.cleaned_data["stage"],
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if not request.htmx:
                    messages.success(request, f"{candidate.full_name} is now “{candidate.get_stage_display()}”.")
                    return redirect(self.timeline_url(candidate))
                return self.render_panel(candidate)
        return self.render_panel(candidate, status=400, bound={"stage_form": form}, open_form="stage")


class TimelineReminderView(TimelineMixin, View):
    """POST a reminder for the signed-in recruiter about this candidate."""

    capability = Capability.SCHEDULE

    def post(self, request, org_slug, pk):
        candidate = self.get_candidate()
        form = ReminderForm(request.POST, prefix="reminder")
        if form.is_valid():
            try:
                reminder = services.reminder_create(
                    org=self.org, candidate_id=candidate.pk, recruiter=request.user,
                    due_at=form.due_time(timezone.now()), note=form.cleaned_data["note"], created_by=request.user,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if not request.htmx:
                    when = timezone.localtime(reminder.due_at)
                    messages.success(request, f"Reminder set for {when:%d %b %Y, %H:%M}.")
                    return redirect(self.timeline_url(candidate))
                return self.render_panel(candidate)
        return self.render_panel(candidate, status=400, bound={"reminder_form": form}, open_form="reminder")


class ActivityMixin(TimelineMixin):
    def own_activity(self) -> Activity:
        try:
            return selectors.own_logged_activity(
                org=self.org,
                candidate_id=self.kwargs["pk"],
                pk=self.kwargs["activity_pk"],
                actor=signed_in_user(self.request),
            )
        except Activity.DoesNotExist:
            raise Http404 from None

    def render_item(self, activity: Activity) -> TemplateResponse:
        context = {
            "org": self.org,
            "a": activity,
            "logged_kinds": [str(k) for k in Activity.LOGGED_KINDS],
            "timeline_url": reverse("candidate_timeline", args=[self.org.slug, activity.candidate_id]),
        }
        return TemplateResponse(self.request, "engagement/_activity.html", context)


class ActivityView(ActivityMixin, View):
    """One activity of the candidate as a timeline item (what "Cancel" on an edit form swaps back)."""

    def get(self, request, org_slug, pk, activity_pk):
        activity = get_object_or_404(
            Activity.objects.for_org(self.org).select_related("actor", "circle"), candidate_id=pk, pk=activity_pk
        )
        return self.render_item(activity)


class ActivityEditView(ActivityMixin, View):
    """Edit one's own note, call or meeting: inline with htmx, or on a page of its own."""

    capability = Capability.SCHEDULE

    def form_for(self, activity: Activity, data=None) -> LoggedActivityForm:
        form_class = LOGGED_FORMS[activity.kind]
        prefix = f"edit-{activity.pk}"
        if data is not None:
            return form_class(data, prefix=prefix)
        return form_class(initial=LoggedActivityForm.initial_for(activity), prefix=prefix)

    def render_form(self, activity: Activity, form: LoggedActivityForm, status: int = 200) -> TemplateResponse:
        context = {"org": self.org, "a": activity, "form": form, "candidate_pk": self.kwargs["pk"]}
        if self.request.htmx:
            return TemplateResponse(self.request, "engagement/_activity_edit.html", context)
        return TemplateResponse(self.request, "engagement/activity_edit.html", context, status=status)

    def get(self, request, org_slug, pk, activity_pk):
        activity = self.own_activity()
        return self.render_form(activity, self.form_for(activity))

    def post(self, request, org_slug, pk, activity_pk):
        activity = self.own_activity()
        form = self.form_for(activity, request.POST)
        if form.is_valid():
            try:
                services.activity_edit(activity=activity, actor=request.user, **form.service_arguments())
            except ValidationError as exc:
                activity.refresh_from_db()
                form.add_service_errors(exc)
            else:
                if request.htmx:
                    return self.render_item(activity)
                messages.success(request, f"{activity.get_kind_display()} saved.")
                return redirect(reverse("candidate_timeline", args=[org_slug, pk]))
        return self.render_form(activity, form, status=400)


class ActivityDeleteView(ActivityMixin, View):
    capability = Capability.SCHEDULE

    def post(self, request, org_slug, pk, activity_pk):
        activity = self.own_activity()
        label = activity.get_kind_display()
        services.activity_delete(activity=activity, actor=request.user)
        if request.htmx:
            return HttpResponse(format_html('<li class="tc-activity" role="status">{} deleted.</li>', label))
        messages.success(request, f"{label} deleted.")
        return redirect(reverse("candidate_timeline", args=[org_slug, pk]))
