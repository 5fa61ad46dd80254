"""Response-rate API routes, mounted under /api/v1/ (talentcircles.urls includes them)."""

from django.urls import path

from engagement import analytics_api

urlpatterns = [
    path("stats/response-rate/", analytics_api.ResponseRateView.as_view(), name="api-stats-response-rate"),
    path("stats/funnel/", analytics_api.FunnelView.as_view(), name="api-stats-funnel"),
]
