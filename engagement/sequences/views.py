"""Recruiter pages for follow-up sequences, under /o/<org_slug>/sequences/.

The list, the builder (steps added, moved and edited without JavaScript), a preview of every step
for one candidate, the sequence page (per-step figures and the enrollments), the enrol screen
(from a candidate, a selection or all matches of the candidate list, or a circle) and a
background enrolment's progress. Writes go through `engagement.sequences`; every query starts
from the request's organisation, so another organisation's objects are 404. Times are shown in
the signed-in recruiter's time zone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from candidates.forms import CandidateFilterForm, IdListField, org_members
from candidates.models import Candidate
from candidates.selectors import candidate_filter
from engagement.circles.models import Circle
from engagement.circles.selectors import circle_audience
from engagement.sequences import builder, enrolment, enrolment_batches, lifecycle, selectors
from engagement.sequences.forms import (
    EnrolForm,
    PreviewForm,
    SequenceForm,
    StepForm,
    put_service_errors,
    step_formset,
)
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep
from engagement.timeline.views import RecruiterTimeMixin
from messaging.checks import personalisation_check
from messaging.models import MessageTemplate
from messaging.rendering import TemplateError, render_message
from messaging.selectors import candidate_lookup
from messaging.views.common import int_or_404, score_level

SEQUENCES_PER_PAGE = 25
ENROLLMENTS_PER_PAGE = 25
SAMPLE_SIZE = 5  # candidates whose first message the enrol screen shows
SKIPPED_SHOWN = 50
# The enrol screen checks who would be skipped for up to this many candidates; beyond it the
# background job checks the rest as it goes (the screen says so).
PLAN_LIMIT = 5_000


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _reason_summary(skipped: dict[int, str]) -> str:
    """ "3 unsubscribed from all messages; 1 already enrolled in this sequence"."""
    reasons = Counter(skipped.values())
    return "; ".join(
        f"{count:,} {enrolment_batches.ENROLL_SKIP_REASONS.get(reason, reason).lower()}"
        for reason, count in reasons.most_common()
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def visible_templates(org, user) -> QuerySet[MessageTemplate]:
    """The templates a recruiter may put in a step: active, shared or their own."""
    return MessageTemplate.objects.for_org(org).active().visible_to(user).order_by("name", "id")


def step_preview(*, org, recruiter, candidate: Candidate, step: SequenceStep) -> dict:
    """One step as the candidate would get it: rendered subject and body with its check, or why not."""
    preview: dict = {"step": step}
    if step.kind == SequenceStep.Kind.TASK:
        preview["task"] = step.task_text
        return preview
    template = step.template
    if template is None:
        preview["error"] = "This step has no template yet."
        return preview
    try:
        rendered = render_message(
            subject=template.subject, body=template.body, candidate=candidate, recruiter=recruiter, organization=org
        )
    except TemplateError as exc:
        preview["error"] = exc.message
        return preview
    check = personalisation_check(
        org=org, candidate=candidate, subject=rendered.subject, body=rendered.body, template_body=template.body
    )
    preview.update(subject=rendered.subject, body=rendered.body, check=check, level=score_level(check.score))
    return preview


class SequencePageMixin(RecruiterTimeMixin):
    """The sequence named by the URL, scoped to the organisation: 404 outside it."""

    @cached_property
    def sequence(self) -> Sequence:
        try:
            return selectors.sequence_detail(org=self.org, pk=self.kwargs["pk"])
        except Sequence.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "pk" in self.kwargs:
            context["sequence"] = self.sequence
        return context


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


class SequenceBuilderMixin(SequencePageMixin):
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
        form = SequenceForm(request.POST)
        formset = step_formset(templates=self.templates(), data=request.POST)
        action = request.POST.get("action", "save")
        if action == "add" or action.startswith(("up-", "down-")):
            return self._rearrange(form, formset, action)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_builder(form, formset, status=400)
        steps, step_forms = formset.steps_data()
        try:
            sequence = self.save(form.cleaned_data, steps)
        except ValidationError as error:
            put_service_errors(error, form=form, formset=formset, step_forms=step_forms)
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
    def get(self, request, *args, **kwargs):
        return self.render_builder(SequenceForm(), step_formset(templates=self.templates(), extra=1))

    def save(self, data: dict, steps: list[dict]) -> Sequence:
        return builder.sequence_create(org=self.org, owner=self.request.user, steps=steps, **data)

    def saved(self, sequence: Sequence):
        messages.success(self.request, f"Sequence “{sequence.name}” created. Enrol candidates to start it.")
        return redirect("sequence_detail", self.org.slug, sequence.pk)


class SequenceEditView(SequenceBuilderMixin, TemplateView):
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


# --- Enrolling ----------------------------------------------------------------------------------


@dataclass
class Audience:
    """Who the enrol screen is about, as carried in its query string and hidden fields."""

    kind: str = ""  # "candidate", "circle", "selected", "query" or "" (not chosen yet)
    candidate: Candidate | None = None
    circle: Circle | None = None
    ids: list[int] = field(default_factory=list)
    query: str = ""

    def params(self) -> list[tuple[str, str]]:
        if self.kind == "candidate":
            return [("candidate", str(self.candidate.pk))]
        if self.kind == "circle":
            return [("circle", str(self.circle.pk))]
        if self.kind == "selected":
            return [("selected", str(pk)) for pk in self.ids]
        if self.kind == "query":
            return [("all_matching", "on"), ("query", self.query)]
        return []

    def candidates(self, org) -> QuerySet[Candidate]:
        found = Candidate.objects.for_org(org)
        if self.kind == "candidate":
            return found.filter(pk=self.candidate.pk)
        if self.kind == "circle":
            return circle_audience(org=org, circle_id=self.circle.pk)
        if self.kind == "selected":
            return found.filter(pk__in=self.ids)
        if self.kind == "query":
            form = CandidateFilterForm(QueryDict(self.query), org=org, members=org_members(org))
            if not form.is_valid():  # an invalid filter would be left out and widen "all matching"
                raise Http404
            return candidate_filter(org=org, filters=form.to_filters())
        return found.none()

    def label(self, total: int) -> str:
        if self.kind == "candidate":
            return self.candidate.full_name
        if self.kind == "circle":
            return f"the {_plural(total, 'member')} of the circle “{self.circle.name}”"
        if self.kind == "query":
            return f"all {_plural(total, 'candidate')} matching the list's filters"
        return _plural(total, "selected candidate")


def audience_from(org, params: QueryDict) -> Audience:
    """Read the audience; another organisation's candidate or circle (or a malformed id) is a 404."""
    if params.get("candidate"):
        candidate = get_object_or_404(Candidate.objects.for_org(org), pk=int_or_404(params["candidate"]))
        return Audience(kind="candidate", candidate=candidate)
    if params.get("circle"):
        circle = get_object_or_404(Circle.objects.for_org(org), pk=int_or_404(params["circle"]))
        return Audience(kind="circle", circle=circle)
    if params.get("all_matching"):
        return Audience(kind="query", query=params.get("query", "")[:2000])
    if params.getlist("selected"):
        try:
            ids = IdListField(required=False).clean(params.getlist("selected"))
        except ValidationError:
            raise Http404 from None
        return Audience(kind="selected", ids=ids)
    return Audience()


