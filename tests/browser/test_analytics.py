"""The analytics dashboard in a real browser: charts drawn by plotly.js, a new date range, a chart's CSV."""

from __future__ import annotations

import csv
import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engagement.analytics.forms import today_utc
from engagement.analytics.models import ResponseOutreach
from talentcircles.models import Organization
from tests.engagement.analytics_ui_support import outreach
from tests.factories import MessageTemplateFactory


@pytest.fixture
def plotly_static(settings):
    """plotly.js from the pip-installed plotly package, as talentcircles/settings.py serves it."""
    spec = importlib.util.find_spec("plotly")
    assert spec and spec.submodule_search_locations, "pip install plotly (requirements.txt)"
    folder = Path(next(iter(spec.submodule_search_locations))) / "package_data"
    dirs = list(settings.STATICFILES_DIRS)
    if not any(isinstance(entry, tuple) and entry[0] == "plotly" for entry in dirs):
        settings.STATICFILES_DIRS = [*dirs, ("plotly", str(folder))]


def test_the_dashboard_draws_charts_filters_by_date_and_downloads_a_csv(
    live_server, page, sign_in, plotly_static, artifact
):
    org = Organization.objects.get(slug="demo")
    recruiter = org.memberships.get(user__email="recruiter@demo.talentcircles.test").user
    template = MessageTemplateFactory(organization=org, owner=recruiter, name="Browser first touch")
    today = today_utc()

    def seeded(days: int) -> int:
        """The demo's own outreach (120 days of it, from seed_demo) in the last `days` days."""
        return ResponseOutreach.objects.filter(organization=org, day__gte=today - timedelta(days=days - 1)).count()

    seeded_90_days, seeded_7_days = seeded(90), seeded(7)  # the dashboard's default range, then the last week

    old, recent = today - timedelta(days=60), today - timedelta(days=3)
    outreach(org, day=old, recruiter=recruiter, template=template, count=4, answered_after_hours=6)
    outreach(org, day=old, recruiter=recruiter, template=template, count=16)
    outreach(org, day=recent, recruiter=recruiter, template=template, count=2, answered_after_hours=1)
    outreach(org, day=recent, recruiter=recruiter, template=template, count=5)

    sign_in()
    page.goto(f"{live_server.url}/o/demo/analytics/")
    expect(page.get_by_role("heading", name="Response rates and engagement")).to_be_visible()
    # plotly.js drew the charts (served from the pip package, no CDN); their tables fold away.
    expect(page.locator('.tc-chart[data-chart="rate_over_time"][data-drawn="true"]')).to_be_visible()
    expect(page.locator('.tc-chart[data-chart="templates"] .main-svg').first).to_be_visible()
    # Under the Content-Security-Policy plotly's CSS rules land in the page's nonce'd <style> and the
    # PNG export (the modebar's camera) still works.
    assert page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length") > 10
    png = page.evaluate("Plotly.toImage(document.querySelector('.tc-chart[data-drawn]'), {format: 'png'})")
    assert png.startswith("data:image/png;base64,")
    expect(page.locator("#figure-sent .tc-figure-value")).to_have_text(str(27 + seeded_90_days))
    page.screenshot(path=str(artifact("analytics-dashboard.png")), full_page=True)

    # The last week only.
    page.fill("#id_from", (today - timedelta(days=6)).isoformat())
    page.fill("#id_to", today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#figure-sent .tc-figure-value")).to_have_text(str(7 + seeded_7_days))
    expect(page).to_have_url(f"{live_server.url}/o/demo/analytics/?from={(today - timedelta(days=6)).isoformat()}"
                             f"&to={today.isoformat()}&window_days=30&recruiter=")  # fmt: skip

    # The templates chart's CSV carries the same filters.
    with page.expect_download() as info:
        page.locator('#chart-templates a[data-csv="templates"]').click()
    download = info.value
    assert download.suggested_filename == f"demo-templates-{(today - timedelta(days=6)).isoformat()}-{today}.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:7] == ["Template", "Sent", "Answered", "Unanswered", "Pending", "Bounced", "Settled rate (%)"]
    assert rows[1][:7] == ["Browser first touch", "7", "2", "0", "5", "0", "100.0"]
