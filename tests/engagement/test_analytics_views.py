"""The analytics dashboard and the home card: charts with tables, filters, CSV files, roles, tenancy."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from engagement.analytics.dashboard import CHART_NAMES
from engagement.analytics.forms import today_utc
from engagement.analytics.models import RecruiterGuard
from engagement.analytics.views import register_home_cards
from talentcircles.models import Organization
from tests.engagement.analytics_ui_support import outreach
from tests.factories import MembershipFactory, MessageTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db


def share_team(org: Organization, value: bool, monkeypatch) -> None:
    """Set the organisation's `share_team_analytics` (a field once the settings have it)."""
    if any(f.name == "share_team_analytics" for f in Organization._meta.get_fields()):
        Organization.objects.filter(pk=org.pk).update(share_team_analytics=value)
    else:
        monkeypatch.setattr(Organization, "share_team_analytics", value, raising=False)


@pytest.fixture
def rita(acme):
    """A recruiter colleague in Acme, signed in on her own client."""
    user = UserFactory(email="rita@example.com", first_name="Rita", last_name="Recruiter")
    MembershipFactory(user=user, organization=acme.org, role="recruiter")
    client = Client()
    client.force_login(user)
    user.client = client
    return user


@pytest.fixture
def scenario(acme, rita):
    """Settled outreach 60 days ago for two recruiters and templates, pending outreach two days ago.

    In the default range (the last 90 days): 20 sent, 1 bounced, 5 answered, 9 unanswered, 5 pending:
    settled rate 5 / 14 = 35.7%.
    """
    today = today_utc()
    first = MessageTemplateFactory(organization=acme.org, owner=rita, name="First touch")
    nudge = MessageTemplateFactory(organization=acme.org, owner=acme.user, name="Gentle nudge")
    old, recent = today - timedelta(days=60), today - timedelta(days=2)
    outreach(acme.org, day=old, recruiter=rita, template=first, count=3, answered_after_hours=5)
    outreach(acme.org, day=old, recruiter=rita, template=first, count=7)
    outreach(acme.org, day=old, recruiter=acme.user, template=nudge, count=1, answered_after_hours=30)
    outreach(acme.org, day=old, recruiter=acme.user, template=nudge, count=1, bounced=True)
    outreach(acme.org, day=old, recruiter=acme.user, template=nudge, count=2)
    outreach(acme.org, day=recent, recruiter=rita, template=first, count=5)
    outreach(acme.org, day=recent, recruiter=rita, template=first, count=1, answered_after_hours=2)
    return {"first": first, "nudge": nudge, "old": old, "recent": recent}


def url(tenant) -> str:
    return f"/o/{tenant.org.slug}/analytics/"


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_shows_every_chart_with_its_table_and_the_headline_figures(acme, scenario):
    response = acme.client.get(url(acme))
    assert response.status_code == 200
    charts = {chart.name: chart for chart in response.context["charts"]}
    assert tuple(charts) == CHART_NAMES
    totals = response.context["totals"]
    assert (totals["sent"], totals["answered"], totals["unanswered"], totals["pending"], totals["bounced"]) == (
        20, 5, 9, 5, 1,
    )  # fmt: skip
    assert totals["settled_rate"] == 35.7
    html = response.content.decode()
    for name in ("rate_over_time", "outcomes", "leaderboard", "templates", "reply_times", "sources"):
        assert f'data-chart="{name}"' in html
        assert f"chart={name}" in html  # its CSV link
    # Drawn on the server: no chart library, no script of the page's own.
    assert "plotly" not in html
    assert "analytics.js" not in html
    # The comparison charts show n and the Wilson interval, and the 13% line.
    templates_svg = charts["templates"].svg
    assert 'role="img"' in templates_svg
    assert "First touch · 36.4% · n=11 · 95% CI 15.2 to 64.6%" in templates_svg
    assert "13% line" in templates_svg


def test_the_leaderboard_ranks_recruiters_by_settled_rate(acme, rita, scenario):
    charts = {chart.name: chart for chart in acme.client.get(url(acme)).context["charts"]}
    board = charts["leaderboard"].rows
    assert [row["label"] for row in board] == ["Rita Recruiter", acme.user.get_full_name() or acme.user.email]
    assert [(row["settled_rate"], row["sent"], row["pending"]) for row in board] == [(36.4, 16, 5), (33.3, 4, 0)]
    assert board[0]["ci_low"] < 36.4 < board[0]["ci_high"]