def enrollable_sequences(org) -> QuerySet[Sequence]:
    return Sequence.objects.for_org(org).exclude(status=Sequence.Status.ARCHIVED).order_by("name", "id")


class EnrolStartView(RecruiterTimeMixin, View):
    """The candidate list's bulk form posts here (a selection or "all matching"); on to the enrol screen."""

    def post(self, request, org_slug):
        query = request.POST.get("query", "")[:2000]
        back = reverse("candidate_list", args=[org_slug]) + (f"?{query}" if query else "")
        try:
            selected = IdListField(required=False).clean(request.POST.getlist("selected"))
        except ValidationError:
            messages.error(request, "The selection is not valid; reload the page and try again.")
            return HttpResponseRedirect(back)
        if request.POST.get("all_matching"):
            filters = CandidateFilterForm(QueryDict(query), org=self.org, members=org_members(self.org))
            if not filters.is_valid():
                messages.error(request, "The filters are not valid any more, so nobody was chosen. Try again.")
                return HttpResponseRedirect(back)
            params = Audience(kind="query", query=query).params()
        elif selected:
            params = Audience(kind="selected", ids=selected).params()
        else:
            messages.error(request, "Select at least one candidate, or “all matching”, to enrol.")
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("sequence_enrol", args=[org_slug]) + "?" + urlencode(params))


