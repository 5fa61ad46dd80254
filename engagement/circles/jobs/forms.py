"""The jobs' forms: the recruiter's job form, sharing, adding interest, and the portal's raised hand.

They shape the input; `engagement.circles.jobs.services` and `.interest` enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from candidates.models import Candidate, Resume
from engagement.circles.forms import JoinForm
from engagement.circles.jobs.interest import MAX_NOTE_LENGTH
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.services import EDITABLE
from engagement.circles.models import Circle
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


class JobShareForm(forms.Form):
    """The circles a job is shared to: the organisation's own (another's id is a form error)."""

    circles = forms.ModelMultipleChoiceField(
        queryset=Circle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Share to circles",
        help_text="Public circles list the job on their page in the community while it is open.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circles"].queryset = Circle.objects.for_org(org).order_by("name")  # type: ignore[attr-defined]


class InterestAddForm(forms.Form):
    """A recruiter adds someone's interest from the job page, by the candidate's e-mail address."""

    email = forms.EmailField(label="Candidate's e-mail", max_length=254)
    source = forms.ChoiceField(
        choices=[(JobInterest.Source.RECRUITER, "They told me"), (JobInterest.Source.REPLY, "They said so in a reply")],
        initial=JobInterest.Source.RECRUITER,
        label="How you know",
    )


class CandidateInterestAddForm(forms.Form):
    """A recruiter adds the candidate's interest from their profile: one of the jobs still being filled."""

    job = forms.ModelChoiceField(queryset=Job.objects.none(), label="Job", empty_label="Choose a job")
    source = InterestAddForm.base_fields["source"]

    def __init__(self, *args: Any, jobs: QuerySet[Job], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = jobs  # type: ignore[attr-defined]


class RaiseHandForm(forms.Form):
    """ "I'm interested" in the portal: an optional note and one of the person's own résumés."""

    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A note for the recruiters (optional)",
        help_text="Why this role, when you could start, anything they should know.",
    )
    resume = forms.ModelChoiceField(
        queryset=Resume.objects.none(),
        required=False,
        label="Résumé to share (optional)",
        empty_label="None",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = Resume.objects.filter(candidate=candidate, organization_id=candidate.organization_id)
        self.fields["resume"].queryset = mine.only("pk", "original_name", "created_at").order_by("-created_at")  # type: ignore[attr-defined]
        self.fields["resume"].label_from_instance = lambda r: f"{r.original_name} ({r.created_at:%d %b %Y})"  # type: ignore[attr-defined]


class JobJoinForm(JoinForm):
    """Joining the community from a job's page: the join form as it is, with the interest's note."""

    note = RaiseHandForm.base_fields["note"]
