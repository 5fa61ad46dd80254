"""The dashboard's charts: the reads each needs, done once per request (`DashboardData`), and a builder
per chart (`CHART_BUILDERS`), each giving its figure, its table and its CSV.

Every figure comes from `engagement.analytics.metric` (which reads the roll-ups only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.functional import cached_property

from engagement.analytics import metric as analytics
from engagement.analytics.figures import (
    DAILY_UP_TO_DAYS,
    MIN_TO_JUDGE,
    RATE_COLUMNS,
    THRESHOLD_PERCENT,
    Chart,
    Column,
    _rate_row,
    comparison_svg,
    counts_svg,
    outcomes_svg,
    over_time_svg,
    percent,
)
from engagement.analytics.forms import AnalyticsFilters
from talentcircles.models import Organization

# --- The reads each chart needs, done once per request ---------------------------------------


# The cuts the dashboard's charts and headline figures read.
RATE_CUTS = ("all", "recruiter", "template", "sequence", "step", "circle", "source")


class DashboardData:
    """The filters' figures, read lazily so a CSV download runs only its chart's reads."""

    def __init__(self, *, org: Organization, filters: AnalyticsFilters, now: datetime | None = None) -> None:
        self.org, self.filters, self.now = org, filters, now

    def _range(self) -> dict[str, Any]:
        f = self.filters
        return {"org": self.org, "date_from": f.date_from, "date_to": f.date_to, "recruiter_id": f.recruiter_id}

    def rates(self, group_by: str) -> list[dict[str, Any]]:
        return [_rate_row(row) for row in self._rates_by_cut[group_by]]

    @cached_property
    def _rates_by_cut(self) -> dict[str, list]:
        """Every cut the charts compare, read from the roll-ups at once (one query instead of one per chart)."""
        return analytics.response_rates_by(
            group_bys=RATE_CUTS, window_days=self.filters.window_days, now=self.now, **self._range()
        )

    @cached_property
    def totals(self) -> dict[str, Any] | None:
        rows = self.rates("all")
        return rows[0] if rows else None

    @cached_property
    def periods(self) -> list[dict[str, Any]]:
        f = self.filters
        bucket = "day" if (f.date_to - f.date_from).days < DAILY_UP_TO_DAYS else "week"
        rows = analytics.rate_over_time(window_days=f.window_days, now=self.now, bucket=bucket, **self._range())
        return [
            {
                "period_start": row.period_start,
                "sent": row.sent,
                "answered": row.answered,
                "unanswered": row.unanswered,
                "pending": row.pending,
                "bounced": row.bounced,
                "settled_rate": percent(row.settled_rate),
                "ci_low": percent(row.ci_low),
                "ci_high": percent(row.ci_high),
            }
            for row in rows
        ]


SMALL_SAMPLES = f"Grey rests on fewer than {MIN_TO_JUDGE} settled outreach: too few to judge."


def _drawn(chart: Chart, draw: Callable[..., str], *args: Any) -> Chart:
    """The chart with its SVG drawn, unless it has nothing to show."""
    if not chart.is_empty:
        chart.svg = draw(*args, chart_id=f"{chart.name}-svg", title=chart.title, description=chart.description)
    return chart


def chart_rate_over_time(data: DashboardData) -> Chart:
    rows = data.periods
    chart = Chart(
        name="rate_over_time",
        title="Response rate over time",
        description=(
            f"Settled rate of outreach first sent in each period, with its 95% interval, against the "
            f"{THRESHOLD_PERCENT}% line. {SMALL_SAMPLES}"
        ),
        columns=[
            Column("period_start", "Period starting", numeric=False),
            Column("sent", "Sent"),
            Column("answered", "Answered"),
            Column("unanswered", "Unanswered"),
            Column("pending", "Pending"),
            Column("settled_rate", "Settled rate (%)"),
            Column("ci_low", "95% CI low (%)"),
            Column("ci_high", "95% CI high (%)"),
        ],
        rows=rows if any(row["sent"] for row in rows) else [],
    )
    return _drawn(chart, over_time_svg, rows)


def chart_outcomes(data: DashboardData) -> Chart:
    rows = data.periods
    chart = Chart(
        name="outcomes",
        title="Answered, unanswered, pending",
        description=(
            f"What became of the outreach sent in each period: answered within {data.filters.window_days} days, "
            "unanswered after its window, still pending inside it, or bounced (left out of every rate)."
        ),
        columns=[
            Column("period_start", "Period starting", numeric=False),
            Column("answered", "Answered"),
            Column("unanswered", "Unanswered"),
            Column("pending", "Pending"),
            Column("bounced", "Bounced"),
        ],
        rows=rows if any(row["sent"] for row in rows) else [],
    )
    return _drawn(chart, outcomes_svg, rows)


def chart_leaderboard(data: DashboardData) -> Chart:
    rows = sorted(data.rates("recruiter"), key=lambda row: (row["settled_rate"] is None, -(row["settled_rate"] or 0)))
    chart = _comparison_from_rows(
        rows,
        name="leaderboard",
        title="Recruiters",
        header="Recruiter",
        description=(
            f"Each recruiter's settled rate with its 95% interval (n = settled outreach), best first. {SMALL_SAMPLES}"
        ),
    )
    if not data.filters.sees_team:
        chart.note = "Your organisation shares only your own figures with you."
    return chart


def _comparison_from_rows(rows: list[dict], *, name: str, title: str, header: str, description: str) -> Chart:
    chart = Chart(
        name=name,
        title=title,
        description=description,
        columns=[Column("label", header, numeric=False), *RATE_COLUMNS[1:]],
        rows=rows,
    )
    return _drawn(chart, comparison_svg, rows)


def _cut(group_by: str, *, name: str, title: str, header: str, description: str) -> Callable[[DashboardData], Chart]:
    def build(data: DashboardData) -> Chart:
        return _comparison_from_rows(
            data.rates(group_by), name=name, title=title, header=header, description=description
        )

    return build


def chart_reply_times(data: DashboardData) -> Chart:
    f = data.filters
    rows = analytics.reply_time_distribution(window_days=f.window_days, now=data.now, **data._range())
    table = [{"label": row.label, "count": row.count, "share": percent(row.share)} for row in rows]
    chart = Chart(
        name="reply_times",
        title="Time to first reply",
        description=f"How long answers within {f.window_days} days took after the first message.",
        columns=[Column("label", "Replied", numeric=False), Column("count", "Answers"), Column("share", "Share (%)")],
        rows=table if any(row["count"] for row in table) else [],
    )
    captions = [f"{row['count']:,} ({row['share'] or 0:.1f}%)" for row in table]
    return _drawn(chart, counts_svg, table, captions)


def chart_funnel(data: DashboardData) -> Chart:
    f = data.filters
    rows = analytics.stage_funnel(org=data.org, date_from=f.date_from, date_to=f.date_to, recruiter_id=f.recruiter_id)
    table = [
        {
            "stage": row.stage,
            "label": row.label,
            "count": row.count,
            "conversion": percent(row.conversion_from_previous),
            "median_hours": row.median_hours_in_stage,
        }
        for row in rows
    ]
    chart = Chart(
        name="funnel",
        title="Stage funnel",
        description="Candidates who reached each stage in the range (or a later one), and the median time spent in it.",
        columns=[
            Column("label", "Stage", numeric=False),
            Column("count", "Candidates"),
            Column("conversion", "From the stage before (%)"),
            Column("median_hours", "Median hours in stage"),
        ],
        rows=table if any(row["count"] for row in table) else [],
    )
    captions = [
        f"{row['count']:,}" + ("" if row["conversion"] is None else f" · {row['conversion']:.1f}% of the stage before")
        for row in table
    ]
    return _drawn(chart, counts_svg, table, captions)


CHART_BUILDERS: dict[str, Callable[[DashboardData], Chart]] = {
    "rate_over_time": chart_rate_over_time,
    "outcomes": chart_outcomes,
    "leaderboard": chart_leaderboard,
    "templates": _cut(
        "template", name="templates", title="Templates", header="Template",
        description=f"Settled rate per first-message template with its 95% interval. {SMALL_SAMPLES}",
    ),
    "sequences": _cut(
        "sequence", name="sequences", title="Sequences", header="Sequence",
        description=f"Settled rate per sequence with its 95% interval. {SMALL_SAMPLES}",
    ),
    "steps": _cut(
        "step", name="steps", title="Sequence steps", header="Step",
        description=(
            "Outreach in which each step went out; an answer counts for the step sent last before it. "
            f"{SMALL_SAMPLES}"
        ),
    ),
    "reply_times": chart_reply_times,
    "funnel": chart_funnel,
    "circles": _cut(
        "circle", name="circles", title="Circles", header="Circle",
        description=f"Settled rate of outreach to each circle's members. {SMALL_SAMPLES}",
    ),
    "sources": _cut(
        "source", name="sources", title="Candidate sources", header="Source",
        description=f"Settled rate by where the candidate came from. {SMALL_SAMPLES}",
    ),
}  # fmt: skip
CHART_NAMES = tuple(CHART_BUILDERS)
