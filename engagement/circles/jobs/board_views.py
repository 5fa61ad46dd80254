"""Recruiter pages for interest in a job, under /o/<org_slug>/jobs/: the job's board (a column per
interest status, drag and drop like the pipeline), moving a card, adding someone's interest from the
job page or from the candidate's profile (an htmx panel there).

Every query starts from the request's organisation, so another organisation's job, interest or
candidate is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from candidates import normalise
from candidates.models import Candidate
from engagement.circles.jobs import interest as interests
from engagement.circles.jobs import selectors
from engagement.circles.jobs.forms import CandidateInterestAddForm, InterestAddForm
from engagement.circles.jobs.models import JobInterest
from engagement.circles.jobs.views import JobPageMixin
from engagement.circles.views import OrgTimeZoneMixin
from talentcircles.errors import field_messages
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability

CANDIDATE_PANEL_LIMIT = 20
# The statuses a recruiter can choose on a card (withdrawing is the candidate's alone).
RECRUITER_STATUSES = [(s.value, s.label) for s in JobInterest.Status if s != JobInterest.Status.WITHDRAWN]


class JobBoardView(JobPageMixin, TemplateView):
    template_name = "engagement/jobs/board.html"

    def get_context_data(self, **kwargs):
        columns = selectors.job_board(job=self.job)
        return super().get_context_data(
            job=self.job,
            columns=columns,
            total=sum(column.total for column in columns),
            statuses=RECRUITER_STATUSES,
            reasons=[(r.value, r.label) for r in JobInterest.Reason if r.value],
            board_url=reverse("job_board", args=[self.org.slug, self.job.pk]),
            detail_url=reverse("job_detail", args=[self.org.slug, self.job.pk]),
            list_url=reverse("candidate_list", args=[self.org.slug]),
            cap=selectors.BOARD_COLUMN_CAP,
            **kwargs,
        )


class JobInterestMoveView(JobPageMixin, View):
    capability = Capability.MOVE_STAGE  # like a stage on the pipeline: coordinators move them too
    """Move a card to another status: a form post (keyboard, no JavaScript) or a fetch from pipeline.js,
    which posts the card's form with the status wanted as `stage` and reads JSON back."""

    def post(self, request, org_slug, pk, interest_pk):
        interest = get_object_or_404(JobInterest.objects.filter(job=self.job), pk=interest_pk)
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            interest = interests.job_interest_move(
                interest=interest,
                status=request.POST.get("stage", ""),
                actor=request.user,
                reason=request.POST.get("reason", ""),
                reason_note=request.POST.get("reason_note", "")[:1000],
            )
        except ValidationError as exc:
            if wants_json:
                return JsonResponse({"errors": field_messages(exc)}, status=400)
            for message in exc.messages:
                messages.error(request, message)
        else:
            label = interest.get_status_display()
            done = f"Moved {interest.candidate.full_name} to “{label}”."
            if wants_json:
                return JsonResponse({"id": interest.pk, "stage": interest.status, "label": label, "message": done})
            messages.success(request, done)
        return redirect("job_board", org_slug, pk)


class JobInterestAddView(JobPageMixin, View):
    capability = Capability.MANAGE_JOBS
    """From the job page: add the interest of the candidate with this e-mail address."""

    def post(self, request, org_slug, pk):
        job = self.job  # 404 before anything else for another organisation's job
        form = InterestAddForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("job_detail", org_slug, pk)
        email = normalise.email(form.cleaned_data["email"])
        candidate = Candidate.objects.for_org(self.org).filter(email=email, erased_at=None).order_by("pk").first()
        if candidate is None:
            messages.error(request, f"No candidate of yours has the e-mail address {email}. Add them first.")
            return redirect("job_detail", org_slug, pk)
        _add(request, job=job, candidate=candidate, source=form.cleaned_data["source"])
        return redirect("job_detail", org_slug, pk)


def _add(request, *, job, candidate, source) -> None:
    try:
        _, created = interests.job_interest_add(job=job, candidate=candidate, actor=request.user, source=source)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            messages.success(request, f"{candidate.full_name} is now interested in “{job.title}”.")
        else:
            messages.info(request, f"{candidate.full_name} is already on the board of “{job.title}”.")


class CandidateJobsMixin(OrgMemberRequiredMixin, OrgTimeZoneMixin):
    @cached_property
    def candidate(self) -> Candidate:
        return get_object_or_404(Candidate.objects.for_org(self.org), pk=self.kwargs["candidate_pk"])


class CandidateJobsPanelView(CandidateJobsMixin, TemplateView):
    read_capability = Capability.VIEW
    capability = Capability.MANAGE_JOBS
    """The candidate profile's "Jobs" panel (loaded by htmx; a page of its own without JavaScript):
    their interests, and adding one."""

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["engagement/jobs/_candidate_jobs.html"]
        return ["engagement/jobs/candidate_jobs.html"]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])  # the panel and the page share a URL
        return response

    def get_context_data(self, **kwargs):
        found = list(selectors.candidate_interests(candidate=self.candidate)[: CANDIDATE_PANEL_LIMIT + 1])
        return super().get_context_data(
            candidate=self.candidate,
            interests=found[:CANDIDATE_PANEL_LIMIT],
            more=len(found) > CANDIDATE_PANEL_LIMIT,
            form=CandidateInterestAddForm(jobs=selectors.jobs_taking_interest(org=self.org)),
            **kwargs,
        )

    def post(self, request, org_slug, candidate_pk):
        candidate = self.candidate  # 404 before anything else for another organisation's candidate
        form = CandidateInterestAddForm(request.POST, jobs=selectors.jobs_taking_interest(org=self.org))
        if form.is_valid():
            _add(request, job=form.cleaned_data["job"], candidate=candidate, source=form.cleaned_data["source"])
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
        return redirect(reverse("candidate_detail", args=[org_slug, candidate_pk]) + "#jobs")
