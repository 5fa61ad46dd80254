"""A service's refusal read as field messages: the one reading the forms and the API share.

Services raise Django's `ValidationError` (keyed by field or not) or one of our own error types,
all subclasses of `talentcircles.services.ServiceError` (a message a person can act on and the
`field` it is about, or none). `ServiceErrorsMixin` (talentcircles.forms) shows them on a form;
`talentcircles.api_errors` answers them with a 400.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from talentcircles.services import ServiceError


def field_messages(error: ValidationError | ServiceError) -> dict[str, list[str]]:
    """{field name: messages}, with the messages about no one field under NON_FIELD_ERRORS ("__all__")."""
    if isinstance(error, ServiceError):
        return {error.field or NON_FIELD_ERRORS: [error.message]}
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}
