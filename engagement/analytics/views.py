"""The analytics dashboard (`/o/<org_slug>/analytics/`) and the recruiter's response-rate card on the home page.

Every figure comes from `engagement.analytics` (which reads the roll-ups only); this module turns
them into charts (plotly.js figures, drawn by static/js/analytics.js from JSON embedded in the
page), their tables (the accessible version and the no-JavaScript fallback) and their CSV files
(`?format=csv&chart=<name>` with the page's filters). A recruiter sees colleagues' figures only
when the organisation shares them (`share_team_analytics`); admins see everyone's.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View

from engagement.analytics import metric as analytics
from engagement.analytics.forms import AnalyticsFilterForm, AnalyticsFilters, analytics_members, sees_team_figures
from engagement.analytics.guard import guard_for
from engagement.analytics.metric import GUARD_THRESHOLD, AnalyticsError, org_setting
from engagement.analytics.models import RecruiterGuard, ResponseStat
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.models import Membership, Organization

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


def chart_rate_over_time(data: DashboardData) -> Chart:
    rows = data.periods
    return Chart(
        name="rate_over_time",
        title="Response rate over time",
        description=(
            f"Settled rate of outreach first sent in each period, with its 95% interval, against the "
            f"{THRESHOLD_PERCENT}% line; bars show how much was sent."
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
        figure=over_time_figure(rows),
    )


def chart_outcomes(data: DashboardData) -> Chart:
    rows = data.periods
    return Chart(
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
        figure=outcomes_figure(rows),
    )


def chart_leaderboard(data: DashboardData) -> Chart:
    rows = sorted(data.rates("recruiter"), key=lambda row: (row["settled_rate"] is None, -(row["settled_rate"] or 0)))
    chart = _comparison_from_rows(
        rows,
        name="leaderboard",
        title="Recruiters",
        header="Recruiter",
        description="Each recruiter's settled rate with its 95% interval (n = settled outreach), best first.",
    )
    if not data.filters.sees_team:
        chart.note = "Your organisation shares only your own figures with you."
    return chart


def _comparison_from_rows(rows: list[dict], *, name: str, title: str, header: str, description: str) -> Chart:
    return Chart(
        name=name,
        title=title,
        description=description,
        columns=[Column("label", header, numeric=False), *RATE_COLUMNS[1:]],
        rows=rows,
        figure=comparison_figure(rows),
    )


def _cut(group_by: str, *, name: str, title: str, header: str, description: str) -> Callable[[DashboardData], Chart]:
    def build(data: DashboardData) -> Chart:
        return _comparison_from_rows(
            data.rates(group_by), name=name, title=title, header=header, description=description
        )

    return build


SMALL_SAMPLES = "A wide interval means too few answers to judge yet."


def chart_reply_times(data: DashboardData) -> Chart:
    f = data.filters
    rows = analytics.reply_time_distribution(window_days=f.window_days, now=data.now, **data._range())
    table = [{"label": row.label, "count": row.count, "share": percent(row.share)} for row in rows]
    return Chart(
        name="reply_times",
        title="Time to first reply",
        description=f"How long answers within {f.window_days} days took after the first message.",
        columns=[Column("label", "Replied", numeric=False), Column("count", "Answers"), Column("share", "Share (%)")],
        rows=table if any(row["count"] for row in table) else [],
        figure=reply_times_figure(table),
    )


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
    return Chart(
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
        figure=funnel_figure(table),
    )


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
        description="Outreach in which each step went out; an answer counts for the step sent last before it.",
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


# --- Guard state (read for banners) -----------------------------------------------------------


def active_guard(*, org: Organization, user_id: int, now: datetime | None = None) -> RecruiterGuard | None:
    """The recruiter's guard row when it warns them or their improvement period runs, else None."""
    if not org_setting(org, "response_guard_enabled"):
        return None
    guard = guard_for(org=org, recruiter_id=user_id, now=now)
    return guard if guard is not None and _guard_shows(guard, now or timezone.now()) else None


def _guard_shows(guard: RecruiterGuard, now: datetime) -> bool:
    if guard.state == RecruiterGuard.State.WARNING:
        return True
    return guard.state == RecruiterGuard.State.IMPROVEMENT and guard.paused_at(now)


def guarded_recruiters(*, org: Organization, now: datetime | None = None) -> list[RecruiterGuard]:
    """Recruiters warned or in an improvement period now, for the people who see the team's figures."""
    guards = (
        RecruiterGuard.objects.for_org(org)
        .exclude(state=RecruiterGuard.State.OK)
        .select_related("recruiter")
        .order_by("recruiter__first_name", "recruiter__email")
    )
    if not org_setting(org, "response_guard_enabled"):
        return []
    moment = now or timezone.now()
    return [guard for guard in guards if _guard_shows(guard, moment)]


