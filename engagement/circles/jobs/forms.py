"""The recruiter's job form: shapes the input; `engagement.circles.jobs.services` enforces the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from engagement.circles.jobs.models import Job
from engagement.circles.jobs.services import EDITABLE
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import Organization, User


class _MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class JobForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    team = forms.CharField(max_length=120, required=False)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, _italic_, [links](https://example.com), lists. HTML that could run is removed.",
    )
    locations = forms.CharField(
        required=False, max_length=2000, help_text="Cities or regions, separated by commas. Empty for remote anywhere."
    )
    remote_policy = forms.ChoiceField(choices=Job.RemotePolicy.choices, label="Remote policy")
    employment_type = forms.ChoiceField(choices=Job.EmploymentType.choices, label="Employment type")
    seniority = forms.ChoiceField(choices=Job.Seniority.choices, required=False)
    skills = forms.CharField(
        required=False, max_length=2000, label="Skills wanted", help_text="Separated by commas: Python, Kubernetes."
    )
    salary_min = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000, label="Salary from")
    salary_max = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000, label="Salary up to")
    salary_currency = forms.CharField(
        required=False, max_length=3, label="Currency", help_text="Three letters, e.g. EUR. Needed with a salary."
    )
    owner = _MemberField(queryset=User.objects.none(), required=False, label="Owner (recruiter)")
    hiring_manager = _MemberField(queryset=User.objects.none(), required=False, label="Hiring manager")
    ats_url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=500,
        label="ATS link",
        help_text="Where people apply, if anywhere.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__organization=org).order_by("first_name", "last_name", "email")
        for name in ("owner", "hiring_manager"):
            self.fields[name].queryset = members  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(job: Job) -> dict[str, Any]:
        initial = {name: getattr(job, name) for name in EDITABLE}
        initial["locations"] = ", ".join(job.locations)
        initial["skills"] = ", ".join(job.skills)
        return initial

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
