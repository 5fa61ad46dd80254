"""The API's exception handler (`REST_FRAMEWORK["EXCEPTION_HANDLER"]`): a service's refusal is a 400.

Viewsets call services and let their errors propagate. A Django `ValidationError` or one of our
service errors (`talentcircles.services.ServiceError` and its subclasses: MessagingError,
TemplateError, AnalyticsError…) becomes a 400 whose body has DRF's usual shape: `{field: [messages]}`,
messages about no one field under `non_field_errors`, and messages about a field of one item of
a list (`steps[1].delay_hours`) nested as DRF nests a list serializer's errors:
`{"steps": {"1": {"delay_hours": [...]}}}`. The database being unreachable (`OperationalError`,
`InterfaceError`) is a 503 with `Retry-After`, and so is a query cancelled by the web statement
timeout (`talentcircles.overload`), with a message that says so; a multipart body over Django's limits a 413 or a
400. Everything else is DRF's default handler's.

Errors that never reach DRF (an unknown `/api/` path, an exception outside a view, a body refused
before parsing) are answered in JSON too, by `talentcircles.api_fallbacks`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from talentcircles.api_parsers import PayloadTooLarge
from talentcircles.errors import field_messages
from talentcircles.overload import RETRY_AFTER_SECONDS as TIMEOUT_RETRY_AFTER_SECONDS
from talentcircles.overload import TIMEOUT_MESSAGE, is_statement_timeout
from talentcircles.services import ServiceError

logger = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is unreachable.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = "The service is briefly unavailable (its database cannot be reached); try again shortly."

# A field of one item of a list, as services name it: `steps[1].delay_hours`.
_ITEM_FIELD = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


def drf_detail(error: ValidationError | ServiceError) -> dict[str, Any]:
    """A service's refusal as the body of a 400, shaped like a DRF serializer's errors."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    detail: dict[str, Any] = {}
    items: dict[str, dict[str, dict[str, list[str]]]] = {}
    for key, messages in field_messages(error).items():
        match = _ITEM_FIELD.match(key)
        if match:
            name, index, field = match.groups()
            items.setdefault(name, {}).setdefault(index, {}).setdefault(field, []).extend(messages)
        else:
            detail.setdefault(non_field if key == NON_FIELD_ERRORS else key, []).extend(messages)
    for name, by_index in items.items():
        if name in detail:  # a message about the list as a whole cannot sit beside the per-item ones
            detail.setdefault(non_field, []).extend(detail.pop(name))
        detail[name] = by_index
    return detail


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_statement_timeout(exc):
        logger.warning("Statement timeout: %s", exc)
        set_rollback()
        return Response(
            {"detail": TIMEOUT_MESSAGE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(TIMEOUT_RETRY_AFTER_SECONDS)},
        )
    if is_database_outage(exc):
        logger.error("Database unavailable: %s", exc)
        set_rollback()
        return Response(
            {"detail": UNAVAILABLE_MESSAGE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(f"The request body is too large: {exc}")
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, ValidationError | ServiceError):
        exc = exceptions.ValidationError(drf_detail(exc))
    return drf_exception_handler(exc, context)
