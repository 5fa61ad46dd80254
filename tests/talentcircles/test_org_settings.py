"""The organisation settings form, saved through `organization_update`: every field, refusals, who may save."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from talentcircles.models import Organization
from talentcircles.services import organization_update
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Every field of the form, each with a value other than its default; the two booleans are
# switched off by leaving their checkboxes out.
FORM = {
    "name": "Acme Talent", "tagline": "Builders welcome", "description": "Our engineering community.",
    "brand_color": "#aa3300", "sender_name": "Rita at Acme", "sender_email": "rita@acme.example",
    "time_zone": "Europe/Lisbon", "send_window_start": "08:30", "send_window_end": "17:15",
    "send_weekdays": "1234", "daily_send_cap": "50", "out_of_office_delay_days": "5", "bulk_min_score": "60",
    "response_window_days": "90", "live_rate_min_sends": "40",
    "active_conversation_days": "21", "contact_cooldown_days": "3", "automated_messages_per_day": "2",
}  # fmt: skip
SAVED = {
    **FORM,
    "send_window_start": time(8, 30), "send_window_end": time(17, 15), "daily_send_cap": 50,
    "out_of_office_delay_days": 5, "bulk_min_score": 60, "response_window_days": 90, "live_rate_min_sends": 40,
    "response_guard_enabled": False, "share_team_analytics": False,
    "active_conversation_days": 21, "contact_cooldown_days": 3, "automated_messages_per_day": 2,
}  # fmt: skip


def settings_url(org: Organization) -> str:
    return f"/o/{org.slug}/settings/"


def stored(org: Organization) -> dict:
    return model_to_dict(Organization.objects.get(pk=org.pk))


def test_it_saves_every_field_of_the_form(acme):
    response = acme.client.post(settings_url(acme.org), FORM, follow=True)

    assert response.redirect_chain == [(settings_url(acme.org), 302)]
    assert "Settings saved." in response.content.decode()
    saved = stored(acme.org)
    assert {name: saved[name] for name in SAVED} == SAVED
    assert saved["slug"] == "acme"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"brand_color": "red"}, "brand_color", "Use a hex colour such as #1f6feb."),
        ({"send_weekdays": "1289"}, "send_weekdays", "Use ISO weekday digits"),
        ({"response_window_days": "0"}, "response_window_days", "greater than or equal to 1"),
        ({"send_window_start": "18:00", "send_window_end": "09:00"}, "send_window_end", "must end after it starts"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"sender_email": "rita@"}, "sender_email", "Enter a valid email address."),
    ],
)
def test_it_shows_an_invalid_value_next_to_its_field_and_changes_nothing(acme, change, field, message):
    before = stored(acme.org)

    response = acme.client.post(settings_url(acme.org), {**FORM, **change})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert stored(acme.org) == before
    # The page around the form still shows what is stored, not the refused name.
    assert "<title>Settings · Acme Inc" in response.content.decode()


def test_a_recruiter_can_neither_see_nor_save_the_settings(acme):
    recruiter = MembershipFactory(organization=acme.org, role="recruiter")
    acme.client.force_login(recruiter.user)
    before = stored(acme.org)

    page = acme.client.get(settings_url(acme.org))
    response = acme.client.post(settings_url(acme.org), FORM)

    assert page.status_code == 403 and "does not allow this (manage settings)" in page.content.decode()
    assert response.status_code == 403
    assert stored(acme.org) == before


def test_a_member_of_another_organisation_gets_404_and_changes_nothing(acme, globex):
    before = stored(acme.org)

    assert globex.client.get(settings_url(acme.org)).status_code == 404
    assert globex.client.post(settings_url(acme.org), FORM).status_code == 404
    assert stored(acme.org) == before


# --- The service ---------------------------------------------------------------------------------


def test_organization_update_saves_the_given_fields(acme):
    org = organization_update(org=acme.org, name="Acme Talent", daily_send_cap=10)

    assert org is acme.org
    assert (stored(acme.org)["name"], stored(acme.org)["daily_send_cap"]) == ("Acme Talent", 10)


def test_organization_update_refuses_an_invalid_value_saying_which_field_and_keeps_what_is_stored(acme):
    with pytest.raises(ValidationError) as refused:
        organization_update(org=acme.org, name="Renamed", brand_color="red")

    assert refused.value.message_dict == {"brand_color": ["Use a hex colour such as #1f6feb."]}
    assert (acme.org.name, acme.org.brand_color) == ("Acme Inc", "#1f6feb")  # the caller's object too
    assert stored(acme.org)["name"] == "Acme Inc"


def test_organization_update_names_each_field_when_several_are_wrong(acme):
    with pytest.raises(ValidationError) as refused:
        organization_update(org=acme.org, brand_color="red", response_window_days=0)

    assert refused.value.message_dict == {
        "brand_color": ["Use a hex colour such as #1f6feb."],
        "response_window_days": ["Ensure this value is greater than or equal to 1."],
    }


def test_organization_update_does_not_change_the_slug_or_unknown_fields(acme):
    for change in ({"slug": "elsewhere"}, {"no_such_setting": 1}):
        with pytest.raises(TypeError, match="Not an organisation setting"):
            organization_update(org=acme.org, **change)
    assert stored(acme.org)["slug"] == "acme"
