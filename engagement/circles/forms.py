"""Forms of the circles: the recruiter's circles, members, posts and invitations, and the portal's join form.

Forms check the shape of the input; `engagement.circles.services` and `engagement.circles.community`
enforce the rules and their ValidationErrors are shown on these forms.
"""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from candidates.countries import CountryField
from candidates.forms import IdListField
from candidates.models import INDUSTRY_CHOICES, Candidate
from engagement.circles.models import Circle, CircleMembership, Post
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import Organization, User

VISIBILITY_CHOICES = [
    (Circle.Visibility.PUBLIC, "Public: candidates can find and join it in the community portal"),
    (Circle.Visibility.PRIVATE, "Private: a segment only recruiters see"),
]
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
MAX_EMAILS = 500


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
        circle = self.fields["circle"]
        assert isinstance(circle, forms.ModelChoiceField)
        circle.queryset = Circle.objects.for_org(org)


class InviteSelectionForm(_SelectionForm):
    pass


# --- The portal's join form -------------------------------------------------------------------

ACCOUNT_EXISTS = "account_exists"


def _account_exists(email: str) -> bool:
    return (
        User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists()
    )


class JoinForm(ServiceErrorsMixin, forms.Form):
    """Visitors also choose an e-mail (unless an invitation fixes it) and a password; signed-in users do not."""

    email = forms.EmailField(label="E-mail", max_length=254)
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password (again)", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    headline = forms.CharField(
        max_length=220,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Backend engineer who loves boring technology"}),
    )
    industry = forms.ChoiceField(choices=[("", "—"), *INDUSTRY_CHOICES], required=False)
    city = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country_code = CountryField()
    circles = forms.ModelMultipleChoiceField(
        queryset=Circle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Circles to join",
        help_text="You can join or leave circles later.",
    )
    consent_terms = forms.BooleanField(
        error_messages={"required": "To join, agree to the community terms."},
    )
    consent_messages = forms.BooleanField(required=False)

    ACCOUNT_FIELDS = ("email", "password1", "password2")
    PROFILE_FIELDS = ("first_name", "last_name", "headline", "industry", "city", "country_code")

    def __init__(self, *args, org: Organization, with_account: bool, fixed_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.org, self.fixed_email = org, fixed_email
        circles = self.fields["circles"]
        assert isinstance(circles, forms.ModelMultipleChoiceField)
        circles.queryset = Circle.objects.for_org(org).filter(visibility=Circle.Visibility.PUBLIC)
        if not with_account:
            for name in self.ACCOUNT_FIELDS:
                del self.fields[name]
        elif fixed_email:
            del self.fields["email"]

    @classmethod
    def initial_for(cls, candidate: Candidate) -> dict:
        initial = {name: getattr(candidate, name) for name in cls.PROFILE_FIELDS}
        initial["circles"] = list(
            CircleMembership.objects.filter(
                candidate=candidate, circle__visibility=Circle.Visibility.PUBLIC
            ).values_list("circle_id", flat=True)
        )
        return initial

    def account_exists(self) -> bool:
        errors = self.errors.as_data()
        return any(error.code == ACCOUNT_EXISTS for name in ("email", "__all__") for error in errors.get(name, []))

    def account_email(self) -> str:
        return self.fixed_email or self.cleaned_data.get("email", "")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if _account_exists(email):
            raise ValidationError(
                "There is already an account with this e-mail address. Sign in to join the community with it.",
                code=ACCOUNT_EXISTS,
            )
        return email

    def clean_country_code(self) -> str:
        return self.cleaned_data["country_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if "password1" in self.fields:
            password1, password2 = cleaned.get("password1"), cleaned.get("password2")
            if password1 and password2 and password1 != password2:
                self.add_error("password2", "The two passwords are not the same.")
            elif password1:
                probe = User(email=self.account_email(), first_name=cleaned.get("first_name", ""))
                try:
                    validate_password(password1, user=probe)
                except ValidationError as exc:
                    self.add_error("password1", exc)
        if self.fixed_email and "password1" in self.fields and _account_exists(self.fixed_email):
            self.add_error(
                None,
                ValidationError(
                    "There is already an account with this e-mail address. Sign in to accept the invitation.",
                    code=ACCOUNT_EXISTS,
                ),
            )
        return cleaned

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.PROFILE_FIELDS}

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACCOUNT_FIELDS if name in self.fields]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PROFILE_FIELDS]
