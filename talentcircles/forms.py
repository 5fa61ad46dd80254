from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from talentcircles.errors import field_messages
from talentcircles.models import Membership, Organization, User
from talentcircles.services import ServiceError

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class ServiceErrorsMixin(_FormBase):
    """Shows a service's refusal on the form: each message on the field it names, the others above the form.

    Forms check shape and services enforce the rules; a view that calls a service with a form's data
    catches the service's ValidationError (or our ServiceError) and hands it to `add_service_errors`.
    """

    def add_service_errors(self, error: ValidationError | ServiceError) -> None:
        for key, messages in field_messages(error).items():
            self.add_service_error(key, messages)

    def add_service_error(self, key: str, messages: list[str]) -> None:
        """The messages under one key: on the field of that name, else above the form.

        A form whose service names things other than its fields (a résumé's file, a sequence's steps)
        overrides this to route those keys.
        """
        self.add_error(key if key in self.fields else None, messages)


class OrganizationCreateForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "tagline", "time_zone"]
        help_texts = {"name": "Your company or community name, shown to candidates."}


class OrganizationSettingsForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name", "tagline", "description", "brand_color", "sender_name", "sender_email",
            "time_zone", "send_window_start", "send_window_end", "send_weekdays", "daily_send_cap",
            "out_of_office_delay_days", "bulk_min_score", "response_window_days", "live_rate_min_sends",
            "response_guard_enabled", "share_team_analytics",
            "active_conversation_days", "contact_cooldown_days", "automated_messages_per_day",
        ]  # fmt: skip
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "send_window_start": forms.TimeInput(attrs={"type": "time"}),
            "send_window_end": forms.TimeInput(attrs={"type": "time"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.RECRUITER)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What will use it, e.g. “ATS sync”.")
    read_only = forms.BooleanField(
        label="Read-only", required=False, help_text="It can read but never change anything, whatever your role."
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "title", "time_zone"]
