"""The community join form: account (for visitors), profile, circles and the two consents."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from candidates.models import INDUSTRY_CHOICES, Candidate
from engagement.circle_forms import ServiceErrorsMixin
from engagement.models import Circle, CircleMembership
from talentcircles.models import Organization, User

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
    country_code = forms.CharField(
        label="Country code",
        max_length=2,
        required=False,
        help_text="Two letters, such as GB or US.",
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 3}),
    )
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
        self.fields["circles"].queryset = Circle.objects.for_org(org).filter(visibility=Circle.Visibility.PUBLIC)
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