def test_a_chart_downloads_as_csv_with_its_table(acme, scenario):
    response = acme.client.get(url(acme), {"format": "csv", "chart": "templates"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:7] == ["Template", "Sent", "Answered", "Unanswered", "Pending", "Bounced", "Settled rate (%)"]
    assert rows[1][:7] == ["First touch", "16", "4", "7", "5", "0", "36.4"]
    assert rows[2][:7] == ["Gentle nudge", "4", "1", "2", "0", "1", "33.3"]
    assert len(rows) == 3


def test_every_chart_has_a_csv_download(acme, scenario):
    for name in CHART_NAMES:
        response = acme.client.get(url(acme), {"format": "csv", "chart": name})
        assert response.status_code == 200, name
        assert len(csv_rows(response)) >= 1


def test_the_csv_follows_the_filters(acme, scenario):
    today = today_utc()
    query = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat(), "format": "csv"}
    rows = csv_rows(acme.client.get(url(acme), {**query, "chart": "leaderboard"}))
    assert [row[:5] for row in rows[1:]] == [["Rita Recruiter", "6", "1", "0", "5"]]
    assert (
        f"-{query['from']}-{query['to']}.csv"
        in acme.client.get(url(acme), {**query, "chart": "outcomes"})["Content-Disposition"]
    )


def test_the_date_range_filter_narrows_every_figure(acme, scenario):
    today = today_utc()
    response = acme.client.get(url(acme), {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["sent"], totals["answered"], totals["pending"]) == (6, 1, 5)
    # A short range is drawn per day.
    periods = next(c for c in response.context["charts"] if c.name == "rate_over_time").rows
    assert len(periods) == 8


def test_the_recruiter_filter_shows_one_recruiters_figures(acme, rita, scenario):
    response = acme.client.get(url(acme), {"recruiter": rita.pk})
    assert response.context["totals"]["sent"] == 16
    assert response.context["filters"].recruiter_id == rita.pk


def test_the_90_day_window_settles_fewer_outreach(acme, scenario):
    response = acme.client.get(url(acme), {"window_days": 90})
    totals = response.context["totals"]
    # Nothing from 60 days ago has passed a 90-day window: the unanswered are pending, the answered settle.
    assert (totals["unanswered"], totals["pending"], totals["settled_rate"]) == (0, 14, 100.0)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "from", "The start date is after the end date."),
        ({"from": "2026-03-01"}, "to", "Give an end date (to)."),
        ({"to": "2026-03-01"}, "from", "Give a start date (from)."),
        ({"from": "yesterday", "to": "2026-03-01"}, "from", "Enter a valid date."),
        ({"window_days": "0"}, "window_days", "Select a valid choice."),
        ({"window_days": "400"}, "window_days", "Select a valid choice."),
        ({"from": "0001-01-01", "to": "9999-12-31"}, "from", "Give a date in the years 2000 to 2100."),
        ({"from": "2001-01-01", "to": "2100-12-31"}, "to", "The range is at most 5 years"),
    ],
)
def test_bad_filters_answer_400_with_the_message_next_to_the_field(acme, scenario, query, field, message):
    response = acme.client.get(url(acme), query)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()