def guard_reasons(guard: RecruiterGuard) -> list[str]:
    """The warning's reasons in words (stored as text or as {"text": …} items)."""
    reasons = []
    for reason in guard.reasons or []:
        if isinstance(reason, dict):
            reason = reason.get("text") or reason.get("message") or reason.get("reason") or ""
        if reason:
            reasons.append(str(reason))
    return reasons


# --- Views -----------------------------------------------------------------------------------


def _csv_response(chart: Chart, filters: AnalyticsFilters, org: Organization) -> HttpResponse:
    filename = f"{org.slug}-{chart.name}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([column.header for column in chart.columns])
    writer.writerows(chart.table)
    return response


class AnalyticsDashboardView(OrgMemberRequiredMixin, View):
    """Charts with their tables; `?format=csv&chart=<name>` downloads one chart's table."""

    template_name = "engagement/analytics/dashboard.html"

    def get(self, request: HttpRequest, org_slug: str) -> HttpResponse:
        members = analytics_members(self.org) if sees_team_figures(self.org, self.membership) else []
        form = AnalyticsFilterForm(request.GET, org=self.org, membership=self.membership, members=members)
        form.is_valid()
        filters = form.filters()
        data = DashboardData(org=self.org, filters=filters)
        wants_csv = request.GET.get("format") == "csv"
        chart_name = request.GET.get("chart", "")
        if wants_csv and chart_name not in CHART_BUILDERS:
            form.add_error(None, f"Unknown chart {chart_name!r}; use one of {', '.join(CHART_NAMES)}.")
        if form.errors:
            return self._render(form=form, filters=filters, charts=[], status=400)
        try:
            if wants_csv:
                return _csv_response(CHART_BUILDERS[chart_name](data), filters, self.org)
            has_outreach = ResponseStat.objects.for_org(self.org).exists()
            charts = [build(data) for build in CHART_BUILDERS.values()] if has_outreach else []
            totals = data.totals if has_outreach else None
        except AnalyticsError as error:
            form.put_error(error)
            return self._render(form=form, filters=filters, charts=[], status=400)
        return self._render(form=form, filters=filters, charts=charts, totals=totals, has_outreach=has_outreach)

    def _render(self, *, form, filters, charts, status: int = 200, **extra) -> HttpResponse:
        query = self.request.GET.copy()
        query.pop("format", None)
        query.pop("chart", None)
        sees_team = filters.sees_team
        context = {
            "org": self.org,
            "membership": self.membership,
            "form": form,
            "filters": filters,
            "charts": charts,
            "figures": {chart.name: chart.figure for chart in charts if not chart.is_empty},
            "query": query.urlencode(),
            "threshold": THRESHOLD_PERCENT,
            # The live 14-day rate of whoever the figures cover: one recruiter, or everyone together.
            "live": analytics.live_rate(org=self.org, recruiter_id=filters.recruiter_id),
            "live_percent": None,
            "live_is_own": filters.recruiter_id == self.membership.user_id,
            "guard": active_guard(org=self.org, user_id=self.membership.user_id),
            "team_guards": guarded_recruiters(org=self.org) if sees_team else [],
            "has_outreach": True,
            "totals": None,
            **extra,
        }
        context["live_percent"] = percent(context["live"].rate)
        if context["guard"] is not None:
            context["guard_reasons"] = guard_reasons(context["guard"])
        return render(self.request, self.template_name, context, status=status)


# --- The home card ---------------------------------------------------------------------------

HOME_CARD_TEMPLATE = "engagement/analytics/_home_card.html"


def response_rate_card(request: HttpRequest, org: Organization, membership: Membership) -> dict[str, Any] | None:
    """The member's own live 14-day rate against 13% (or "small sample"), and the guard's banner when it applies."""
    live = analytics.live_rate(org=org, recruiter_id=membership.user_id)
    guard = active_guard(org=org, user_id=membership.user_id)
    return {
        "org": org,
        "live": live,
        "live_percent": percent(live.rate),
        "threshold": THRESHOLD_PERCENT,
        "guard": guard,
        "guard_reasons": guard_reasons(guard) if guard else [],
        "since": timezone.localdate() - timedelta(days=analytics.LIVE_DAYS - 1),
    }


def register_home_cards() -> None:
    """Called from `EngagementConfig.ready()`: the response-rate card on the recruiter home."""
    from talentcircles.home_cards import register_home_card

    register_home_card("response_rate", response_rate_card, HOME_CARD_TEMPLATE, order=10)
