"""How the dashboard shows a figure: percentages, a chart's columns and table, and its plotly.js figure.

The figures are drawn by static/js/analytics.js from JSON embedded in the page; the tables are the
accessible version and the no-JavaScript fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engagement.analytics import metric as analytics
from engagement.analytics.metric import GUARD_THRESHOLD

THRESHOLD_PERCENT = round(GUARD_THRESHOLD * 100)
# Comparison charts draw the groups with the most outreach; their tables list every group.
CHART_GROUPS = 15
# Ranges up to this many days are drawn per day, longer ones per week.
DAILY_UP_TO_DAYS = 31

BRAND = "#1f6feb"
RED = "#cf222e"
COLOURS = {"answered": "#1a7f37", "unanswered": "#cf222e", "pending": "#bf8700", "bounced": "#8c959f"}


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
    figure: dict[str, Any] = field(default_factory=dict)
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
        "median_hours_to_reply": row.median_hours_to_reply,
        "interested_rate": percent(row.interested_rate),
        "unsubscribe_rate": percent(row.unsubscribe_rate),
    }


# --- Figures (plotly.js) ----------------------------------------------------------------------


def _threshold_line(axis: str) -> tuple[dict, dict]:
    """The 13% line across a chart, with its label: horizontal on y, vertical on x."""
    if axis == "y":
        line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": THRESHOLD_PERCENT, "y1": THRESHOLD_PERCENT}
        note = {"xref": "paper", "x": 1, "y": THRESHOLD_PERCENT, "xanchor": "right", "yanchor": "bottom"}
    else:
        line = {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": THRESHOLD_PERCENT, "x1": THRESHOLD_PERCENT}
        note = {"yref": "paper", "y": 1, "x": THRESHOLD_PERCENT, "xanchor": "left", "yanchor": "bottom"}
    line["line"] = {"color": RED, "dash": "dash", "width": 2}
    note.update(text=f"{THRESHOLD_PERCENT}% line", showarrow=False, font={"color": RED})
    return line, note


def _layout(**extra: Any) -> dict[str, Any]:
    return {
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }


def _error_bars(rows: list[dict], rate_key: str = "settled_rate") -> dict[str, Any]:
    """Asymmetric bars from each rate to its Wilson interval's ends."""
    plus, minus = [], []
    for row in rows:
        rate, low, high = row.get(rate_key), row.get("ci_low"), row.get("ci_high")
        plus.append(None if rate is None or high is None else round(high - rate, 1))
        minus.append(None if rate is None or low is None else round(rate - low, 1))
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": "#57606a"}


def comparison_figure(rows: list[dict]) -> dict[str, Any]:
    """Settled rate per group as horizontal bars with 95% intervals and sample sizes: small samples show wide bars."""
    drawn = [row for row in rows if row["settled_rate"] is not None][:CHART_GROUPS]
    drawn.reverse()  # plotly draws the first category at the bottom
    line, note = _threshold_line("x")
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Settled rate",
                "y": [row["label"] for row in drawn],
                "x": [row["settled_rate"] for row in drawn],
                "error_x": _error_bars(drawn),
                "text": [f"n={row['answered'] + row['unanswered']:,}" for row in drawn],
                "textposition": "inside",
                "insidetextanchor": "start",
                "marker": {"color": BRAND},
                "hovertemplate": "%{y}: %{x}% (%{text})<extra></extra>",
            }
        ],
        "layout": _layout(
            shapes=[line],
            annotations=[note],
            xaxis={"title": {"text": "Settled response rate (%) with 95% interval"}, "rangemode": "tozero"},
            yaxis={"automargin": True},
            height=max(220, 40 + 32 * len(drawn)),
            showlegend=False,
        ),
    }


def over_time_figure(rows: list[dict]) -> dict[str, Any]:
    line, note = _threshold_line("y")
    x = [row["period_start"].isoformat() for row in rows]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Settled rate (%)",
                "x": x,
                "y": [row["settled_rate"] for row in rows],
                "error_y": _error_bars(rows),
                "line": {"color": BRAND, "width": 3},
                "connectgaps": False,
            },
            {
                "type": "bar",
                "name": "Outreach sent",
                "x": x,
                "y": [row["sent"] for row in rows],
                "yaxis": "y2",
                "marker": {"color": "rgba(31,111,235,0.15)"},
            },
        ],
        "layout": _layout(
            shapes=[line],
            annotations=[note],
            yaxis={"title": {"text": "Response rate (%)"}, "rangemode": "tozero"},
            yaxis2={"title": {"text": "Sent"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
            xaxis={"type": "date"},
            height=340,
        ),
    }


def outcomes_figure(rows: list[dict]) -> dict[str, Any]:
    x = [row["period_start"].isoformat() for row in rows]
    return {
        "data": [
            {"type": "bar", "name": name.capitalize(), "x": x, "y": [row[name] for row in rows], "marker": {"color": c}}
            for name, c in COLOURS.items()
        ],
        "layout": _layout(barmode="stack", yaxis={"title": {"text": "Outreach"}}, xaxis={"type": "date"}, height=320),
    }


def reply_times_figure(rows: list[dict]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "name": "Answers",
                "x": [row["label"] for row in rows],
                "y": [row["count"] for row in rows],
                "marker": {"color": BRAND},
            }
        ],
        "layout": _layout(yaxis={"title": {"text": "Answers"}}, height=300, showlegend=False),
    }


def funnel_figure(rows: list[dict]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "funnel",
                "name": "Candidates",
                "y": [row["label"] for row in rows],
                "x": [row["count"] for row in rows],
                "textinfo": "value+percent initial",
                "marker": {"color": BRAND},
            }
        ],
        "layout": _layout(height=320, showlegend=False, margin={"l": 100, "r": 20, "t": 10, "b": 30}),
    }
