"""Recruiter forms of the engagement app: timeline filter, logging notes/calls/meetings, stage, reminders.

Forms check the shape of what was typed; `engagement.services` (and `candidates.services`
for stages) enforce the rules, and their ValidationErrors are shown on these forms.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms

from candidates.forms import UNOWNED
from candidates.models import Candidate
from engagement.timeline.models import Activity
from engagement.timeline.services import CALL_OUTCOMES, MAX_CALL_MINUTES
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import User

Kind = Activity.Kind
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "All activities"), *Kind.choices], label="Show")

    def chosen_kind(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""


class LoggedActivityForm(ServiceErrorsMixin, forms.Form):
    kind: str = ""

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "body": data.get("body", ""),
            "occurred_at": data.get("occurred_at"),
            "outcome": data.get("outcome", ""),
            "duration_minutes": data.get("duration_minutes"),
            "attendees": [name.strip() for name in data.get("attendees", "").split(",") if name.strip()],
            "confirm_far_date": data.get("confirm_far_date", False),
        }

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        details = activity.details or {}
        return {
            "body": activity.body,
            "occurred_at": activity.occurred_at,
            "outcome": details.get("outcome", ""),
            "duration_minutes": details.get("duration_minutes"),
            "attendees": ", ".join(details.get("attendees", [])),
        }


class NoteForm(LoggedActivityForm):
    kind = Kind.NOTE
    body = forms.CharField(label="Note", max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(LoggedActivityForm):
    kind = Kind.CALL
    outcome = forms.ChoiceField(choices=[("", "Choose…"), *CALL_OUTCOMES])
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", required=False, min_value=0, max_value=MAX_CALL_MINUTES
    )
    occurred_at = forms.DateTimeField(
        label="When", required=False, widget=DATETIME_LOCAL, help_text="Leave empty for now."
    )
    body = forms.CharField(label="Notes", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(LoggedActivityForm):
    kind = Kind.MEETING
    occurred_at = forms.DateTimeField(label="Date and time", widget=DATETIME_LOCAL)
    attendees = forms.CharField(required=False, max_length=2000, help_text="Separate names with commas.")
    body = forms.CharField(label="Notes", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_far_date = forms.BooleanField(required=False, label="The date is more than a year away, and that is right")


LOGGED_FORMS: dict[str, type[LoggedActivityForm]] = {
    Kind.NOTE: NoteForm,
    Kind.CALL: CallForm,
    Kind.MEETING: MeetingForm,
}


class StageForm(ServiceErrorsMixin, forms.Form):
    stage = forms.ChoiceField(choices=Candidate.Stage.choices)
    reason = forms.CharField(required=False, max_length=300, help_text="Optional: why, for the timeline.")


class ReminderForm(ServiceErrorsMixin, forms.Form):
    CUSTOM = "custom"
    WHEN_CHOICES = [
        ("1", "Tomorrow"),
        ("7", "In 1 week"),
        ("14", "In 2 weeks"),
        ("30", "In 1 month"),
        (CUSTOM, "On a date I choose"),
    ]

    when = forms.ChoiceField(label="Follow up", choices=WHEN_CHOICES, initial="14")
    due_at = forms.DateTimeField(
        label="Date and time", required=False, widget=DATETIME_LOCAL, help_text="For “on a date I choose”."
    )
    note = forms.CharField(required=False, max_length=300, widget=forms.TextInput(attrs={"placeholder": "Follow up"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == self.CUSTOM and not cleaned.get("due_at") and "due_at" not in self.errors:
            self.add_error("due_at", "Choose the date and time, or one of the quick choices.")
        return cleaned

    def due_time(self, now: datetime) -> datetime:
        when = self.cleaned_data["when"]
        return self.cleaned_data["due_at"] if when == self.CUSTOM else now + timedelta(days=int(when))


class PipelineFilterForm(forms.Form):
    owner = forms.ChoiceField(required=False, label="Owner")
    circle = forms.ChoiceField(required=False, label="Circle")

    def __init__(self, *args, members: list[User], circles: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        owner, circle = self.fields["owner"], self.fields["circle"]
        assert isinstance(owner, forms.ChoiceField) and isinstance(circle, forms.ChoiceField)
        owner.choices = [
            ("", "Anyone"),
            (UNOWNED, "Unowned"),
            *[(str(user.pk), user.get_full_name() or user.email) for user in members],
        ]
        # Only the organisation's circles are choices, so another organisation's id is simply invalid.
        circle.choices = [("", "Any circle"), *[(str(pk), name) for pk, name in circles]]

    def board_filters(self) -> dict:
        """Keyword arguments for `selectors.pipeline_board`; an invalid field is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        owner, circle = data.get("owner", ""), data.get("circle", "")
        return {
            "unowned": owner == UNOWNED,
            "owner_id": int(owner) if owner and owner != UNOWNED else None,
            "circle_id": int(circle) if circle else None,
        }
