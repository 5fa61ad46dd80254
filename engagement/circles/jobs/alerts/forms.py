"""The portal's job-alert form: shape only (the service enforces the rules)."""

from __future__ import annotations

from django import forms

from engagement.circles.jobs.alerts.models import AlertFrequency
from engagement.circles.jobs.models import Job
from talentcircles.forms import ServiceErrorsMixin

REMOTE_LABELS: dict[str, str] = {
    Job.RemotePolicy.ONSITE: "On site",
    Job.RemotePolicy.HYBRID: "Hybrid",
    Job.RemotePolicy.REMOTE: "Fully remote",
}


class JobAlertForm(ServiceErrorsMixin, forms.Form):
    skills = forms.CharField(
        required=False,
        max_length=3000,
        help_text="Separate them with commas. Leave empty for jobs of any skill.",
    )
    locations = forms.CharField(
        label="Places",
        required=False,
        max_length=3000,
        help_text="Cities, regions or countries, separated by commas. Leave empty for anywhere.",
    )
    remote_policies = forms.MultipleChoiceField(
        label="Workplaces I would accept",
        choices=[(value, REMOTE_LABELS[value]) for value in Job.RemotePolicy.values],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of workplace you would accept."},
    )
    frequency = forms.ChoiceField(
        label="E-mail me matching jobs",
        choices=AlertFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often, or never."},
    )

    @staticmethod
    def initial_for(preference) -> dict:
        return {
            "skills": ", ".join(preference.skills),
            "locations": ", ".join(preference.locations),
            "remote_policies": list(preference.remote_policies),
            "frequency": preference.frequency,
        }
