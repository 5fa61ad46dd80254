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
