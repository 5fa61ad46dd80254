"""Recruiter forms for candidates: list filters, bulk actions, the profile form and résumé upload.

Forms check the shape of what was typed; `candidates.services` enforces the rules
(normalisation, uniqueness, membership) and its ValidationErrors are shown on these forms.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator

from candidates.countries import CountryField
from candidates.models import Candidate
from candidates.normalise import INDUSTRIES
from candidates.selectors import CandidateFilters
from candidates.services import PROFILE_FIELDS
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import Organization, User
from talentcircles.widgets import QuickChoiceField, QuickDateInput, QuickSelect, QuickTextInput

UNOWNED = "none"
SORT_CHOICES = [
    ("", "Best match"),  # relevance while searching, otherwise name
    ("name", "Name"),
    ("-created", "Newest"),
    ("-updated", "Recently updated"),
    ("-last_contacted", "Last contacted"),
    ("relevance", "Relevance"),
]
RESUME_ACCEPT = ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTACTABLE_CHOICES = [("", "Any"), ("yes", "Yes"), ("no", "No")]


def org_members(org: Organization) -> list[User]:
    """The organisation's members, for owner choices (one query, evaluated once per request)."""
    return list(User.objects.filter(memberships__organization=org).order_by("first_name", "last_name", "email"))


def _member_label(user: User) -> str:
    return user.get_full_name() or user.email


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _member_label(obj)


def split_labels(text: str) -> list[str]:
    """Comma-separated skills or tags as typed; blanks dropped, order kept."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class CandidateFilterForm(forms.Form):
    """The list page's query string (`?q=…&skill=…`), read into `CandidateFilters`."""

    q = forms.CharField(required=False, max_length=200, label="Search", widget=QuickTextInput)
    skill = forms.CharField(required=False, max_length=80, widget=QuickTextInput)
    tag = forms.CharField(required=False, max_length=80, widget=QuickTextInput)
    industry = QuickChoiceField(required=False, choices=[("", "Any")] + [(name, name) for name in INDUSTRIES])
    location = forms.CharField(
        required=False, max_length=100, widget=QuickTextInput(attrs={"placeholder": "City, region or country"})
    )
    stage = QuickChoiceField(required=False, choices=[("", "Any (not archived)"), *Candidate.Stage.choices])
    owner = QuickChoiceField(required=False)
    source = QuickChoiceField(required=False, choices=[("", "Any"), *Candidate.Source.choices])
    contactable = QuickChoiceField(required=False, choices=CONTACTABLE_CHOICES)
    contacted_after = forms.DateField(
        required=False, label="Last contacted on or after", widget=QuickDateInput(attrs={"type": "date"})
    )
    contacted_before = forms.DateField(
        required=False, label="Last contacted before", widget=QuickDateInput(attrs={"type": "date"})
    )
    sort = QuickChoiceField(required=False, choices=SORT_CHOICES)
    # Set by links from a talent circle's page (?circle=<id>); shown as a removable chip, not a field.
    circle = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    FILTER_FIELDS = (
        "skill", "tag", "industry", "location", "stage", "owner", "source",
        "contactable", "contacted_after", "contacted_before",
    )  # fmt: skip

    def __init__(self, *args, org: Organization, members: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [
            ("", "Anyone"),
            (UNOWNED, "Unowned"),
            *[(str(user.pk), _member_label(user)) for user in members],
        ]

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("contacted_after"), cleaned.get("contacted_before")
        if after and before and after >= before:
            self.add_error("contacted_before", "Choose a date later than “last contacted on or after”.")
        return cleaned

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FILTER_FIELDS]

    def has_active_filters(self) -> bool:
        return any(self.data.get(name) for name in (*self.FILTER_FIELDS, "circle"))

    def _start_of(self, day: date | None) -> datetime | None:
        # Dates are the organisation's calendar days, not UTC ones.
        return datetime.combine(day, time.min, tzinfo=ZoneInfo(self.org.time_zone)) if day else None

    def to_filters(self) -> CandidateFilters:
        """The filters from the fields that validated; call after `is_valid()`. Invalid ones are left out."""
        data = getattr(self, "cleaned_data", {})
        owner = data.get("owner", "")
        contactable = {"yes": True, "no": False}.get(data.get("contactable", ""))
        return CandidateFilters(
            search=data.get("q", ""),
            skill=data.get("skill", ""),
            tag=data.get("tag", ""),
            industry=data.get("industry", ""),
            location=data.get("location", ""),
            stage=data.get("stage", ""),
            owner_id=int(owner) if owner and owner != UNOWNED else None,
            unowned=owner == UNOWNED,
            source=data.get("source", ""),
            contactable=contactable,
            last_contacted_after=self._start_of(data.get("contacted_after")),
            last_contacted_before=self._start_of(data.get("contacted_before")),
            circle_id=data.get("circle"),
        )

    def ordering(self) -> str:
        return getattr(self, "cleaned_data", {}).get("sort", "")


