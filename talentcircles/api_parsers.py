"""The API's JSON parser (`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`): hostile bodies are a 400 or a 413.

DRF's own parser hands the stream to `json.load`, which reads however much arrives and lets a
`RecursionError` (an array nested 100,000 deep) escape as a 500. This one reads at most
`DATA_UPLOAD_MAX_MEMORY_SIZE` bytes (a longer body is a 413, also when no Content-Length said so)
and answers nesting too deep to parse with a 400. `talentcircles.api_errors.ApiBodyLimitMiddleware`
refuses an announced oversized body before any of it is read.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def body_limit() -> int:
    """The most bytes a JSON or form body may have (Django's own DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def too_large_message(limit: int) -> str:
    return f"The request body is too large: at most {limit:,} bytes."


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = body_limit()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(too_large_message(limit))
        try:
            return json.loads(raw.decode(encoding), parse_constant=_no_constant)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


def _no_constant(name: str) -> None:
    # NaN and Infinity are not JSON (DRF's own parser refuses them too).
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")
