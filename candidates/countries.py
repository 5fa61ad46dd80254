"""Countries from a maintained list (django-countries, ISO 3166-1): lookup, names and the form's picker.

A candidate's country is stored as its two-letter ISO code. People type a country's name, its
code (two or three letters), or a common alias ("UK", "Deutschland", "USA"); `lookup` reads all of
them, case and accents aside, and answers "" for anything that is not a country.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_countries import countries

# Names people commonly use that are neither the list's English name nor an ISO code.
_ALIASES = {
    "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "unitedkingdom": "GB", "usa": "US", "us": "US", "unitedstates": "US",
    "america": "US", "southkorea": "KR", "korea": "KR", "northkorea": "KP", "russia": "RU", "czechia": "CZ",
    "czechrepublic": "CZ", "holland": "NL", "thenetherlands": "NL", "uae": "AE", "deutschland": "DE",
    "espana": "ES", "italia": "IT", "suisse": "CH", "schweiz": "CH", "svizzera": "CH", "osterreich": "AT",
    "vietnam": "VN", "turkey": "TR", "turkiye": "TR", "iran": "IR", "syria": "SY", "taiwan": "TW",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "laos": "LA", "moldova": "MD",
    "ivorycoast": "CI", "brasil": "BR", "mexique": "MX", "belgique": "BE", "belgie": "BE",
    "nederland": "NL", "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "polska": "PL",
    "eire": "IE", "hellas": "GR", "ellada": "GR", "nippon": "JP", "nihon": "JP", "zhongguo": "CN",
    "bharat": "IN", "macedonia": "MK", "swaziland": "SZ", "burma": "MM", "capeverde": "CV",
}  # fmt: skip


def _key(value: str) -> str:
    """Folded for comparison: accents, case, spaces and punctuation aside ("Österreich" → "osterreich")."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", text.casefold())


@functools.cache
def _by_name() -> dict[str, str]:
    names = {_key(name): code for code, name in countries}
    names |= {_key(countries.alpha3(code)): code for code, _name in countries}
    names.pop("", None)
    return names | _ALIASES


def lookup(value: str) -> str:
    """The ISO 3166-1 alpha-2 code of a code, name or alias; "" when it is not a country (or empty)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 2 and value.isalpha() and countries.alpha2(value):
        return countries.alpha2(value)
    return _by_name().get(_key(value), "")


def name(code: str) -> str:
    """The country's English name ("" for an empty or unknown code)."""
    return str(countries.name(code)) if code else ""


def choices() -> list[tuple[str, str]]:
    """(code, name) for every country, by name: what the picker offers."""
    return [(code, str(label)) for code, label in countries]


def _list_id(name: str, attrs: dict) -> str:
    return f"{attrs.get('id') or name}-countries"


@functools.cache
def _options() -> SafeString:
    return format_html_join("", '<option value="{}">{}</option>', ((label, code) for code, label in choices()))


class CountryInput(forms.TextInput):
    """A text box with the list of countries as suggestions (`<input list>` + `<datalist>`).

    Searchable as you type in every browser, with no script of ours (so nothing for a strict
    Content-Security-Policy to block); the box shows the country's name, the form stores its code.
    """

    def __init__(self, attrs: dict | None = None):
        super().__init__({"autocomplete": "country-name", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name: str, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = _list_id(name, context["widget"]["attrs"])
        return context

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        box = super().render(name, value, attrs, renderer)
        list_id = _list_id(name, self.build_attrs(self.attrs, attrs))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, _options())

    def format_value(self, value):
        # The stored code shows as its name; anything typed that is not a country shows as typed.
        return name(lookup(value)) or super().format_value(value) if value else None


class CountryField(forms.CharField):
    """A country by name, code or alias, cleaned to its ISO code; a form error for anything else."""

    widget = CountryInput
    default_error_messages = {
        "invalid": "“%(value)s” is not a country in our list; start typing its name and pick it from the list.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Country")
        kwargs.setdefault("help_text", "Start typing its name, e.g. United Kingdom.")
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        code = lookup(text)
        if not code:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": text})
        return code


def flag_unmapped(form: forms.Form, unmapped: str, *, field: str = "country_code") -> None:
    """Say on the form that the country stored before the list ("UN") named no country, to fix it."""
    if unmapped and field in form.fields:
        form.fields[field].help_text = (
            f"“{unmapped}” was stored as the country before we used a list of countries, and it is not one: "
            "start typing the country's name and pick it from the list."
        )
