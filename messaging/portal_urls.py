"""The candidate's inbox in the portal, relative to /c/<org_slug>/ (next to candidates.portal_urls)."""

from django.urls import path

from messaging import portal

urlpatterns = [
    path("inbox/", portal.InboxView.as_view(), name="portal_inbox"),
    path("inbox/<int:pk>/", portal.InboxThreadView.as_view(), name="portal_inbox_thread"),
]
