"""Recruiter forms for circles, members, posts and community invitations.

Forms check the shape of the input; `engagement.circles` and `engagement.community_services`
enforce the rules and their ValidationErrors are shown on these forms.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from candidates.forms import IdListField
from engagement.models import Circle, Post
from talentcircles.models import Organization

VISIBILITY_CHOICES = [
    (Circle.Visibility.PUBLIC, "Public: candidates can find and join it in the community portal"),
    (Circle.Visibility.PRIVATE, "Private: a segment only recruiters see"),
]
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
MAX_EMAILS = 500


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (or above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class CircleForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Public circles show this to candidates.",
    )
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, widget=forms.RadioSelect, initial="private")


class MemberAddForm(forms.Form):
    emails = forms.CharField(
        label="Candidates' e-mail addresses",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "jane@example.com, sam@example.com"}),
        help_text="One or many, separated by commas, spaces or new lines. To add from a search, "
        "select candidates in the candidate list and choose “Add to circle”.",
    )

    def clean_emails(self) -> list[str]:
        emails = sorted({part.strip().lower() for part in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if part})
        if not emails:
            raise ValidationError("Type at least one e-mail address.")
        if len(emails) > MAX_EMAILS:
            raise ValidationError(f"Add at most {MAX_EMAILS} addresses at a time, or use the candidate list.")
        return emails


class PostForm(ServiceErrorsMixin, forms.Form):
    """A post; dates are typed in the organisation's time zone (the view activates it)."""

    kind = forms.ChoiceField(choices=Post.Kind.choices, initial=Post.Kind.ANNOUNCEMENT)
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, _italic_, [links](https://example.com), lists. HTML that could run is removed.",
    )
    job_url = forms.URLField(
        required=False, assume_scheme="https", label="Job link", help_text="Job posts: where people apply."
    )
    starts_at = forms.DateTimeField(
        required=False,
        label="Starts",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    ends_at = forms.DateTimeField(
        required=False,
        label="Ends",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    location = forms.CharField(required=False, max_length=200, help_text="Events: the address, if in person.")
    online_url = forms.URLField(
        required=False, assume_scheme="https", label="Online link", help_text="Events: the video call link."
    )
    capacity = forms.IntegerField(
        required=False, min_value=1, label="Seats", help_text="Events: leave empty for unlimited."
    )

    EVENT_FIELDS = ("starts_at", "ends_at", "location", "online_url", "capacity")

    @classmethod
    def initial_for(cls, post: Post) -> dict:
        return {name: getattr(post, name) for name in cls.base_fields}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["job_url"] = data["job_url"] or ""
        data["online_url"] = data["online_url"] or ""
        return data


class _SelectionForm(forms.Form):
    """The candidate list's selection: ticked ids, or "all matching" with the list's query string."""

    selected = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("selected") and not cleaned.get("all_matching"):
            raise ValidationError("Select at least one candidate, or “all matching”.")
        return cleaned


class CircleBulkAddForm(_SelectionForm):
    circle = forms.ModelChoiceField(
        queryset=Circle.objects.none(), error_messages={"required": "Choose a circle to add the candidates to."}
    )

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = Circle.objects.for_org(org)


class InviteSelectionForm(_SelectionForm):
    pass
