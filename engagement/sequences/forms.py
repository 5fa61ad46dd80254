"""Forms of the sequence pages: the sequence's own fields, its steps (a formset), the enrol screen.

Forms validate shape only; `engagement.sequences` enforces the rules (a template on every e-mail
step, a delay on every follow-up) and its field errors are put back on the form that caused them.
"""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.forms.renderers import BaseRenderer

from engagement.sequences.builder import MAX_STEPS
from engagement.sequences.models import Sequence, SequenceStep
from messaging.models import MessageTemplate
from talentcircles.forms import ServiceErrorsMixin

DELAY_HOURS, DELAY_BUSINESS_DAYS = "hours", "business_days"
DELAY_UNITS = [(DELAY_HOURS, "hours"), (DELAY_BUSINESS_DAYS, "business days")]
STEP_PREFIX = "steps"
MAX_STEP_FORMS = MAX_STEPS
_STEP_ERROR_KEY = re.compile(r"^steps\[(\d+)\]\.(\w+)$")
# The service's field names as the step form names them.
_STEP_FIELD = {"delay_hours": "delay", "delay_business_days": "delay", "template": "template",
               "task_text": "task_text", "kind": "kind", "same_thread": "same_thread"}  # fmt: skip


class SequenceForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Backend 2026"}))
    send_window_start = forms.TimeField(
        required=False,
        label="Send from",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Leave both times empty to use the organisation's send window.",
    )
    send_window_end = forms.TimeField(
        required=False, label="Send until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, steps: BaseStepFormSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The steps saved with this sequence: a service's messages about them go on their rows.
        self.steps = steps

    @classmethod
    def initial_for(cls, sequence: Sequence) -> dict:
        return {
            "name": sequence.name,
            "send_window_start": sequence.send_window_start,
            "send_window_end": sequence.send_window_end,
        }

    def add_service_error(self, key: str, messages: list[str]) -> None:
        if key in self.fields or self.steps is None:
            super().add_service_error(key, messages)
        else:
            self.steps.add_service_error(key, messages)


class StepForm(forms.Form):
    """One step; its position in the formset is its order."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=SequenceStep.Kind.choices, initial=SequenceStep.Kind.EMAIL, label="Kind")
    template: forms.ModelChoiceField[MessageTemplate] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Choose a template…",
        label="Template",
        help_text="E-mail steps send this template, filled in for each candidate.",
    )
    delay = forms.IntegerField(required=False, min_value=0, max_value=24 * 365, initial=0, label="Wait")
    delay_unit = forms.ChoiceField(choices=DELAY_UNITS, initial=DELAY_HOURS, label="Unit")
    same_thread = forms.BooleanField(
        required=False, initial=True, label="Send as a reply in the same conversation (follow-ups)"
    )
    task_text = forms.CharField(
        required=False,
        max_length=300,
        label="Task",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Call Jane about the role"}),
        help_text="Task steps create this reminder for the sequence's owner.",
    )

    def __init__(self, *args, templates: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)
        template.queryset = templates

    @staticmethod
    def initial_for(step: SequenceStep) -> dict:
        in_days = bool(step.delay_business_days)
        return {
            "id": step.pk,
            "kind": step.kind,
            "template": step.template_id,
            "delay": step.delay_business_days if in_days else step.delay_hours,
            "delay_unit": DELAY_BUSINESS_DAYS if in_days else DELAY_HOURS,
            "same_thread": step.same_thread,
            "task_text": step.task_text,
        }

    def as_step_data(self, order: int) -> dict:
        """The cleaned step in the shape `sequences.sequence_create`/`sequence_update` take."""
        data = self.cleaned_data
        delay = data.get("delay") or 0
        in_days = data.get("delay_unit") == DELAY_BUSINESS_DAYS
        template = data.get("template")
        return {
            "id": data.get("id"),
            "order": order,
            "kind": data["kind"],
            "template": template.pk if template else None,
            "delay_hours": 0 if in_days else delay,
            "delay_business_days": delay if in_days else 0,
            "same_thread": bool(data.get("same_thread")),
            "task_text": data.get("task_text", ""),
        }


class BaseStepFormSet(forms.BaseFormSet):
    renderer: BaseRenderer  # set by BaseFormSet.__init__; the stubs leave it out

    def __init__(self, *args, templates: QuerySet, **kwargs):
        self.templates = templates
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "templates": self.templates}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            templates=self.templates,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept_forms(self) -> list[StepForm]:
        """The step forms to save, in order: existing rows and filled-in new ones, not marked for removal."""
        return [
            form
            for index, form in enumerate(self.forms)
            if not self._should_delete_form(form)  # type: ignore[attr-defined]  # Django's private helper; not in the stubs
            and (index < self.initial_form_count() or form.has_changed())
        ]

    def add_service_error(self, key: str, messages: list[str]) -> None:
        """A service's messages about the steps: on the row and field `steps[<i>].<field>` names (`i` counts
        the kept rows from 0), else ("steps", the list as a whole, and anything else) above the steps."""
        match = _STEP_ERROR_KEY.match(key)
        kept = self.kept_forms()
        if match and int(match.group(1)) < len(kept):
            row = kept[int(match.group(1))]
            field = _STEP_FIELD.get(match.group(2))
            row.add_error(field if field in row.fields else None, messages)
            return
        self._non_form_errors = self.error_class(
            [*self.non_form_errors(), *messages], error_class="nonform", renderer=self.renderer
        )

    def steps_data(self) -> list[dict]:
        """The steps for the service, in order (its errors name them by index: see `add_service_error`)."""
        return [form.as_step_data(order) for order, form in enumerate(self.kept_forms(), start=1)]

    def raw_rows(self) -> list[dict]:
        """The rows as typed, valid or not (to render them again after "add" or "move")."""
        rows = []
        for index, form in enumerate(self.forms):
            if self.can_delete and form["DELETE"].value():
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            rows.append({name: form[name].value() for name in StepForm.base_fields})
        return rows


def step_formset(*, templates: QuerySet, data=None, initial: list[dict] | None = None, extra: int = 0):
    """The steps formset: bound to `data`, or rows from `initial` plus `extra` blank ones."""
    # formset_factory returns a subclass of `formset`; the stubs type it as the generic BaseFormSet.
    formset_class = cast(type[BaseStepFormSet], forms.formset_factory(
        StepForm, formset=BaseStepFormSet, extra=extra, can_delete=True, max_num=MAX_STEP_FORMS,
        absolute_max=MAX_STEP_FORMS, validate_max=True,
    ))  # fmt: skip
    return formset_class(data, initial=initial, prefix=STEP_PREFIX, templates=templates)


class PreviewForm(forms.Form):
    """Who the preview is for: a candidate id or a few words of their name or e-mail."""

    candidate = forms.CharField(
        required=False,
        max_length=200,
        label="Preview for",
        widget=forms.TextInput(attrs={"placeholder": "Name, e-mail or id", "type": "search"}),
    )


class EnrolForm(forms.Form):
    """The confirm step of the enrol screen: the sequence (the audience rides along in hidden fields)."""

    sequence: forms.ModelChoiceField[Sequence] = forms.ModelChoiceField(
        queryset=None, empty_label="Choose a sequence…", label="Sequence"
    )

    def __init__(self, *args, sequences: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        sequence = self.fields["sequence"]
        assert isinstance(sequence, forms.ModelChoiceField)
        sequence.queryset = sequences
