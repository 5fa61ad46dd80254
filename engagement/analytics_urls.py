"""Analytics pages, mounted at /o/<org_slug>/analytics/ (talentcircles.urls includes them)."""

from django.urls import path

from engagement import analytics_views

urlpatterns = [
    path("", analytics_views.AnalyticsDashboardView.as_view(), name="analytics_dashboard"),
]
