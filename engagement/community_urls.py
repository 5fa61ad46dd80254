"""The public talent community, relative to /c/<org_slug>/ (next to candidates.portal_urls)."""

from django.urls import path

from engagement import community as views

urlpatterns = [
    path("", views.CommunityLandingView.as_view(), name="community_landing"),
    path("join/", views.JoinView.as_view(), name="community_join"),
    path("invitations/<str:token>/", views.InvitationView.as_view(), name="community_invitation"),
    path("circles/", views.PortalCirclesView.as_view(), name="portal_circles"),
    path("circles/<int:pk>/join/", views.CircleJoinView.as_view(), name="portal_circle_join"),
    path("circles/<int:pk>/leave/", views.CircleLeaveView.as_view(), name="portal_circle_leave"),
    path("circles/<int:pk>/email/", views.CircleEmailView.as_view(), name="portal_circle_email"),
    path("feed/", views.PortalFeedView.as_view(), name="portal_feed"),
    path("events/", views.PortalEventsView.as_view(), name="portal_events"),
    path("events/<int:pk>/rsvp/", views.EventRsvpView.as_view(), name="portal_event_rsvp"),
    path("events/<int:pk>/event.ics", views.EventIcsView.as_view(), name="portal_event_ics"),
]
