"""The circles' routes: recruiter pages (/o/<org_slug>/circles/…), the public community portal
(/c/<org_slug>/…) and the API (/api/v1/circles/…).

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.circles import api, portal, views

recruiter_patterns = [
    path("", views.CircleListView.as_view(), name="circle_list"),
    path("new/", views.CircleCreateView.as_view(), name="circle_create"),
    path("bulk-add/", views.CircleBulkAddView.as_view(), name="circle_bulk_add"),
    path("invite/", views.CommunityInviteView.as_view(), name="community_invite"),
    path("<int:pk>/", views.CircleDetailView.as_view(), name="circle_detail"),
    path("<int:pk>/edit/", views.CircleEditView.as_view(), name="circle_edit"),
    path("<int:pk>/delete/", views.CircleDeleteView.as_view(), name="circle_delete"),
    path("<int:pk>/members/", views.MemberAddView.as_view(), name="circle_member_add"),
    path("<int:pk>/members/<int:candidate_pk>/remove/", views.MemberRemoveView.as_view(), name="circle_member_remove"),
    path("<int:pk>/posts/new/", views.PostCreateView.as_view(), name="circle_post_create"),
    path("<int:pk>/posts/<int:post_pk>/", views.PostDetailView.as_view(), name="circle_post_detail"),
    path("<int:pk>/posts/<int:post_pk>/edit/", views.PostEditView.as_view(), name="circle_post_edit"),
    path("<int:pk>/posts/<int:post_pk>/publish/", views.PostPublishView.as_view(), name="circle_post_publish"),
    path("<int:pk>/posts/<int:post_pk>/unpublish/", views.PostUnpublishView.as_view(), name="circle_post_unpublish"),
    path("<int:pk>/posts/<int:post_pk>/delete/", views.PostDeleteView.as_view(), name="circle_post_delete"),
]

portal_patterns = [
    path("", portal.CommunityLandingView.as_view(), name="community_landing"),
    path("join/", portal.JoinView.as_view(), name="community_join"),
    path("invitations/<str:token>/", portal.InvitationView.as_view(), name="community_invitation"),
    path("unsubscribe/<str:token>/", portal.CommunityUnsubscribeView.as_view(), name="community_unsubscribe"),
    path(
        "unsubscribe/circle/<str:token>/", portal.CircleUnsubscribeView.as_view(), name="community_circle_unsubscribe"
    ),
    path("circles/", portal.PortalCirclesView.as_view(), name="portal_circles"),
    path("circles/<int:pk>/", portal.PortalCircleView.as_view(), name="portal_circle"),
    path("circles/<int:pk>/join/", portal.CircleJoinView.as_view(), name="portal_circle_join"),
    path("circles/<int:pk>/leave/", portal.CircleLeaveView.as_view(), name="portal_circle_leave"),
    path("circles/<int:pk>/email/", portal.CircleEmailView.as_view(), name="portal_circle_email"),
    path("feed/", portal.PortalFeedView.as_view(), name="portal_feed"),
    path("events/", portal.PortalEventsView.as_view(), name="portal_events"),
    path("events/<int:pk>/rsvp/", portal.EventRsvpView.as_view(), name="portal_event_rsvp"),
    path("events/<int:pk>/event.ics", portal.EventIcsView.as_view(), name="portal_event_ics"),
]

router = SimpleRouter()
router.register("circles", api.CircleViewSet, basename="api-circle")

posts = api.PostViewSet
api_patterns = [
    path("circles/<int:circle_pk>/members/", api.CircleMembersView.as_view(), name="api-circle-members"),
    path(
        "circles/<int:circle_pk>/posts/",
        posts.as_view({"get": "list", "post": "create"}),
        name="api-circle-post-list",
    ),
    path(
        "circles/<int:circle_pk>/posts/<int:pk>/",
        posts.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="api-circle-post-detail",
    ),
    path(
        "circles/<int:circle_pk>/posts/<int:pk>/publish/",
        posts.as_view({"post": "publish"}),
        name="api-circle-post-publish",
    ),
    *router.urls,
]

urlpatterns = [
    path("o/<slug:org_slug>/circles/", include(recruiter_patterns)),
    path("c/<slug:org_slug>/", include(portal_patterns)),
    path("api/v1/", include(api_patterns)),
    path("", include("engagement.circles.jobs.urls")),
    path("", include("engagement.circles.jobs.alerts.urls")),
]
