"""How the dashboard shows a figure: percentages, a chart's columns and table, and its SVG drawing.

The charts are drawn on the server (engagement/analytics/svg.py) into the page; each has a table with
the same figures (the accessible version) and downloads as CSV and SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engagement.analytics import metric as analytics
from engagement.analytics import svg
from engagement.analytics.metric import GUARD_THRESHOLD

THRESHOLD_PERCENT = round(GUARD_THRESHOLD * 100)
# Comparison charts draw the groups with the most outreach; their tables list every group.
CHART_GROUPS = 15
# Ranges up to this many days are drawn per day, longer ones per week.
DAILY_UP_TO_DAYS = 31

COLOURS = {"answered": "#1a7f37", "unanswered": "#cf222e", "pending": "#bf8700", "bounced": "#6e7781"}


# --- Formatting -------------------------------------------------------------------------------


def percent(value: float | None) -> float | None:
    """A rate as a percentage with one decimal (what tables, CSV files and charts show)."""
    return None if value is None else round(value * 100, 1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = True


@dataclass
class Chart:
    """One chart with the table that says the same and the columns of its CSV file."""

    name: str
    title: str
    description: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    svg: str = ""
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def table(self) -> list[list[str]]:
        return [[_cell(row.get(column.key)) for column in self.columns] for row in self.rows]


RATE_COLUMNS = [
    Column("label", "Group", numeric=False),
    Column("sent", "Sent"),
    Column("answered", "Answered"),
    Column("unanswered", "Unanswered"),
    Column("pending", "Pending"),
    Column("bounced", "Bounced"),
    Column("settled_rate", "Settled rate (%)"),
    Column("ci_low", "95% CI low (%)"),
    Column("ci_high", "95% CI high (%)"),
    Column("live_14d_rate", "Live 14-day rate (%)"),
    Column("live_14d_sent", "Sent in 14 days"),
    Column("median_hours_to_reply", "Median hours to reply"),
    Column("interested_rate", "Interested (%)"),
    Column("unsubscribe_rate", "Unsubscribed (%)"),
]


def _rate_row(row: analytics.RateRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "sent": row.sent,
        "answered": row.answered,
        "unanswered": row.unanswered,
        "pending": row.pending,
        "bounced": row.bounced,
        "settled_rate": percent(row.settled_rate),
        "ci_low": percent(row.ci_low),
        "ci_high": percent(row.ci_high),
        "live_14d_rate": percent(row.live_14d_rate),
        "live_14d_sent": row.live_14d_sent,
        "small_sample": row.small_sample,
        "settled": row.answered + row.unanswered,
        "too_few": too_few_to_judge(row.answered + row.unanswered),
        "median_hours_to_reply": row.median_hours_to_reply,
        "interested_rate": percent(row.interested_rate),
        "unsubscribe_rate": percent(row.unsubscribe_rate),
    }


# --- Charts (server-side SVG, engagement/analytics/svg.py) ---------------------------------------

# A rate from fewer settled outreach than this is drawn grey, "too few to judge": 1 answer of 1 is 100%.
MIN_TO_JUDGE = 10


def too_few_to_judge(settled: int) -> bool:
    """Whether a rate rests on too few settled outreach (answered + unanswered) to compare it."""
    return settled < MIN_TO_JUDGE


def rate_caption(rate: float | None, low: float | None, high: float | None, settled: int) -> str:
    """The words beside a rate: "42.0% · n=12 · 95% CI 20.1 to 65.3%", or "too few to judge" under MIN_TO_JUDGE."""
    if rate is None:
        return "nothing settled yet"
    if too_few_to_judge(settled):
        return f"{rate:.1f}% · n={settled:,} · too few to judge"
    interval = "" if low is None or high is None else f" · 95% CI {low:.1f} to {high:.1f}%"
    return f"{rate:.1f}% · n={settled:,}{interval}"


def _settled(row: dict) -> int:
    return row["answered"] + row["unanswered"]


def _axis_top(rows: list[dict], rate_key: str = "settled_rate") -> float:
    """What a rate axis must reach: every rate, the judged intervals and the 13% line."""
    values = [THRESHOLD_PERCENT, *(row[rate_key] for row in rows if row[rate_key] is not None)]
    values += [row["ci_high"] for row in rows if row["ci_high"] is not None and not too_few_to_judge(_settled(row))]
    return max(values)


def comparison_svg(rows: list[dict], *, chart_id: str, title: str, description: str) -> str:
    """Settled rate per group as bars with 95% intervals and n; groups under MIN_TO_JUDGE are greyed."""
    drawn = [row for row in rows if row["settled_rate"] is not None][:CHART_GROUPS]
    bars = [
        svg.Bar(
            label=row["label"],
            value=row["settled_rate"],
            low=row["ci_low"],
            high=row["ci_high"],
            greyed=too_few_to_judge(_settled(row)),
            caption=rate_caption(row["settled_rate"], row["ci_low"], row["ci_high"], _settled(row)),
        )
        for row in drawn
    ]
    ticks = svg.percent_ticks(_axis_top(drawn))
    return svg.horizontal_bars(
        bars, chart_id=chart_id, title=title, description=description, ticks=ticks, unit="%",
        threshold=THRESHOLD_PERCENT,
    )  # fmt: skip


def period_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def over_time_svg(rows: list[dict], *, chart_id: str, title: str, description: str) -> str:
    points = [
        svg.Point(
            label=period_label(row["period_start"]),
            value=row["settled_rate"],
            low=row["ci_low"],
            high=row["ci_high"],
            greyed=too_few_to_judge(_settled(row)),
            caption=f"{rate_caption(row['settled_rate'], row['ci_low'], row['ci_high'], _settled(row))}, "
            f"{row['sent']:,} sent",
        )
        for row in rows
    ]
    return svg.rate_points(points, chart_id=chart_id, title=title, description=description, threshold=THRESHOLD_PERCENT)


def outcomes_svg(rows: list[dict], *, chart_id: str, title: str, description: str) -> str:
    stacks = [
        svg.Stack(label=period_label(row["period_start"]), parts=tuple((name, row[name]) for name in COLOURS))
        for row in rows
    ]
    return svg.stacked_columns(stacks, chart_id=chart_id, title=title, description=description, colours=COLOURS)


def counts_svg(rows: list[dict], captions: list[str], *, chart_id: str, title: str, description: str) -> str:
    """Counts as bars (reply times, the funnel) against whole-number ticks."""
    bars = [
        svg.Bar(label=row["label"], value=row["count"], caption=text) for row, text in zip(rows, captions, strict=True)
    ]
    ticks = svg.count_ticks(max([row["count"] for row in rows] or [0]))
    return svg.horizontal_bars(bars, chart_id=chart_id, title=title, description=description, ticks=ticks)
