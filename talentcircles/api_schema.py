"""The OpenAPI schema (drf-spectacular): the snippets API modules document their endpoints with, the
schema class, and the hook that documents the error responses every operation can give.

The schema is checked against the API by Schemathesis (tests/test_api_schema_fuzz.py): every answer
must have a documented status, content type and shape.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

# The error responses: a 400 carries field messages (see talentcircles.api_errors), a 404 a `detail`.
VALIDATION = {400: OpenApiTypes.OBJECT}
NOT_FOUND = {404: OpenApiTypes.OBJECT}
# The largest id a path or a filter may name (ids are 64-bit); a larger one is a 404 or a 400, not a 500.
MAX_ID = 2**63 - 1


def query_id(params, name: str) -> int | None:
    """An id given as `?name=`: None when absent or empty, else a whole number from 1 to MAX_ID or a 400 naming it."""
    raw = params.get(name, "")
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise exceptions.ValidationError({name: [f"Give the id of a {name}: a whole number from 1 to {MAX_ID}."]})
    return int(raw)


def path_id(what: str, name: str = "id") -> list[OpenApiParameter]:
    """An id in the path, documented as an integer (the router's pattern alone would make it a string)."""
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")]


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, except that a read-only string stored blank says "" is one of its values.

    DRF drops `allow_blank` from read-only model fields, so the schema would otherwise promise one of
    the choices, or an e-mail address, where the API answers "" (a candidate with no industry or time
    zone, a message that was not classified, an organisation without a sender address).
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        stringy = isinstance(field, serializers.CharField | serializers.ChoiceField)
        if stringy and field.read_only and _stored_blank(field):
            field.allow_blank = True  # a read-only field never validates input, so this only changes the schema
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _stored_blank(field: serializers.Field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except Exception:  # not a model field (a property, a method): nothing says it can be blank
        return False


# --- The postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) ---------------------

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_FIELD_MESSAGES = {
    "type": "object",
    "description": (
        "`{field: [messages]}` for the fields at fault, `non_field_errors` for the rest; "
        'a body that cannot be parsed, or an argument that is not a field, is `{"detail": "…"}`.'
    ),
    "additionalProperties": True,
}
# What any operation may answer besides its own responses.
ERROR_RESPONSES: dict[str, dict[str, Any]] = {
    "400": {"description": "Bad input: field messages.", "schema": _FIELD_MESSAGES},
    "401": {"description": "No credentials, or a token that is not valid (any more).", "schema": _DETAIL},
    "403": {"description": "Signed in, but not allowed to do this.", "schema": _DETAIL},
    "404": {"description": "No such object in the caller's organisation, or no such page.", "schema": _DETAIL},
    "429": {"description": "Too many requests: wait as `Retry-After` says.", "schema": _DETAIL},
    "503": {
        "description": "The database cannot be reached: try again after `Retry-After` seconds.",
        "schema": _DETAIL,
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    },
}
# What an operation that takes a body may answer besides.
BODY_ERRORS: dict[str, dict[str, Any]] = {
    "413": {"description": "The request body is over the size limit.", "schema": _DETAIL},
    "415": {"description": "A body in a media type this operation does not read.", "schema": _DETAIL},
}
# RFC 3339's `time` format needs an offset; the API's times are wall-clock times ("18:00:00").
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def document_errors(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Every operation documents the errors it can give; wall-clock times are documented as what they are."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            wanted = {**ERROR_RESPONSES, **(BODY_ERRORS if "requestBody" in operation else {})}
            for status, spec in wanted.items():
                if status not in responses:
                    responses[status] = _response(spec)
    _replace_time_format(result)
    return result


def _response(spec: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": spec["description"],
        "content": {"application/json": {"schema": spec["schema"]}},
    }
    if "headers" in spec:
        response["headers"] = spec["headers"]
    return response


def _replace_time_format(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_PATTERN
            node.setdefault("example", "18:00:00")
        for value in node.values():
            _replace_time_format(value)
    elif isinstance(node, list):
        for value in node:
            _replace_time_format(value)
