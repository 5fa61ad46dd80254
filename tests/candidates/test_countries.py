"""Countries from django-countries' list: lookup, the picker, the API's ISO codes, the time zone and migration 0012."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from candidates import countries, privacy, services
from candidates.forms import CandidateForm
from candidates.models import Candidate
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/candidates/"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("United Kingdom", "GB"), ("UK", "GB"), ("gb", "GB"), ("GBR", "GB"), ("Deutschland", "DE"), ("de", "DE"),
        ("Österreich", "AT"), ("  france ", "FR"), ("United States of America", "US"), ("USA", "US"),
        ("UN", ""), ("Atlantis", ""), ("", ""),
    ],
)  # fmt: skip
def test_a_country_is_found_by_code_name_or_alias(typed, code):
    assert countries.lookup(typed) == code


def test_the_picker_is_a_text_box_with_the_list_and_no_script(acme):
    form = CandidateForm(initial={"country_code": "DE"}, org=acme.org, members=[acme.user])
    html = str(form["country_code"])
    assert 'list="id_country_code-countries"' in html and '<datalist id="id_country_code-countries">' in html
    assert 'value="Germany"' in html  # the stored code shows as the country's name
    assert html.count("<option ") == len(countries.choices()) > 240
    assert "<script" not in html and " on" not in html.split("<datalist")[0]  # nothing a strict CSP blocks


def test_the_forms_store_the_code_of_the_country_picked(acme):
    candidate = CandidateFactory(organization=acme.org, first_name="Ada", email="ada@example.com")
    data = {**CandidateForm.initial_for(candidate), "first_name": "Ada", "country_code": "Deutschland", "links": ""}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    response = acme.client.post(reverse("candidate_edit", args=[acme.org.slug, candidate.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Candidate.objects.get(pk=candidate.pk).country_code == "DE"


def test_the_api_takes_iso_codes_and_answers_400_naming_the_field_otherwise(acme):
    bad = acme.client.post(API, {"first_name": "Ada", "country_code": "UN"}, content_type="application/json")
    assert bad.status_code == 400 and "“UN” is not an ISO 3166 country code" in bad.json()["country_code"][0]
    alias = acme.client.post(API, {"first_name": "Ada", "country_code": "UK"}, content_type="application/json")
    assert alias.status_code == 400 and "United Kingdom is GB" in alias.json()["country_code"][0]
    good = acme.client.post(API, {"first_name": "Ada", "country_code": "gb"}, content_type="application/json")
    assert good.status_code == 201 and good.json()["country_code"] == "GB"
    assert good.json()["time_zone"] == "Europe/London"


def test_the_location_filter_reads_a_countrys_name(acme):
    CandidateFactory(organization=acme.org, first_name="Hans", country_code="DE")
    CandidateFactory(organization=acme.org, first_name="Ada", country_code="GB")
    found = acme.client.get(API, {"location": "Germany"}).json()
    assert [row["first_name"] for row in found["results"]] == ["Hans"]


def test_the_time_zone_is_guessed_again_when_the_country_changes(acme):
    candidate = services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada", "country_code": "GB"})
    assert candidate.time_zone == "Europe/London"
    services.candidate_update(candidate=candidate, actor=None, data={"country_code": "DE"})
    assert candidate.time_zone == "Europe/Berlin"
    # A country of several zones and no city to tell: unknown, rather than another country's zone.
    services.candidate_update(candidate=candidate, actor=None, data={"country_code": "US"})
    assert candidate.time_zone == ""
    services.candidate_update(candidate=candidate, actor=None, data={"city": "Chicago"})
    assert candidate.time_zone == "America/Chicago"
    # A zone chosen with the country is kept.
    services.candidate_update(candidate=candidate, actor=None, data={"country_code": "FR", "time_zone": "Asia/Tokyo"})
    assert candidate.time_zone == "Asia/Tokyo"


def test_migration_0012_maps_what_it_can_and_flags_the_rest(acme):
    typed = {"Ada": "UK", "Hans": "de", "Grace": "GB", "Una": "UN", "Zed": ""}
    people = {name: CandidateFactory(organization=acme.org, first_name=name, time_zone="") for name in typed}
    for name, value in typed.items():
        Candidate.objects.filter(pk=people[name].pk).update(country_code=value)
    migration = importlib.import_module("candidates.migrations.0012_countries_from_the_list")
    migration.forwards(apps, None)
    stored = {c.first_name: (c.country_code, c.country_unmapped, c.time_zone) for c in Candidate.objects.all()}
    assert stored == {
        "Ada": ("GB", "", "Europe/London"),
        "Hans": ("DE", "", "Europe/Berlin"),
        "Grace": ("GB", "", "Europe/London"),
        "Una": ("", "UN", ""),
        "Zed": ("", "", ""),
    }


def test_an_unmapped_country_is_flagged_on_both_profiles_until_a_country_is_chosen(acme):
    user = UserFactory(email="una@example.com")
    una = CandidateFactory(organization=acme.org, first_name="Una", email="una@example.com", user=user)
    Candidate.objects.filter(pk=una.pk).update(country_unmapped="UN")
    detail = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, una.pk])).content.decode()
    assert 'id="country-unmapped"' in detail and "“UN”" in detail
    member = Client()
    member.force_login(user)
    profile = member.get(reverse("portal_profile", args=[acme.org.slug])).content.decode()
    assert "“UN” was stored as the country" in profile
    una.refresh_from_db()
    privacy.candidate_update_by_self(candidate=una, data={"country_code": "GB"})
    una.refresh_from_db()
    assert (una.country_code, una.country_unmapped, una.time_zone) == ("GB", "", "Europe/London")
