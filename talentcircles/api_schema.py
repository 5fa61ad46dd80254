"""Schema snippets every API module documents its endpoints with (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

# The error responses: a 400 carries field messages (see talentcircles.api_errors), a 404 a `detail`.
VALIDATION = {400: OpenApiTypes.OBJECT}
NOT_FOUND = {404: OpenApiTypes.OBJECT}


def path_id(what: str, name: str = "id") -> list[OpenApiParameter]:
    """An id in the path, documented as an integer (the router's pattern alone would make it a string)."""
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")]
