"""What the sequences API modules share: an inline choice field and the enrolment limits."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_ID_CHUNK = 5_000  # SQLite caps the number of query parameters
MAX_ENROL_IDS = 100_000


def _choices(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented inline: several models here name their choices `status` or `kind`,
    and inline enums keep the schema free of component-name collisions."""

    @extend_schema_field({"type": "string", "enum": [value for value, _ in choices]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)
