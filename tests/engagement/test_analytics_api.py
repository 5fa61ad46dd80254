"""The response-rate API: every group_by, bad input as 400, tenancy, role visibility, the schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from engagement.analytics.forms import today_utc
from talentcircles.services import api_token_create
from tests.engagement.analytics_ui_support import outreach
from tests.engagement.test_analytics_views import share_team
from tests.factories import CircleFactory, MembershipFactory, MessageTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db

RATES = "/api/v1/stats/response-rate/"
FUNNEL = "/api/v1/stats/funnel/"


@pytest.fixture
def rita(acme):
    user = UserFactory(email="rita@example.com", first_name="Rita", last_name="Recruiter")
    membership = MembershipFactory(user=user, organization=acme.org, role="recruiter")
    client = Client()
    client.force_login(user)
    user.client, user.membership = client, membership
    return user


@pytest.fixture
def data(acme, rita):
    today = today_utc()
    old = today - timedelta(days=60)
    template = MessageTemplateFactory(organization=acme.org, owner=rita, name="First touch")
    circle = CircleFactory(organization=acme.org, name="Backend")
    outreach(acme.org, day=old, recruiter=rita, template=template, circle=circle, count=3, answered_after_hours=5)
    outreach(acme.org, day=old, recruiter=rita, template=template, circle=circle, count=7)
    outreach(acme.org, day=old, recruiter=acme.user, source="referral", count=2, answered_after_hours=50)
    outreach(acme.org, day=old, recruiter=acme.user, source="referral", count=1, bounced=True)
    return {"template": template, "circle": circle, "from": (today - timedelta(days=89)).isoformat(), "to": today}


def rows_by_label(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["label"]: row for row in response.json()["results"]}


def test_it_groups_by_recruiter(acme, rita, data):
    rows = rows_by_label(acme.client.get(RATES, {"group_by": "recruiter"}))
    assert set(rows) == {"Rita Recruiter", acme.user.get_full_name() or acme.user.email}
    row = rows["Rita Recruiter"]
    assert {k: row[k] for k in ("key", "sent", "answered", "unanswered", "pending", "bounced")} == {
        "key": str(rita.pk), "sent": 10, "answered": 3, "unanswered": 7, "pending": 0, "bounced": 0,
    }  # fmt: skip
    assert row["settled_rate"] == pytest.approx(0.3)
    assert row["ci_low"] < 0.3 < row["ci_high"]
    assert row["median_hours_to_reply"] == 5.0
    assert row["live_14d_rate"] is None and row["small_sample"] is True


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("all", {"Everyone": 13}),
        ("template", {"First touch": 10, "No template": 3}),
        ("sequence", {"Not in a sequence": 13}),
        ("step", {}),
        ("circle", {"Backend": 10, "No circle": 3}),
        ("source", {"Sourced": 10, "Referral": 3}),
        ("industry", {"No industry": 13}),
    ],
)
def test_it_groups_by_each_dimension(acme, data, group_by, expected):
    response = acme.client.get(RATES, {"group_by": group_by, "from": data["from"], "to": data["to"].isoformat()})
    assert {label: row["sent"] for label, row in rows_by_label(response).items()} == expected
    body = response.json()
    assert (body["group_by"], body["from"], body["window_days"], body["recruiter"]) == (
        group_by, data["from"], 30, None,
    )  # fmt: skip


def test_the_window_changes_what_is_settled(acme, data):
    rows = rows_by_label(acme.client.get(RATES, {"group_by": "all", "window_days": 1}))
    # The answers after 50 hours fall outside a one-day window.
    assert (rows["Everyone"]["answered"], rows["Everyone"]["unanswered"]) == (3, 9)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"group_by": "colour"}, "group_by", 'Unknown group_by "colour"'),
        ({"window_days": 0}, "window_days", "The response window is 1 to 365 days."),
        ({"window_days": 366}, "window_days", "The response window is 1 to 365 days."),
        ({"window_days": "soon"}, "window_days", "A valid integer is required."),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "from", "The start date is after the end date."),
        ({"from": "2026-03-01"}, "to", "Give an end date (to)."),
        ({"to": "2026-03-01"}, "from", "Give a start date (from)."),
        ({"from": "01/03/2026", "to": "2026-03-05"}, "from", "Date has wrong format."),
        ({"from": "0001-01-01", "to": "9999-12-31"}, "from", "Give a date in the years 2000 to 2100."),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to", "Give a date in the years 2000 to 2100."),
        ({"from": "2000-01-01", "to": "2100-12-31"}, "to", "The range is at most 5 years (1,827 days)"),
        ({"from": "2020-01-01", "to": "2025-01-03"}, "to", "The range is at most 5 years"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(acme, data, query, field, message):
    response = acme.client.get(RATES, query)
    assert response.status_code == 400
    assert any(message in text for text in response.json()[field])


def test_the_funnel_rejects_bad_ranges_too(acme):
    response = acme.client.get(FUNNEL, {"from": "2026-03-10", "to": "2026-03-01"})
    assert response.status_code == 400
    assert response.json() == {"from": ["The start date is after the end date."]}


def test_the_funnel_bounds_its_dates_too(acme):
    response = acme.client.get(FUNNEL, {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 400
    assert response.json() == {"from": ["Give a date in the years 2000 to 2100."]}
    assert acme.client.get(FUNNEL, {"from": "2020-01-01", "to": "2024-12-31"}).status_code == 200


def test_the_funnel_lists_the_stages_in_order(acme, data):
    response = acme.client.get(FUNNEL, {"from": data["from"], "to": data["to"].isoformat()})
    assert response.status_code == 200
    stages = response.json()["stages"]
    assert [s["stage"] for s in stages] == ["contacted", "engaged", "interested", "applied", "hired"]
    assert set(stages[0]) == {"stage", "label", "count", "conversion_from_previous", "median_hours_in_stage"}


def test_it_reads_only_the_callers_organisation(acme, globex, data):
    outreach(globex.org, day=today_utc() - timedelta(days=60), recruiter=globex.user, count=50)
    rows = rows_by_label(globex.client.get(RATES, {"group_by": "all"}))
    assert rows["Everyone"]["sent"] == 50
    rows = rows_by_label(acme.client.get(RATES, {"group_by": "all"}))
    assert rows["Everyone"]["sent"] == 13


def test_another_organisations_recruiter_is_404(acme, globex, data):
    assert acme.client.get(RATES, {"recruiter": globex.user.pk}).status_code == 404
    assert acme.client.get(FUNNEL, {"recruiter": globex.user.pk}).status_code == 404


def test_naming_another_organisation_is_404(acme, globex, data):
    assert acme.client.get(RATES, {"org": globex.org.slug}).status_code == 404


def test_a_token_reads_its_own_organisation(acme, data):
    key = api_token_create(membership=acme.membership, name="stats").key
    response = Client().get(RATES, {"group_by": "all"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert rows_by_label(response)["Everyone"]["sent"] == 13


def test_anonymous_callers_are_refused(client, data):
    assert client.get(RATES).status_code in (401, 403)


def test_a_recruiter_sees_everyone_when_the_organisation_shares(acme, rita, data, monkeypatch):
    share_team(acme.org, True, monkeypatch)
    assert len(rows_by_label(rita.client.get(RATES, {"group_by": "recruiter"}))) == 2
    rows = rows_by_label(rita.client.get(RATES, {"group_by": "all", "recruiter": acme.user.pk}))
    assert rows["Everyone"]["sent"] == 3


def test_a_recruiter_sees_only_their_own_figures_otherwise(acme, rita, data, monkeypatch):
    share_team(acme.org, False, monkeypatch)
    response = rita.client.get(RATES, {"group_by": "recruiter"})
    assert list(rows_by_label(response)) == ["Rita Recruiter"]
    assert response.json()["recruiter"] == rita.pk
    assert rows_by_label(rita.client.get(RATES, {"group_by": "source"})).keys() == {"Sourced"}
    assert rita.client.get(RATES, {"recruiter": acme.user.pk}).status_code == 404
    assert rita.client.get(FUNNEL, {"recruiter": acme.user.pk}).status_code == 404
    # Admins still see everyone.
    assert len(rows_by_label(acme.client.get(RATES, {"group_by": "recruiter"}))) == 2


def test_the_schema_documents_both_endpoints(acme):
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    assert "/api/v1/stats/response-rate/" in schema["paths"]
    assert "/api/v1/stats/funnel/" in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/stats/response-rate/"]["get"]["parameters"]}
    assert {"group_by", "from", "to", "window_days", "recruiter"} <= names