class IdListField(forms.Field):
    """Several `name=<id>` values (checkboxes) as a list of ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            return sorted({int(v) for v in (value or [])})
        except (TypeError, ValueError):
            raise ValidationError("The selection is not valid; reload the page and try again.") from None


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("tag", "Add tag"),
        ("untag", "Remove tag"),
        ("owner", "Assign owner"),
        ("stage", "Set stage"),
        ("export", "Export CSV"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    selected = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    tags = forms.CharField(required=False, max_length=500, help_text="Separate with commas.")
    owner = forms.ChoiceField(required=False)
    stage = forms.ChoiceField(required=False, choices=[("", "—"), *Candidate.Stage.choices])

    def __init__(self, *args, members: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in members}
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [
            ("", "—"),
            (UNOWNED, "Nobody (unowned)"),
            *[(pk, _member_label(user)) for pk, user in self.members.items()],
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("selected") and not cleaned.get("all_matching"):
            raise ValidationError("Select at least one candidate, or “all matching”.")
        action = cleaned.get("action")
        if action in ("tag", "untag") and not split_labels(cleaned.get("tags", "")):
            self.add_error("tags", "Name at least one tag.")
        if action == "owner" and not cleaned.get("owner"):
            self.add_error("owner", "Choose an owner.")
        if action == "stage" and not cleaned.get("stage"):
            self.add_error("stage", "Choose a stage.")
        return cleaned

    def owner_user(self) -> User | None:
        return self.members.get(self.cleaned_data["owner"])


class CandidateForm(ServiceErrorsMixin, forms.Form):
    """The profile fields of `candidates.services.PROFILE_FIELDS`, plus skills and tags as text."""

    links = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Other profiles or portfolio, one per line."
    )
    skills = forms.CharField(required=False, max_length=2000, help_text="Separate with commas.")
    tags = forms.CharField(required=False, max_length=2000, help_text="Separate with commas.")
    country_code = CountryField()

    LABELS = {"email": "E-mail", "email_undeliverable": "E-mail undeliverable", "country_code": "Country"}

    def __init__(self, *args, org: Organization, members: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        # Built from the model so lengths and choices never drift from it; the service does the rest.
        model_fields = forms.fields_for_model(
            Candidate, fields=[f for f in PROFILE_FIELDS if f != "links"], field_classes={"owner": _MemberChoiceField}
        )
        declared = dict(self.fields)
        self.fields = {}
        for name in PROFILE_FIELDS:
            self.fields[name] = declared[name] if name in declared else model_fields[name]
            self.fields[name].label = self.LABELS.get(name, self.fields[name].label)
        self.fields["skills"], self.fields["tags"] = declared["skills"], declared["tags"]
        self.fields["email"].widget = forms.EmailInput()
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel"})
        if "industry" in self.fields:
            industry = self.fields["industry"]
            assert isinstance(industry, forms.ChoiceField)
            # The stubs type the choices read back as any input `choices` accepts; Django normalises them to pairs.
            industry.widget = QuickSelect(choices=industry.choices)  # type: ignore[arg-type]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(pk__in=[user.pk for user in members])
        owner.empty_label = "Nobody"

    @classmethod
    def initial_for(cls, candidate: Candidate) -> dict:
        initial = forms.model_to_dict(candidate, fields=[f for f in PROFILE_FIELDS if f != "links"])
        initial["links"] = "\n".join(candidate.links or [])
        initial["skills"] = ", ".join(skill.name for skill in candidate.skills.all())
        initial["tags"] = ", ".join(tag.name for tag in candidate.tags.all())
        return initial

    def clean_links(self) -> list[str]:
        links = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except ValidationError:
                raise ValidationError(f"“{link}” is not a web address (https://…).") from None
        return links

    def service_arguments(self) -> dict:
        """Keyword arguments for `candidate_create` / `candidate_update`."""
        data = {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
        return {
            "data": data,
            "skills": split_labels(self.cleaned_data["skills"]),
            "tags": split_labels(self.cleaned_data["tags"]),
        }


class ResumeUploadForm(ServiceErrorsMixin, forms.Form):
    # Empty files pass here so the service's own message ("The file is empty.") is the one shown.
    file = forms.FileField(
        label="Résumé (PDF or DOCX, up to 10 MB)",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": RESUME_ACCEPT}),
    )

    def add_service_error(self, key: str, messages: list[str]) -> None:
        # The file is what the whole form is about: a message about no one field is about it.
        self.add_error("file" if key in ("file", NON_FIELD_ERRORS) else None, messages)
