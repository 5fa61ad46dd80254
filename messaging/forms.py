"""Recruiter and portal forms of the messaging app.

Forms check shape (lengths, token syntax and the whitelist); `messaging.services` enforces the
rules (who may be messaged, what is written) and its errors are shown on these forms.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from messaging.models import MAX_BODY_CHARS, MessageTemplate
from messaging.rendering import TemplateError, validate_template_text
from talentcircles.forms import ServiceErrorsMixin

SUBJECT_MAX = 200
TOO_LONG = f"The message is too long: at most {MAX_BODY_CHARS:,} characters (this one has %(show_value)s)."


def _template_text(value: str) -> str:
    """Token syntax and whitelist, as a field error naming the token."""
    try:
        validate_template_text(value)
    except TemplateError as exc:
        raise ValidationError(exc.message) from None
    return value


def _body_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        max_length=MAX_BODY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"max_length": TOO_LONG},
        **kwargs,
    )


def _subject_field(**kwargs) -> forms.CharField:
    return forms.CharField(max_length=SUBJECT_MAX, **kwargs)


def live_check(form: forms.Form, url: str) -> None:
    """Score the draft as the recruiter types: htmx posts the whole form to the check endpoint."""
    for name in ("subject", "body"):
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": url,
                    "hx-trigger": "keyup changed delay:400ms",
                    "hx-target": "#check-result",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                }
            )


class DraftForm(ServiceErrorsMixin, forms.Form):
    """Subject and body with tokens, optionally started from a template."""

    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(), required=False, empty_label="Write freely (no template)"
    )
    subject = _subject_field()
    body = _body_field()

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise ValidationError("A subject is one line: remove the line breaks.")
        return _template_text(subject)

    def clean_body(self) -> str:
        return _template_text(self.cleaned_data["body"])


class ComposeForm(DraftForm):
    """A one-to-one message (the candidate comes from the URL)."""


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = _body_field(label="Your reply")

    def clean_body(self) -> str:
        return _template_text(self.cleaned_data["body"])


class CheckForm(forms.Form):
    """What the live check receives from the composer (every field optional: a draft in progress)."""

    subject = forms.CharField(required=False, max_length=SUBJECT_MAX * 2)
    body = forms.CharField(required=False, max_length=MAX_BODY_CHARS, strip=False)
    template = forms.IntegerField(required=False, min_value=1)
    candidate = forms.IntegerField(required=False, min_value=1)


class TemplateForm(ServiceErrorsMixin, forms.ModelForm):
    body = _body_field(help_text="Plain text. Use only the tokens listed beside the editor.")

    class Meta:
        model = MessageTemplate
        fields = ["name", "subject", "body", "is_shared"]
        labels = {"is_shared": "Shared with the whole organisation (untick to keep it personal)"}

    def clean_subject(self) -> str:
        return _template_text(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return _template_text(self.cleaned_data["body"])


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": TOO_LONG},
    )
