"""The admin's retention forms: the policy, and keeping a person with a reason."""

from __future__ import annotations

from django import forms

from talentcircles.forms import ServiceErrorsMixin


class RetentionPolicyForm(ServiceErrorsMixin, forms.Form):
    enabled = forms.BooleanField(
        label="Anonymise people we have lost touch with",
        required=False,
        help_text="No two-way contact (a reply, a portal visit or change) and no renewed consent for the period below.",
    )
    months = forms.IntegerField(
        label="Retention period (months)",
        min_value=6,
        max_value=120,
        help_text="Between 6 and 120. Each person with an e-mail address and consent is e-mailed 30 days before, "
        "with a link to stay.",
    )

    def add_service_error(self, key: str, messages: list[str]) -> None:
        names = {"retention_enabled": "enabled", "retention_months": "months"}
        super().add_service_error(names.get(key, key), messages)


class RetentionExclusionForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        max_length=300,
        help_text="Shown on their profile, e.g. “In a hiring process that may take longer” or “Legal hold”.",
    )
