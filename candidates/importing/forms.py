"""The upload form and the column-mapping form of the import pages.

Forms check shape; `candidates.importing.jobs` checks the file and the mapping and
its ValidationErrors are shown on these forms.
"""

from __future__ import annotations

from django import forms

from candidates.importing.jobs import AUTO, FORMAT_CHOICES
from candidates.importing.mapping import FIELD_CHOICES
from candidates.importing.readers import MAX_BYTES
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.models import Organization, User


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name() or user.email


class ImportUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        help_text=(
            "A CSV file (you match its columns to candidate fields next), LinkedIn's Connections.csv, "
            f"or a JSON Resume (.json, one resume or a list). At most {MAX_BYTES // 2**20} MB."
        )
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial=AUTO)
    owner = OwnerChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No owner",
        help_text="New candidates are assigned to this recruiter; existing ones keep theirs.",
    )

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__organization=org).order_by("first_name", "last_name", "email")
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerChoiceField)
        owner.queryset = members


class ColumnMappingForm(ServiceErrorsMixin, forms.Form):
    """One select per column of the file, preselected with the guessed field (mapping errors: above it)."""

    def __init__(self, *args, headers: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for position, header in enumerate(headers):
            self.fields[f"column_{position}"] = forms.ChoiceField(
                label=header,
                choices=[("", "— Ignore this column —"), *FIELD_CHOICES],
                required=False,
                initial=initial_mapping.get(header, ""),
            )

    def columns(self) -> list[tuple[str, forms.BoundField]]:
        return [(header, self[f"column_{position}"]) for position, header in enumerate(self.headers)]

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[f"column_{n}"] for n, header in enumerate(self.headers)}
