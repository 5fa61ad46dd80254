"""QuickSelect renders what Django's Select renders."""

from __future__ import annotations

from django import forms
from django.test.html import parse_html

from talentcircles.widgets import QuickSelect

CHOICES = [("", "Any"), ("Banking", "Banking"), ("R&D", "Research & <Development>"), ('Say "hi"', "Quotes")]


def html(widget: forms.Select, value) -> object:
    widget.choices = CHOICES
    return parse_html(widget.render("industry", value, attrs={"id": "id_industry", "class": "form-select"}))


def test_it_renders_like_djangos_select():
    for value in ("", "Banking", "R&D", 'Say "hi"', "not a choice", None):
        assert html(QuickSelect(), value) == html(forms.Select(), value), value


def test_it_escapes_labels_and_values():
    rendered = QuickSelect(choices=CHOICES).render("industry", "R&D")
    assert '<option value="R&amp;D" selected>Research &amp; &lt;Development&gt;</option>' in rendered
    assert 'value="Say &quot;hi&quot;"' in rendered


def test_quick_inputs_render_like_djangos():
    from datetime import date

    from talentcircles.widgets import QuickDateInput, QuickTextInput

    for value in ("", 'Lon<don> & "co"', None):
        attrs = {"id": "id_location", "class": "form-control", "placeholder": "City", "required": True}
        quick = QuickTextInput().render("location", value, attrs=attrs)
        assert parse_html(quick) == parse_html(forms.TextInput().render("location", value, attrs=attrs)), value
    for day in (date(2026, 12, 6), "not a date", None):
        attrs = {"type": "date", "id": "id_after", "disabled": False}
        quick = QuickDateInput(attrs=attrs).render("after", day)
        assert parse_html(quick) == parse_html(forms.DateInput(attrs=attrs).render("after", day)), day


def test_quick_choice_fields_share_choices_but_not_their_replacement():
    from talentcircles.widgets import QuickChoiceField

    class Form(forms.Form):
        owner = QuickChoiceField(choices=CHOICES)

    first, second = Form(), Form()
    assert first.fields["owner"].choices == second.fields["owner"].choices == CHOICES
    first.fields["owner"].choices = [("7", "Ada")]
    assert second.fields["owner"].choices == CHOICES
    assert Form().fields["owner"].choices == CHOICES
    assert '<option value="7">Ada</option>' in str(first["owner"])
    assert "Ada" not in str(second["owner"])
