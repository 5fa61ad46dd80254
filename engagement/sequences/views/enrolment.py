"""Enrolling: the enrol screen (from a candidate, a selection or all matches of the candidate list, or
a circle), a background enrolment's progress, and pausing, resuming or stopping one enrollment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from candidates.forms import CandidateFilterForm, IdListField, org_members
from candidates.models import Candidate
from candidates.selectors import candidate_filter
from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from engagement.circles.selectors import circle_audience
from engagement.sequences import enrolment, enrolment_batches, lifecycle, selectors
from engagement.sequences.forms import (
    EnrolForm,
)
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence
from engagement.sequences.views.common import (
    PLAN_LIMIT,
    SAMPLE_SIZE,
    SKIPPED_SHOWN,
    _error_text,
    _plural,
    _reason_summary,
    _safe_next,
    step_preview,
)
from engagement.timeline.views import RecruiterTimeMixin
from messaging.views.common import int_or_404
from talentcircles.permissions import Capability

# --- Enrolling ----------------------------------------------------------------------------------


@dataclass
class Audience:
    """Who the enrol screen is about, as carried in its query string and hidden fields."""

    kind: str = ""  # "candidate", "circle", "selected", "query" or "" (not chosen yet)
    candidate: Candidate | None = None  # set when kind is "candidate"
    circle: Circle | None = None  # set when kind is "circle"
    ids: list[int] = field(default_factory=list)
    query: str = ""
    job: Job | None = None  # what the enrolment is about (from a job's "Who fits"), any kind of audience

    def params(self) -> list[tuple[str, str]]:
        about = [("job", str(self.job.pk))] if self.job is not None else []
        return self._who() + about

    def _who(self) -> list[tuple[str, str]]:
        if self.kind == "candidate":
            assert self.candidate is not None
            return [("candidate", str(self.candidate.pk))]
        if self.kind == "circle":
            assert self.circle is not None
            return [("circle", str(self.circle.pk))]
        if self.kind == "selected":
            return [("selected", str(pk)) for pk in self.ids]
        if self.kind == "query":
            return [("all_matching", "on"), ("query", self.query)]
        return []

    def candidates(self, org) -> QuerySet[Candidate]:
        found = Candidate.objects.for_org(org)
        if self.kind == "candidate":
            assert self.candidate is not None
            return found.filter(pk=self.candidate.pk)
        if self.kind == "circle":
            assert self.circle is not None
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
        about = f", about the job “{self.job.title}”" if self.job is not None else ""
        return self._label(total) + about

    def _label(self, total: int) -> str:
        if self.kind == "candidate":
            assert self.candidate is not None
            return self.candidate.full_name
        if self.kind == "circle":
            assert self.circle is not None
            return f"the {_plural(total, 'member')} of the circle “{self.circle.name}”"
        if self.kind == "query":
            return f"all {_plural(total, 'candidate')} matching the list's filters"
        return _plural(total, "selected candidate")


def audience_from(org, params: QueryDict) -> Audience:
    """Read the audience and the job it is about; another organisation's candidate, circle or job is a 404."""
    audience = _audience_from(org, params)
    if params.get("job"):
        audience.job = get_object_or_404(Job.objects.for_org(org), pk=int_or_404(params["job"]))
    return audience


def _audience_from(org, params: QueryDict) -> Audience:
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

    capability = Capability.BULK_SEND

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
            if request.POST.get("job"):  # from a job's "Who fits": the enrolment is about the job
                job = get_object_or_404(Job.objects.for_org(self.org), pk=int_or_404(request.POST["job"]))
                params.append(("job", str(job.pk)))
        else:
            messages.error(request, "Select at least one candidate, or “all matching”, to enrol.")
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("sequence_enrol", args=[org_slug]) + "?" + urlencode(params))


class EnrolView(RecruiterTimeMixin, TemplateView):
    """Choose the sequence, see the first message for a few of them and who will be skipped, confirm."""

    capability = Capability.BULK_SEND

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
                job=audience.job,
                **target,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.render_to_response(self.get_context_data(audience=audience, form=form), status=400)
        if result.job is not None:
            messages.info(request, f"Enrolling {_plural(result.job.total, 'candidate')} in the background.")
            return redirect("sequence_enrol_job", org_slug, result.job.pk)
        text = f"{_plural(len(result.enrolled), 'candidate')} enrolled in “{sequence.name}”."
        if result.skipped:
            text += f" Skipped: {_reason_summary(result.skipped)}."
        (messages.success if result.enrolled else messages.warning)(request, text)
        return redirect("sequence_detail", org_slug, sequence.pk)

    def get_context_data(self, **kwargs) -> dict[str, Any]:
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
            context.update(self._plan(sequence, candidates, total, job=audience.job))
        return context

    def _plan(self, sequence: Sequence, candidates: QuerySet[Candidate], total: int, job: Job | None = None) -> dict:
        ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:PLAN_LIMIT])
        details: dict[int, str] = {}
        skipped = enrolment_batches.enrollment_plan(org=self.org, sequence=sequence, candidate_ids=ids, details=details)
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
                {"candidate": c, **step_preview(org=self.org, recruiter=recruiter, candidate=c, step=first, job=job)}
                for c in sample.order_by("pk")
            ]
        reasons = Counter(skipped.values())
        return {
            "sequence": sequence,
            "first_step": first,
            "samples": samples,
            "skipped_rows": [
                {
                    "candidate": names.get(pk),
                    "pk": pk,
                    "reason": details.get(pk) or enrolment_batches.ENROLL_SKIP_REASONS.get(r, r),
                    "code": r,
                }
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

    capability = Capability.BULK_SEND

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

    capability = Capability.MANAGE_SEQUENCES

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