class EnrolView(RecruiterTimeMixin, TemplateView):
    """Choose the sequence, see the first message for a few of them and who will be skipped, confirm."""

    template_name = "engagement/sequences/enrol.html"

    def get(self, request, *args, **kwargs):
        audience = audience_from(self.org, request.GET)
        form = EnrolForm(
            {"sequence": request.GET["sequence"]} if request.GET.get("sequence") else None,
            sequences=enrollable_sequences(self.org),
        )
        if request.GET.get("sequence") and not form.is_valid():
            raise Http404  # another organisation's sequence, an archived one or no such id
        return self.render_to_response(self.get_context_data(audience=audience, form=form))

    def post(self, request, org_slug):
        audience = audience_from(self.org, request.POST)
        form = EnrolForm(request.POST, sequences=enrollable_sequences(self.org))
        if audience.kind == "" or not form.is_valid():
            if audience.kind == "":
                form.add_error(None, "Choose who to enrol: a candidate, a selection or a circle.")
            return self.render_to_response(self.get_context_data(audience=audience, form=form), status=400)
        sequence = form.cleaned_data["sequence"]
        target = (
            {"circle": audience.circle} if audience.kind == "circle" else {"candidates": audience.candidates(self.org)}
        )
        try:
            result = enrolment.enrollments_create(
                org=self.org,
                sequence=sequence,
                enrolled_by=request.user,
                background_threshold=enrolment.BACKGROUND_ENROLMENT_THRESHOLD,
                **target,
            )
        except ValidationError as error:
            for key, texts in (error.message_dict if hasattr(error, "error_dict") else {"": error.messages}).items():
                for text in texts:
                    form.add_error("sequence" if key == "sequence" else None, text)
            return self.render_to_response(self.get_context_data(audience=audience, form=form), status=400)
        if result.job is not None:
            messages.info(request, f"Enrolling {_plural(result.job.total, 'candidate')} in the background.")
            return redirect("sequence_enrol_job", org_slug, result.job.pk)
        text = f"{_plural(len(result.enrolled), 'candidate')} enrolled in “{sequence.name}”."
        if result.skipped:
            text += f" Skipped: {_reason_summary(result.skipped)}."
        (messages.success if result.enrolled else messages.warning)(request, text)
        return redirect("sequence_detail", org_slug, sequence.pk)

    def get_context_data(self, **kwargs):
        audience: Audience = kwargs["audience"]
        form: EnrolForm = kwargs["form"]
        context = super().get_context_data(
            audience_params=audience.params(),
            background_threshold=enrolment.BACKGROUND_ENROLMENT_THRESHOLD,
            **kwargs,
        )
        if audience.kind == "":
            return context
        candidates = audience.candidates(self.org)
        total = candidates.count()
        context.update(
            total=total, audience_label=audience.label(total), background=total > context["background_threshold"]
        )
        sequence = form.cleaned_data.get("sequence") if form.is_bound and hasattr(form, "cleaned_data") else None
        if sequence is not None:
            context.update(self._plan(sequence, candidates, total))
        return context

    def _plan(self, sequence: Sequence, candidates: QuerySet[Candidate], total: int) -> dict:
        ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:PLAN_LIMIT])
        skipped = enrolment_batches.enrollment_plan(org=self.org, sequence=sequence, candidate_ids=ids)
        eligible = [pk for pk in ids if pk not in skipped]
        shown_skipped = list(skipped.items())[:SKIPPED_SHOWN]
        names = Candidate.objects.for_org(self.org).in_bulk([pk for pk, _ in shown_skipped])
        first = sequence.steps.select_related("template").order_by("order").first()
        recruiter = sequence.owner or self.request.user
        samples = []
        if first is not None:
            sample = (
                Candidate.objects.for_org(self.org).filter(pk__in=eligible[:SAMPLE_SIZE]).prefetch_related("skills")
            )
            samples = [
                {"candidate": c, **step_preview(org=self.org, recruiter=recruiter, candidate=c, step=first)}
                for c in sample.order_by("pk")
            ]
        reasons = Counter(skipped.values())
        return {
            "sequence": sequence,
            "first_step": first,
            "samples": samples,
            "skipped_rows": [
                {"candidate": names.get(pk), "pk": pk, "reason": enrolment_batches.ENROLL_SKIP_REASONS.get(r, r)}
                for pk, r in shown_skipped
            ],
            "skipped_total": len(skipped),
            "skip_reasons": [
                (enrolment_batches.ENROLL_SKIP_REASONS.get(reason, reason), count)
                for reason, count in reasons.most_common()
            ],
            "to_enrol": len(eligible) + max(total - len(ids), 0),
            "plan_partial": total > len(ids),
            "plan_limit": PLAN_LIMIT,
        }


class EnrolJobView(RecruiterTimeMixin, TemplateView):
    """A background enrolment's progress; htmx polls the progress part until the job is done."""

    template_name = "engagement/sequences/job.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["engagement/sequences/_job_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        try:
            job = selectors.enrollment_job(org=self.org, pk=self.kwargs["pk"])
        except EnrollmentJob.DoesNotExist:
            raise Http404 from None
        percent = 100 if job.status == job.Status.DONE else (job.processed * 100 // job.total if job.total else 0)
        reasons = sorted(job.skipped_reasons.items(), key=lambda item: -item[1])
        return super().get_context_data(
            job=job,
            percent=percent,
            is_done=job.status in (job.Status.DONE, job.Status.FAILED),
            skip_reasons=[
                (enrolment_batches.ENROLL_SKIP_REASONS.get(reason, reason), count) for reason, count in reasons
            ],
            **kwargs,
        )


# --- One enrollment -----------------------------------------------------------------------------


class EnrollmentActionView(RecruiterTimeMixin, View):
    """Pause, resume or stop one enrollment; back to where the button was."""

    action = ""
    DONE = {"pause": "paused", "resume": "resumed", "stop": "stopped"}

    def post(self, request, org_slug, pk):
        enrollment = get_object_or_404(
            Enrollment.objects.for_org(self.org).select_related("candidate", "sequence"), pk=pk
        )
        service = {
            "pause": lifecycle.enrollment_pause,
            "resume": lifecycle.enrollment_resume,
            "stop": lifecycle.enrollment_stop,
        }[self.action]
        try:
            service(enrollment=enrollment)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                f"{enrollment.candidate.full_name}'s enrollment in “{enrollment.sequence.name}” "
                f"{self.DONE[self.action]}.",
            )
        fallback = reverse("sequence_detail", args=[org_slug, enrollment.sequence_id]) + "#enrollments"
        return HttpResponseRedirect(_safe_next(request, fallback))
