"""The dashboard's charts, drawn on the server: honest intervals, greyed small samples, whole-number axes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from engagement.analytics import svg
from engagement.analytics.figures import (
    MIN_TO_JUDGE,
    comparison_svg,
    counts_svg,
    outcomes_svg,
    over_time_svg,
    rate_caption,
    too_few_to_judge,
)
from engagement.analytics.metric import wilson_interval
from tests.engagement.test_analytics_views import rita, scenario, url  # noqa: F401 (fixtures)

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(svg.standalone(markup))  # noqa: S314 (our own output)


def rate_row(label: str, *, answered: int, unanswered: int) -> dict:
    settled = answered + unanswered
    low, high = wilson_interval(answered, settled)
    return {
        "label": label,
        "answered": answered,
        "unanswered": unanswered,
        "settled_rate": round(100 * answered / settled, 1),
        "ci_low": round(100 * low, 1) if low is not None else None,
        "ci_high": round(100 * high, 1) if high is not None else None,
    }


# --- Wilson score interval ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "total", "expected"),
    [
        (1, 1, (0.2065, 1.0)),  # one answer of one: 100%, but the truth may be as low as 21%
        (0, 10, (0.0, 0.2775)),
        (5, 10, (0.2366, 0.7634)),
        (13, 100, (0.0776, 0.2098)),
        (130, 1000, (0.1106, 0.1523)),
    ],
)
def test_the_wilson_interval_matches_published_values(successes, total, expected):
    low, high = wilson_interval(successes, total)
    assert (round(low, 4), round(high, 4)) == expected


def test_the_wilson_interval_of_nothing_is_unknown():
    assert wilson_interval(0, 0) == (None, None)


def test_the_wilson_interval_narrows_as_the_sample_grows_and_holds_the_rate():
    widths = []
    for total in (10, 100, 1000, 10000):
        low, high = wilson_interval(total // 5, total)
        assert low < 0.2 < high
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True)


# --- Too few to judge -----------------------------------------------------------------------------


def test_a_rate_on_fewer_than_ten_settled_is_too_few_to_judge():
    assert MIN_TO_JUDGE == 10
    assert too_few_to_judge(9)
    assert not too_few_to_judge(10)
    assert rate_caption(100.0, 20.7, 100.0, 1) == "100.0% · n=1 · too few to judge"
    assert rate_caption(50.0, 23.7, 76.3, 10) == "50.0% · n=10 · 95% CI 23.7 to 76.3%"
    assert rate_caption(None, None, None, 0) == "nothing settled yet"


def bars_of(markup: str) -> dict[str, str]:
    """Each bar's caption and its fill."""
    root = parse(markup)
    fills = {}
    for group in root.iter(f"{SVG_NS}g"):
        rect = group.find(f"{SVG_NS}rect")
        fills[group.findtext(f"{SVG_NS}title")] = rect.get("fill") if rect is not None else None
    return fills


def test_a_bar_under_ten_settled_is_greyed_and_says_so():
    rows = [rate_row("Nine", answered=9, unanswered=0), rate_row("Ten", answered=1, unanswered=9)]
    fills = bars_of(comparison_svg(rows, chart_id="t", title="Templates", description="d"))
    assert fills == {
        "Nine · 100.0% · n=9 · too few to judge": svg.FEW_FILL,
        "Ten · 10.0% · n=10 · 95% CI 1.8 to 40.4%": svg.BRAND,
    }


def test_a_period_under_ten_settled_is_drawn_hollow():
    rows = [
        {"period_start": date(2026, 10, 5), "sent": 3, **rate_row("", answered=1, unanswered=2)},
        {"period_start": date(2026, 10, 12), "sent": 12, **rate_row("", answered=3, unanswered=9)},
    ]
    root = parse(over_time_svg(rows, chart_id="t", title="Over time", description="d"))
    circles = [c.get("fill") for c in root.iter(f"{SVG_NS}circle")]
    assert circles == ["#ffffff", svg.BRAND]
    titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert "5 Oct: 33.3% · n=3 · too few to judge, 3 sent" in titles


# --- Axes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10.81, [0, 5, 10, 15]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_count_axes_have_whole_number_ticks(largest, ticks):
    assert svg.count_ticks(largest) == ticks


def test_count_ticks_always_cover_the_largest_value_in_at_most_five_steps():
    for largest in [0.5, *range(1, 2000, 7)]:
        ticks = svg.count_ticks(largest)
        assert ticks[0] == 0
        assert ticks[-1] >= largest
        assert len(ticks) <= 6
        assert all(isinstance(tick, int) for tick in ticks)


def tick_labels(markup: str) -> list[str]:
    root = parse(markup)
    texts = [t.text or "" for t in root.iter(f"{SVG_NS}text") if t.get("font-size") == "11"]
    return [text for text in texts if re.fullmatch(r"[\d,]+", text)]


def test_one_message_is_not_drawn_on_a_fractional_axis():
    rows = [{"period_start": date(2026, 10, 5), "answered": 1, "unanswered": 0, "pending": 0, "bounced": 0}]
    assert tick_labels(outcomes_svg(rows, chart_id="t", title="Outcomes", description="d")) == ["0", "1"]
    counts = [{"label": "Within 1 hour", "count": 11}, {"label": "1-4 hours", "count": 0}]
    assert tick_labels(counts_svg(counts, ["11 (100%)", "0 (0%)"], chart_id="t", title="Replies", description="d")) == [
        "0", "5", "10", "15",
    ]  # fmt: skip


def test_a_rate_axis_reaches_the_threshold_and_every_judged_interval():
    assert svg.percent_ticks(13) == [0, 5, 10, 15, 20]
    assert svg.percent_ticks(35.7) == [0, 10, 20, 30, 40]
    assert svg.percent_ticks(100) == [0, 25, 50, 75, 100]


# --- Accessible, inert, well-formed ------------------------------------------------------------


def test_a_chart_is_one_named_image_with_nothing_focusable_inside():
    rows = [rate_row("First touch", answered=4, unanswered=7)]
    markup = comparison_svg(rows, chart_id="templates-svg", title="Templates", description="Settled rate per template")
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "templates-svg-title templates-svg-desc"
    assert root.findtext(f"{SVG_NS}title") == "Templates"
    assert root.findtext(f"{SVG_NS}desc") == "Settled rate per template"
    interactive = (f"{SVG_NS}a", f"{SVG_NS}foreignObject")
    assert not [el for el in root.iter() if el.tag in interactive or "tabindex" in el.attrib]
    assert "style=" not in markup  # the Content-Security-Policy refuses style attributes


def test_labels_are_escaped():
    rows = [rate_row('<script>alert("x")</script>', answered=4, unanswered=7)]
    markup = comparison_svg(rows, chart_id="t", title="T", description="d")
    assert "<script>" not in markup
    parse(markup)  # still well-formed


def test_a_chart_downloads_as_an_svg_file(acme, scenario):  # noqa: F811
    response = acme.client.get(url(acme), {"format": "svg", "chart": "templates"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-templates-')
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.get("width") == "800"
    assert "First touch · 36.4% · n=11 · 95% CI 15.2 to 64.6%" in response.content.decode()


def test_an_svg_download_is_404_to_another_organisation(acme, globex, scenario):  # noqa: F811
    assert globex.client.get(url(acme), {"format": "svg", "chart": "templates"}).status_code == 404
