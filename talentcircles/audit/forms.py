"""The audit trail page's filters."""

from __future__ import annotations

from django import forms

from talentcircles.audit.models import AuditEntry
from talentcircles.audit.selectors import AuditFilters
from talentcircles.models import Organization, User


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Who", empty_label="Anyone")
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditEntry.Action.choices], required=False)
    candidate = forms.IntegerField(required=False, min_value=1, label="Candidate #")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, org: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The organisation's members now; entries of people who left stay reachable by the other filters.
        self.fields["actor"].queryset = User.objects.filter(memberships__organization=org).order_by("email")  # type: ignore[attr-defined]
        self.fields["actor"].label_from_instance = lambda user: user.email  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must not be before the start date.")
        return cleaned

    def to_filters(self) -> AuditFilters:
        """The valid fields as filters; an invalid field is left out (and shown next to its input)."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return AuditFilters(
            actor=valid.get("actor"),
            action=valid.get("action") or "",
            candidate_id=valid.get("candidate"),
            date_from=valid.get("date_from"),
            date_to=valid.get("date_to"),
        )
