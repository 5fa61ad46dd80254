from __future__ import annotations

from django import forms

from talentcircles.forms import ServiceErrorsMixin
from talentcircles.webhooks_out.models import EVENT_TYPES


class WebhookEndpointForm(ServiceErrorsMixin, forms.Form):
    """Shape only: the URL's scheme and host, and the events, are checked by the services (`clean_url`)."""

    url = forms.CharField(
        label="Endpoint URL", max_length=500,
        help_text="An https:// address of yours that accepts POST requests.",
    )  # fmt: skip
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, f"{name}: {meaning}") for name, meaning in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one event."},
    )
