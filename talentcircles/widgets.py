"""Form widgets shared by the apps."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# (value as a string, '<option value="…"', '>label</option>') per choice, escaped once.
_Options = tuple[tuple[str, str, str], ...]


@lru_cache(maxsize=512)
def _escaped_options(choices: tuple[tuple[object, object], ...]) -> _Options:
    return tuple(
        (str(value), format_html('<option value="{}"', value), format_html(">{}</option>", label))
        for value, label in choices
    )


class QuickSelect(forms.Select):
    """A `<select>` rendered in Python, for long choice lists (the industry taxonomy, time zones, filters).

    Django's Select includes a template per option: a few hundred options cost tens of milliseconds
    on every page that shows the field. Same HTML, one string join; each list of choices is escaped
    once per process and reused (the candidate list's filter form showed up in every profile of that
    page). Option groups are not supported.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = []
        for option_value, head, tail in _escaped_options(tuple((v, label) for v, label in self.choices)):
            selected = option_value in chosen
            if selected and not self.allow_multiple_selected:
                chosen = set()  # like Django's Select: only the first match is selected
            parts.append(f"{head} selected{tail}" if selected else f"{head}{tail}")
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe("".join(parts)))


class QuickInputMixin:
    """An `<input>` rendered in Python rather than through Django's widget templates: the same HTML
    (`flatatt` writes boolean attributes as the template does), for forms shown on busy pages."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], name, shown, flatatt(widget["attrs"]))


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickDateInput(QuickInputMixin, forms.DateInput):
    pass


class QuickChoiceField(forms.ChoiceField):
    """A ChoiceField whose form copies share its choices instead of deep-copying them.

    Every form instance deep-copies its fields; for the industry taxonomy that copy cost more than
    rendering the field. Choices here are replaced (`field.choices = …`), never changed in place.
    """

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result

    widget = QuickSelect
