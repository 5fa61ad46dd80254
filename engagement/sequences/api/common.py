"""What the sequences API modules share: schema snippets and turning a service's errors into a 400."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema_field,
)
from rest_framework import serializers

_NOT_FOUND = {404: OpenApiTypes.OBJECT}
_VALIDATION = {400: OpenApiTypes.OBJECT}
_STEP_KEY = re.compile(r"^steps\[(\d+)\]\.(\w+)$")
_ID_CHUNK = 5_000  # SQLite caps the number of query parameters
MAX_ENROL_IDS = 100_000


def _path_id(what: str, name: str = "id") -> list[OpenApiParameter]:
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")]


def _choices(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented inline: several models here name their choices `status` or `kind`,
    and inline enums keep the schema free of component-name collisions."""

    @extend_schema_field({"type": "string", "enum": [value for value, _ in choices]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)


def service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service ValidationError as a 400 shaped like DRF's own: step fields under `steps`, keyed by
    the step's index in the request (`{"steps": {"1": {"delay_hours": ["…"]}}}`)."""
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({"non_field_errors": exc.messages})
    detail: dict = {}
    step_errors: dict[str, dict] = {}
    for key, messages in exc.message_dict.items():
        match = _STEP_KEY.match(key)
        if match:
            step_errors.setdefault(match.group(1), {}).setdefault(match.group(2), []).extend(messages)
        else:
            detail.setdefault(key, []).extend(messages)
    if step_errors:
        if "steps" in detail:  # a message about the list as a whole cannot sit beside the per-step ones
            detail.setdefault("non_field_errors", []).extend(detail.pop("steps"))
        detail["steps"] = step_errors
    return serializers.ValidationError(detail)
