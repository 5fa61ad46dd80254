"""The jobs' routes: recruiter pages (/o/<org_slug>/jobs/…), the portal (/c/<org_slug>/jobs/…) and the
API (/api/v1/jobs/…). Included by engagement.circles.urls."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.circles.jobs import api, fit_views, portal, views

recruiter_patterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("new/", views.JobCreateView.as_view(), name="job_create"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/edit/", views.JobEditView.as_view(), name="job_edit"),
    path("<int:pk>/status/", views.JobStatusView.as_view(), name="job_status"),
    path("<int:pk>/fits/", fit_views.JobFitsView.as_view(), name="job_fits"),
]

portal_patterns = [
    path("", portal.PortalJobListView.as_view(), name="portal_jobs"),
    path("feed.json", portal.PortalJobJsonFeedView.as_view(), name="portal_jobs_json_feed"),
    path("feed.rss", portal.PortalJobRssFeed(), name="portal_jobs_rss_feed"),
    path("<slug:slug>/", portal.PortalJobDetailView.as_view(), name="portal_job_detail"),
    path("<slug:slug>/interest/", portal.PortalJobInterestView.as_view(), name="portal_job_interest"),
]

router = SimpleRouter()
router.register("jobs", api.JobViewSet, basename="api-job")

urlpatterns = [
    path("o/<slug:org_slug>/jobs/", include(recruiter_patterns)),
    path("c/<slug:org_slug>/jobs/", include(portal_patterns)),
    path("api/v1/", include(router.urls)),
]
