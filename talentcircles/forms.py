from __future__ import annotations

from django import forms

from talentcircles.models import Membership, Organization, User


class OrganizationCreateForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "tagline", "time_zone"]
        help_texts = {"name": "Your company or community name, shown to candidates."}


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name", "tagline", "description", "brand_color", "sender_name", "sender_email",
            "time_zone", "send_window_start", "send_window_end", "send_weekdays", "daily_send_cap",
            "out_of_office_delay_days", "bulk_min_score", "response_window_days", "live_rate_min_sends",
            "response_guard_enabled", "share_team_analytics",
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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "title", "time_zone"]
