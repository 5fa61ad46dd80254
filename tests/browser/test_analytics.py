"""The analytics dashboard in a real browser: charts drawn on the server, light to load, a new date range, a chart's
CSV and SVG files."""

from __future__ import annotations

import csv
from datetime import timedelta

from playwright.sync_api import expect

from engagement.analytics.forms import today_utc
from engagement.analytics.models import ResponseOutreach
from talentcircles.models import Organization
from tests.engagement.analytics_ui_support import outreach
from tests.factories import MessageTemplateFactory

# Everything the page loads from a cold cache, as the test server sends it: uncompressed, about 430 KB,
# mostly Bootstrap's CSS and JS and htmx (`make run` and production send them gzipped: about 135 KB).
# With plotly.js the page was 5.2 MB.
PAGE_BYTES_BOUND = 500_000


def transferred_bytes(responses) -> int:
    """Bytes on the wire (headers and body, as sent) of every response the page received."""
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    return total


def test_the_dashboard_draws_charts_filters_by_date_and_downloads_a_csv(live_server, page, sign_in, artifact):
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
    # A cold cache: signing in already fetched the shared CSS and scripts.
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_server.url}/o/demo/analytics/", wait_until="load")
    expect(page.get_by_role("heading", name="Response rates and engagement")).to_be_visible()
    # The charts arrive drawn (inline SVG, no chart library, nothing for the CSP to refuse), each an
    # image named by its title, with the table one click away.
    expect(page.get_by_role("img", name="Response rate over time")).to_be_visible()
    expect(page.get_by_role("img", name="Templates")).to_be_visible()
    templates = page.locator('.tc-chart[data-chart="templates"] svg')
    expect(templates).to_contain_text("Browser first touch · 27.3% · n=22 · 95% CI 13.2 to 48.2%")
    expect(templates).to_contain_text("too few to judge")  # the demo's own conversation: n=1
    expect(page.locator('details[data-table-for="templates"]')).not_to_have_attribute("open", "")
    scripts = [r.url for r in responses if r.request.resource_type == "script"]
    assert not [url for url in scripts if "plotly" in url or "analytics" in url], scripts
    total = transferred_bytes(responses)
    assert total < PAGE_BYTES_BOUND, f"{total:,} bytes"
    # The live and the settled rate explain themselves.
    page.get_by_text("Why the live and the settled rate differ").click()
    expect(page.locator("#rates-explained")).to_contain_text("Answers so far")
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

    # And its drawing as an SVG file.
    with page.expect_download() as info:
        page.locator('#chart-templates a[data-svg="templates"]').click()
    with open(info.value.path(), encoding="utf-8") as handle:
        drawing = handle.read()
    assert "<title" in drawing and "Browser first touch" in drawing
