"""The analytics dashboard's filters (`?from=…&to=…&recruiter=…&window_days=…`), read into `AnalyticsFilters`.

The form checks shape (dates are dates, the window is one the page offers); the rules (an
inverted range, a window out of bounds) belong to `engagement.analytics`, whose `AnalyticsError`
the view puts next to the field it names. The API takes the same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.utils import timezone

from engagement.analytics.metric import MAX_YEAR, MIN_YEAR, AnalyticsError, org_setting, validate_range
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import Membership, Organization, User

DEFAULT_RANGE_DAYS = 90
WINDOW_CHOICES = ((30, "30 days (LinkedIn's report)"), (90, "90 days (LinkedIn's credit rule)"))
EVERYONE = ""
# The browser's date picker offers the years validate_range accepts.
_DATE_ATTRS = {"type": "date", "min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31"}


@dataclass(frozen=True)
class AnalyticsFilters:
    date_from: date
    date_to: date
    window_days: int
    # The recruiter (a user id) whose outreach the figures cover; None is everyone's.
    recruiter_id: int | None
    # Whether this member may see other recruiters' figures (admins, or the organisation shares them).
    sees_team: bool


def sees_team_figures(org: Organization, membership: Membership) -> bool:
    """Admins see everyone; a recruiter sees colleagues' figures only when the organisation shares them."""
    return membership.is_admin or bool(org_setting(org, "share_team_analytics"))


def today_utc(now: datetime | None = None) -> date:
    # Roll-up days are UTC dates of the first send (see engagement.analytics), so ranges are too.
    return timezone.localdate(now or timezone.now(), timezone=UTC)


def default_range(now: datetime | None = None) -> tuple[date, date]:
    today = today_utc(now)
    return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def analytics_members(org: Organization) -> list[User]:
    """The organisation's members, for the recruiter filter (one query)."""
    return list(User.objects.filter(memberships__organization=org).order_by("first_name", "last_name", "email"))


class AnalyticsFilterForm(ServiceErrorsMixin, forms.Form):
    window_days = forms.TypedChoiceField(
        label="Response window", choices=WINDOW_CHOICES, coerce=int, required=False, empty_value=None
    )
    recruiter = forms.TypedChoiceField(label="Recruiter", coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, org: Organization, membership: Membership, members: list[User], now=None):
        super().__init__(data)
        self.org, self.membership, self.now = org, membership, now
        self.sees_team = sees_team_figures(org, membership)
        start, end = default_range(now)
        # "from" is a Python keyword, so these two are added here rather than declared above.
        self.fields = {
            "from": forms.DateField(label="From", required=False, widget=forms.DateInput(attrs=_DATE_ATTRS)),
            "to": forms.DateField(label="To", required=False, widget=forms.DateInput(attrs=_DATE_ATTRS)),
            **self.fields,
        }
        self.fields["from"].initial, self.fields["to"].initial = start, end
        window_days, recruiter = self.fields["window_days"], self.fields["recruiter"]
        assert isinstance(window_days, forms.ChoiceField) and isinstance(recruiter, forms.ChoiceField)
        default_window = int(org_setting(org, "response_window_days"))
        if default_window not in dict(WINDOW_CHOICES):
            own = (default_window, f"{default_window} days (your organisation's)")
            window_days.choices = [own, *WINDOW_CHOICES]
        window_days.initial = default_window
        if self.sees_team:
            recruiter.choices = [
                (EVERYONE, "Everyone"),
                *((user.pk, user.get_full_name() or user.email) for user in members),
            ]
        else:
            # Only their own figures: the filter has one choice and the page says why.
            recruiter.choices = [(membership.user_id, "Me")]
            recruiter.initial = membership.user_id
            recruiter.disabled = True

    def clean(self):
        data = super().clean()
        given_from, given_to = data.get("from"), data.get("to")
        if "from" in self.errors or "to" in self.errors:
            return data
        if given_from is None and given_to is None:
            data["from"], data["to"] = default_range(self.now)
        try:
            validate_range(date_from=data.get("from"), date_to=data.get("to"))
        except AnalyticsError as error:
            self.add_service_errors(error)
        return data

    def filters(self) -> AnalyticsFilters:
        """The filters to show: the valid ones asked for, with defaults for the rest (and for errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        start, end = default_range(self.now)
        window = data.get("window_days") or self.fields["window_days"].initial
        recruiter = data.get("recruiter") if self.sees_team else self.membership.user_id
        return AnalyticsFilters(
            date_from=data.get("from") or start,
            date_to=data.get("to") or end,
            window_days=int(window),
            recruiter_id=recruiter,
            sees_team=self.sees_team,
        )
