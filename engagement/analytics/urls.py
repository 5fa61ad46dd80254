"""The analytics routes: the dashboard (/o/<org_slug>/analytics/) and the response-rate API.

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path

from engagement.analytics import api, job_views, views

recruiter_patterns = [
    path("", views.AnalyticsDashboardView.as_view(), name="analytics_dashboard"),
]

api_patterns = [
    path("stats/response-rate/", api.ResponseRateView.as_view(), name="api-stats-response-rate"),
    path("stats/funnel/", api.FunnelView.as_view(), name="api-stats-funnel"),
    path("jobs/<int:pk>/analytics/", job_views.JobAnalyticsApiView.as_view(), name="api-job-analytics"),
]

urlpatterns = [
    path("o/<slug:org_slug>/analytics/", include(recruiter_patterns)),
    # A job's figures, loaded into the job's page (engagement/circles/jobs) as a panel.
    path("o/<slug:org_slug>/jobs/<int:pk>/analytics/", job_views.JobAnalyticsPanelView.as_view(), name="job_analytics"),
    path("api/v1/", include(api_patterns)),
]
