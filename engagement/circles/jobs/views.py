"""Recruiter pages for jobs, under /o/<org_slug>/jobs/: the list, the form, the job and its status moves.

Every query starts from the request's organisation, so another organisation's job is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from engagement.circles.jobs import selectors
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.forms import InterestAddForm, JobForm, JobShareForm
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.views import OrgTimeZoneMixin
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability

JOBS_PER_PAGE = 25
INTERESTS_PER_PAGE = 25
# The buttons the job page offers in each status: (target status, label).
MOVES = {
    Job.Status.DRAFT: [(Job.Status.OPEN, "Open the job")],
    Job.Status.OPEN: [
        (Job.Status.ON_HOLD, "Put on hold"),
        (Job.Status.FILLED, "Mark filled"),
        (Job.Status.CLOSED, "Close"),
    ],
    Job.Status.ON_HOLD: [(Job.Status.OPEN, "Reopen"), (Job.Status.FILLED, "Mark filled"), (Job.Status.CLOSED, "Close")],
    Job.Status.FILLED: [(Job.Status.OPEN, "Reopen")],
    Job.Status.CLOSED: [(Job.Status.OPEN, "Reopen")],
}


class JobPageMixin(OrgMemberRequiredMixin, OrgTimeZoneMixin):
    """The job named by the URL, scoped to the organisation: 404 outside it."""

    @cached_property
    def job(self) -> Job:
        return get_object_or_404(selectors.job_list(org=self.org), pk=self.kwargs["pk"])


class JobListView(JobPageMixin, TemplateView):
    template_name = "engagement/jobs/list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        status = status if status in Job.Status.values else ""
        paginator = Paginator(selectors.job_list(org=self.org, status=status or None), JOBS_PER_PAGE)
        counts = selectors.job_status_counts(org=self.org)
        return super().get_context_data(
            page=paginator.get_page(self.request.GET.get("page")),
            total=paginator.count,
            status=status,
            tabs=[(value, label, counts[value]) for value, label in Job.Status.choices],
            all_count=sum(counts.values()),
            **kwargs,
        )


class JobFormMixin(JobPageMixin):
    template_name: str | None = "engagement/jobs/form.html"
    form_class: type[JobForm] | None = JobForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "org": self.org}  # type: ignore[misc]

    def form_invalid(self, form):
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 400
        return response


class JobCreateView(JobFormMixin, FormView):
    capability = Capability.MANAGE_JOBS

    def get_initial(self):
        return {"owner": self.request.user.pk}

    def form_valid(self, form):
        try:
            job = jobs.job_create(org=self.org, actor=self.request.user, data=form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Job “{job.title}” saved as a draft. Open it to show it in the community.")
        return redirect("job_detail", self.org.slug, job.pk)


class JobEditView(JobFormMixin, FormView):
    capability = Capability.MANAGE_JOBS

    def get_initial(self):
        return JobForm.initial_for(self.job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=self.job, **kwargs)

    def form_valid(self, form):
        try:
            job = jobs.job_update(job=self.job, data=form.service_data())
        except ValidationError as exc:
            self.job.refresh_from_db()
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Job “{job.title}” saved.")
        return redirect("job_detail", self.org.slug, job.pk)


class JobDetailView(JobPageMixin, TemplateView):
    template_name = "engagement/jobs/detail.html"

    def get_context_data(self, **kwargs):
        wanted = self.request.GET.get("interest_status", "")
        wanted = wanted if wanted in JobInterest.Status.values else ""
        interests = Paginator(selectors.job_interests(job=self.job, status=wanted or None), INTERESTS_PER_PAGE)
        shared = [circle.pk for circle in self.job.circles.all()]
        return super().get_context_data(
            job=self.job,
            moves=MOVES[Job.Status(self.job.status)],
            interests=interests.get_page(self.request.GET.get("page")),
            interest_status=wanted,
            interest_statuses=JobInterest.Status.choices,
            share_form=JobShareForm(org=self.org, initial={"circles": shared}),
            add_form=InterestAddForm(),
            takes_interest=self.job.status in (Job.Status.OPEN, Job.Status.ON_HOLD),
            **kwargs,
        )


class JobShareView(JobPageMixin, View):
    capability = Capability.MANAGE_JOBS
    """Share the job to circles of the organisation (the checked ones; none stops sharing)."""

    def post(self, request, org_slug, pk):
        form = JobShareForm(request.POST, org=self.org)
        if not form.is_valid():
            # A circle that is not one of ours: the form refuses it, and nothing changes.
            messages.error(request, " ".join(form.errors.get("circles", ["Choose circles of your organisation."])))
            return redirect("job_detail", org_slug, pk)
        circles = list(form.cleaned_data["circles"])
        jobs.job_share(job=self.job, circles=circles)
        names = ", ".join(f"“{circle.name}”" for circle in circles)
        messages.success(request, f"Shared to {names}." if circles else "Not shared to any circle.")
        return redirect("job_detail", org_slug, pk)


class JobDeleteView(JobPageMixin, View):
    capability = Capability.MANAGE_JOBS
    """Delete a draft; any other job is closed instead (the service says so)."""

    def post(self, request, org_slug, pk):
        title = self.job.title
        try:
            jobs.job_delete(job=self.job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("job_detail", org_slug, pk)
        messages.success(request, f"Draft “{title}” deleted.")
        return redirect("job_list", org_slug)


class JobStatusView(JobPageMixin, View):
    """Open, hold, fill, close or reopen: one form post with the status wanted."""

    capability = Capability.MANAGE_JOBS

    def post(self, request, org_slug, pk):
        try:
            job = jobs.job_set_status(job=self.job, status=request.POST.get("status", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"“{job.title}” is now {job.get_status_display().lower()}.")
        return redirect("job_detail", org_slug, pk)
