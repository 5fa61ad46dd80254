"""A service's refusal shown on a form: `talentcircles.forms.ServiceErrorsMixin`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

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
