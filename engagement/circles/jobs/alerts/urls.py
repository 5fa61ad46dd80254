"""Job alerts' portal routes (/c/<org_slug>/job-alerts/…); included by engagement.circles.urls.

Not under /c/<org>/jobs/, where every name is a job's slug."""

from django.urls import path

from engagement.circles.jobs.alerts import portal

urlpatterns = [
    path("c/<slug:org_slug>/job-alerts/", portal.JobAlertsView.as_view(), name="portal_job_alerts"),
    path(
        "c/<slug:org_slug>/job-alerts/unsubscribe/<str:token>/",
        portal.JobAlertsUnsubscribeView.as_view(),
        name="job_alerts_unsubscribe",
    ),
]
