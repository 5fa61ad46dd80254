"""The analytics dashboard (`/o/<org_slug>/analytics/`) and the recruiter's response-rate card on the home page.

A chart's table downloads as CSV (`?format=csv&chart=<name>`), its drawing as SVG (`?format=svg&chart=<name>`),
with the page's filters. A recruiter sees
colleagues' figures only when the organisation shares them (`share_team_analytics`); admins see everyone's.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from engagement.analytics import metric as analytics
from engagement.analytics import svg
from engagement.analytics.complaints import complaint_rate
from engagement.analytics.dashboard import CHART_BUILDERS, CHART_NAMES, DashboardData
from engagement.analytics.figures import MIN_TO_JUDGE, THRESHOLD_PERCENT, Chart, percent
from engagement.analytics.forms import AnalyticsFilterForm, AnalyticsFilters, analytics_members, sees_team_figures
from engagement.analytics.guard import active_guard, guard_reason_texts, guarded_recruiters
from engagement.analytics.metric import AnalyticsError
from engagement.analytics.models import ResponseStat
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.models import Membership, Organization

# --- Views -----------------------------------------------------------------------------------


def _csv_response(chart: Chart, filters: AnalyticsFilters, org: Organization) -> HttpResponse:
    filename = f"{org.slug}-{chart.name}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([column.header for column in chart.columns])
    writer.writerows(chart.table)
    return response


def _svg_response(chart: Chart, filters: AnalyticsFilters, org: Organization) -> HttpResponse:
    filename = f"{org.slug}-{chart.name}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.svg"
    response = HttpResponse(svg.standalone(chart.svg) if chart.svg else "", content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


DOWNLOADS = {"csv": _csv_response, "svg": _svg_response}


class AnalyticsDashboardView(OrgMemberRequiredMixin, View):
    """Charts with their tables; `?format=csv|svg&chart=<name>` downloads one chart's table or drawing."""

    template_name = "engagement/analytics/dashboard.html"

    def get(self, request: HttpRequest, org_slug: str) -> HttpResponse:
        members = analytics_members(self.org) if sees_team_figures(self.org, self.membership) else []
        form = AnalyticsFilterForm(request.GET, org=self.org, membership=self.membership, members=members)
        form.is_valid()
        filters = form.filters()
        data = DashboardData(org=self.org, filters=filters)
        download = DOWNLOADS.get(request.GET.get("format", ""))
        chart_name = request.GET.get("chart", "")
        if download and chart_name not in CHART_BUILDERS:
            form.add_error(None, f"Unknown chart {chart_name!r}; use one of {', '.join(CHART_NAMES)}.")
        if form.errors:
            return self._render(form=form, filters=filters, charts=[], status=400)
        try:
            if download:
                return download(CHART_BUILDERS[chart_name](data), filters, self.org)
            has_outreach = ResponseStat.objects.for_org(self.org).exists()
            charts = [build(data) for build in CHART_BUILDERS.values()] if has_outreach else []
            totals = data.totals if has_outreach else None
        except AnalyticsError as error:
            form.add_service_errors(error)
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
            "query": query.urlencode(),
            "threshold": THRESHOLD_PERCENT,
            "min_to_judge": MIN_TO_JUDGE,
            # The live 14-day rate of whoever the figures cover: one recruiter, or everyone together.
            "live": analytics.live_rate(org=self.org, recruiter_id=filters.recruiter_id),
            "live_percent": None,
            "live_is_own": filters.recruiter_id == self.membership.user_id,
            "guard": active_guard(org=self.org, user_id=self.membership.user_id),
            "team_guards": guarded_recruiters(org=self.org) if sees_team else [],
            "has_outreach": True,
            "totals": None,
            "complaints": complaint_rate(
                org=self.org, date_from=filters.date_from, date_to=filters.date_to, recruiter_id=filters.recruiter_id
            ),
            **extra,
        }
        context["live_percent"] = percent(context["live"].rate)
        if context["guard"] is not None:
            context["guard_reasons"] = guard_reason_texts(context["guard"])
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
        "guard_reasons": guard_reason_texts(guard) if guard else [],
        "since": timezone.localdate() - timedelta(days=analytics.LIVE_DAYS - 1),
    }


def register_home_cards() -> None:
    """Called from `EngagementConfig.ready()`: the response-rate card on the recruiter home."""
    from talentcircles.home_cards import register_home_card

    register_home_card("response_rate", response_rate_card, HOME_CARD_TEMPLATE, order=10)