def test_a_csv_download_with_an_unbounded_range_is_400(acme, scenario):
    response = acme.client.get(
        url(acme), {"format": "csv", "chart": "funnel", "from": "0001-01-01", "to": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "Give a date in the years 2000 to 2100." in response.content.decode()


def test_an_unknown_chart_csv_is_400(acme, scenario):
    response = acme.client.get(url(acme), {"format": "csv", "chart": "pie"})
    assert response.status_code == 400
    assert "Unknown chart" in response.content.decode()


def test_it_shows_an_empty_state_before_any_outreach(acme):
    response = acme.client.get(url(acme))
    assert response.status_code == 200
    assert 'id="analytics-empty"' in response.content.decode()
    assert response.context["charts"] == []


def test_a_range_without_outreach_says_so_on_each_chart(acme, scenario):
    response = acme.client.get(url(acme), {"from": "2020-01-01", "to": "2020-01-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart-empty="templates"' in html
    assert 'id="analytics-empty"' not in html


def test_the_page_runs_a_fixed_number_of_queries(acme, rita, scenario, django_assert_max_num_queries):
    with django_assert_max_num_queries(22) as few:
        assert acme.client.get(url(acme)).status_code == 200
    rollup_reads = [q["sql"] for q in few.captured_queries if "engagement_responsestat" in q["sql"]]
    # Every compared cut in one read and their live rates in one more; the time charts and the headline
    # live rate read "all" (before: a read and a live read per cut).
    assert len(rollup_reads) <= 6, rollup_reads
    # Ten times as many templates, recruiters and days: the same number of queries.
    today = today_utc()
    for index in range(10):
        colleague = MembershipFactory(organization=acme.org).user
        template = MessageTemplateFactory(organization=acme.org, owner=colleague, name=f"T{index}")
        outreach(acme.org, day=today - timedelta(days=40 + index), recruiter=colleague, template=template, count=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert acme.client.get(url(acme)).status_code == 200


def test_it_answers_404_to_members_of_another_organisation(acme, globex, scenario):
    assert globex.client.get(url(acme)).status_code == 404
    assert globex.client.get(url(acme), {"format": "csv", "chart": "templates"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, acme):
    response = client.get(url(acme))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_recruiter_sees_the_team_when_the_organisation_shares_it(acme, rita, scenario, monkeypatch):
    share_team(acme.org, True, monkeypatch)
    response = rita.client.get(url(acme))
    assert response.context["totals"]["sent"] == 20
    assert len(next(c for c in response.context["charts"] if c.name == "leaderboard").rows) == 2


def test_a_recruiter_sees_only_their_own_figures_otherwise(acme, rita, scenario, monkeypatch):
    share_team(acme.org, False, monkeypatch)
    response = rita.client.get(url(acme), {"recruiter": acme.user.pk})  # asking for a colleague changes nothing
    assert response.status_code == 200
    assert response.context["totals"]["sent"] == 16
    board = next(c for c in response.context["charts"] if c.name == "leaderboard")
    assert [row["label"] for row in board.rows] == ["Rita Recruiter"]
    assert "shares only your own figures" in response.content.decode()
    rows = csv_rows(rita.client.get(url(acme), {"format": "csv", "chart": "leaderboard", "recruiter": acme.user.pk}))
    assert [row[0] for row in rows[1:]] == ["Rita Recruiter"]
    # Admins still see everyone.
    assert acme.client.get(url(acme)).context["totals"]["sent"] == 20


def test_the_guard_banner_shows_the_warning_and_its_reasons(acme, rita, scenario):
    now = timezone.now()
    RecruiterGuard.objects.create(
        organization=acme.org,
        recruiter=rita,
        state=RecruiterGuard.State.WARNING,
        warned_at=now,
        last_rate=0.08,
        reasons=["Low personalisation scores: 30 of 120 messages scored under 40."],
    )
    html = rita.client.get(url(acme)).content.decode()
    assert 'id="guard-banner"' in html
    assert "Low personalisation scores" in html
    # Admins see who is warned.
    admin_html = acme.client.get(url(acme)).content.decode()
    assert 'id="team-guards"' in admin_html and "Rita Recruiter" in admin_html


def test_an_improvement_period_banner_says_sends_are_paused(acme, rita, scenario):
    now = timezone.now()
    RecruiterGuard.objects.create(
        organization=acme.org,
        recruiter=rita,
        state=RecruiterGuard.State.IMPROVEMENT,
        warned_at=now - timedelta(days=7),
        period_started_at=now,
        period_ends_at=now + timedelta(days=14),
    )
    html = rita.client.get(url(acme)).content.decode()
    assert 'data-guard-state="improvement"' in html
    assert "paused until" in html


# --- The home card -------------------------------------------------------------------------------


@pytest.fixture
def home_card():
    # Registered at start-up (EngagementConfig.ready) and left registered: removing it afterwards took the
    # card off the home page for every later test (tests/talentcircles/test_home_costs.py counts its queries).
    register_home_cards()


def test_the_home_card_says_small_sample_under_100_sends(acme, rita, scenario, home_card):
    response = rita.client.get(f"/o/{acme.org.slug}/")
    html = response.content.decode()
    assert 'id="rate-card"' in html
    assert "Small sample" in html
    assert "1 answered of 6 sent" in html


def test_the_home_card_compares_the_live_rate_with_13_percent(acme, rita, home_card):
    today = today_utc()
    outreach(acme.org, day=today - timedelta(days=3), recruiter=rita, count=110)
    outreach(acme.org, day=today - timedelta(days=3), recruiter=rita, count=10, answered_after_hours=3)
    html = rita.client.get(f"/o/{acme.org.slug}/").content.decode()
    assert "8.3%" in html
    assert "Under the 13% line." in html


def test_the_home_card_shows_the_guard_banner(acme, rita, home_card):
    RecruiterGuard.objects.create(
        organization=acme.org, recruiter=rita, state=RecruiterGuard.State.WARNING, warned_at=timezone.now(),
        reasons=["Mass-identical bodies: 80 messages shared one text."],
    )  # fmt: skip
    html = rita.client.get(f"/o/{acme.org.slug}/").content.decode()
    assert 'id="guard-banner"' in html and "Mass-identical bodies" in html


def test_the_home_page_keeps_a_fixed_number_of_queries_with_the_card(acme, home_card, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):  # 12, and one for the getting-started checklist
        assert acme.client.get(f"/o/{acme.org.slug}/").status_code == 200
