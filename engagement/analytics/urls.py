"""The analytics routes: the dashboard (/o/<org_slug>/analytics/) and the response-rate API.

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path

from engagement.analytics import api, views

recruiter_patterns = [
    path("", views.AnalyticsDashboardView.as_view(), name="analytics_dashboard"),
]

api_patterns = [
    path("stats/response-rate/", api.ResponseRateView.as_view(), name="api-stats-response-rate"),
    path("stats/funnel/", api.FunnelView.as_view(), name="api-stats-funnel"),
]

urlpatterns = [
    path("o/<slug:org_slug>/analytics/", include(recruiter_patterns)),
    path("api/v1/", include(api_patterns)),
]
