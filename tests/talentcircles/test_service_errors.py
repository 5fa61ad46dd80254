"""A service's refusal shown on a form (`ServiceErrorsMixin`) and answered by the API (`api_errors`)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from engagement.analytics.bounds import AnalyticsError
from messaging.rendering import TemplateError
from messaging.services import MessagingError
from talentcircles.api_errors import exception_handler
from talentcircles.forms import ServiceErrorsMixin
from talentcircles.services import ServiceError


class NameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField()
    email = forms.EmailField(required=False)


def _bound() -> NameForm:
    form = NameForm({"name": "Ada", "email": ""})
    assert form.is_valid()
    return form


def test_field_keyed_messages_go_on_their_fields_and_unknown_keys_above_the_form():
    form = _bound()
    form.add_service_errors(ValidationError({"name": ["Taken."], "steps": ["Add a step."], "__all__": ["No."]}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Add a step.", "No."]


def test_a_plain_validation_error_goes_above_the_form():
    form = _bound()
    form.add_service_errors(ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
    assert "name" not in form.errors


def test_our_service_error_goes_on_the_field_it_names_or_above_the_form():
    form = _bound()
    form.add_service_errors(ServiceError("Already a member.", field="email"))
    form.add_service_errors(ServiceError("Try again later."))
    form.add_service_errors(ServiceError("Not here.", field="candidate"))
    assert form.errors["email"] == ["Already a member."]
    assert form.non_field_errors() == ["Try again later.", "Not here."]


def test_a_form_routes_other_keys_through_its_hook():
    class FileForm(NameForm):
        def add_service_error(self, key: str, messages: list[str]) -> None:
            super().add_service_error("name" if key == "__all__" else key, messages)

    form = FileForm({"name": "Ada"})
    assert form.is_valid()
    form.add_service_errors(ValidationError("Empty file."))
    assert form.errors["name"] == ["Empty file."]


# --- The API's exception handler: `talentcircles.api_errors` ------------------------------------


def _handled(exc: Exception):
    return exception_handler(exc, {"view": None, "request": None})


def test_a_field_keyed_validation_error_is_a_400_with_drf_field_messages():
    response = _handled(ValidationError({"email": ["Taken."], "__all__": ["Check the form."]}))
    assert response.status_code == 400
    assert response.data == {"email": ["Taken."], "non_field_errors": ["Check the form."]}


def test_a_plain_validation_error_is_a_400_with_non_field_errors():
    assert _handled(ValidationError("No.")).data == {"non_field_errors": ["No."]}


def test_item_fields_are_nested_like_a_list_serializers_errors():
    error = ValidationError(
        {"name": ["Name it."], "steps[1].delay_hours": ["Wait at least an hour."], "steps[1].kind": ["Which?"]}
    )
    assert _handled(error).data == {
        "name": ["Name it."],
        "steps": {"1": {"delay_hours": ["Wait at least an hour."], "kind": ["Which?"]}},
    }


def test_a_message_about_the_whole_list_moves_above_when_items_have_theirs():
    error = ValidationError({"steps": ["Too many steps."], "steps[0].template": ["Choose a template."]})
    assert _handled(error).data == {
        "non_field_errors": ["Too many steps."],
        "steps": {"0": {"template": ["Choose a template."]}},
    }


@pytest.mark.parametrize(
    ("error", "body"),
    [
        (ServiceError("Name the token.", field="name"), {"name": ["Name the token."]}),
        (ServiceError("Try again."), {"non_field_errors": ["Try again."]}),
        (MessagingError("Write a message.", field="body"), {"body": ["Write a message."]}),
        (AnalyticsError("The range is too long.", field="from"), {"from": ["The range is too long."]}),
        (TemplateError("Unknown token."), {"non_field_errors": ["Unknown token."]}),
    ],
)
def test_our_service_errors_are_400s_on_the_field_they_name(error, body):
    response = _handled(error)
    assert (response.status_code, response.data) == (400, body)


def test_everything_else_is_left_to_drf():
    assert _handled(NotFound("No such candidate.")).status_code == 404
    assert _handled(ValueError("a bug")) is None  # re-raised by DRF: a 500, not a 400
