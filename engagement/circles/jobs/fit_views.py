"""The recruiter's "Who fits" page of a job: /o/<org_slug>/jobs/<pk>/fits/.

The community ranked by fit (`fit.job_fits`) with the reasons per person, filters, and a selection
handed to the existing flows: "Message selected" posts to the bulk compose start (with the job as
what the message is about, so `{{ job.title }}` and its other tokens fill in and each conversation
is linked to the job) and "Enrol in a sequence" to the enrol screen (with the job, likewise).
"""

from __future__ import annotations

from django import forms
from django.views.generic import TemplateView

from engagement.circles.jobs.fit import PAGE_SIZE, WHERE_CHOICES, FitFilters, job_fits
from engagement.circles.jobs.outreach import KIND
from engagement.circles.jobs.views import JobPageMixin

MAX_MIN_SKILLS = 20


class FitFilterForm(forms.Form):
    min_skills = forms.IntegerField(label="At least … of its skills", required=False, min_value=1, max_value=20)
    where = forms.ChoiceField(label="Where", choices=list(WHERE_CHOICES.items()), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def filters(self) -> FitFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return FitFilters(min_skills=data.get("min_skills") or 1, where=data.get("where") or "")


class JobFitsView(JobPageMixin, TemplateView):
    template_name = "engagement/jobs/fits.html"

    def get_context_data(self, **kwargs):
        form = FitFilterForm(self.request.GET or None)
        valid = form.is_valid() if form.is_bound else True
        filters = form.filters() if form.is_bound else FitFilters()
        page_number = (form.cleaned_data.get("page") if form.is_bound and valid else None) or 1
        fits = job_fits(org=self.org, job=self.job, filters=filters, page=page_number)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            job=self.job,
            form=form,
            filters=filters,
            filter_errors=form.errors if form.is_bound and not valid else None,
            fits=fits,
            skill_options=range(1, min(max(len(self.job.skills), 1), MAX_MIN_SKILLS) + 1),
            where_choices=list(WHERE_CHOICES.items()),
            filter_query=query.urlencode(),
            about=f"{KIND}:{self.job.pk}",
            page_size=PAGE_SIZE,
            **kwargs,
        )
