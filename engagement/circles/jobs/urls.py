"""The jobs' routes: recruiter pages (/o/<org_slug>/jobs/…), the portal (/c/<org_slug>/jobs/…) and the
API (/api/v1/jobs/…). Included by engagement.circles.urls."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.circles.jobs import api, api_interests, board_views, fit_views, portal, views

recruiter_patterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("new/", views.JobCreateView.as_view(), name="job_create"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/edit/", views.JobEditView.as_view(), name="job_edit"),
    path("<int:pk>/status/", views.JobStatusView.as_view(), name="job_status"),
    path("<int:pk>/share/", views.JobShareView.as_view(), name="job_share"),
    path("<int:pk>/delete/", views.JobDeleteView.as_view(), name="job_delete"),
    path("<int:pk>/interests/add/", board_views.JobInterestAddView.as_view(), name="job_interest_add"),
    path("<int:pk>/board/", board_views.JobBoardView.as_view(), name="job_board"),
    path("<int:pk>/board/<int:interest_pk>/move/", board_views.JobInterestMoveView.as_view(), name="job_interest_move"),
    path(
        "for-candidate/<int:candidate_pk>/",
        board_views.CandidateJobsPanelView.as_view(),
        name="candidate_job_interests",
    ),
    path("<int:pk>/fits/", fit_views.JobFitsView.as_view(), name="job_fits"),
]

portal_patterns = [
    path("", portal.PortalJobListView.as_view(), name="portal_jobs"),
    path("feed.json", portal.PortalJobJsonFeedView.as_view(), name="portal_jobs_json_feed"),
    path("feed.rss", portal.PortalJobRssFeed(), name="portal_jobs_rss_feed"),
    path("<slug:slug>/", portal.PortalJobDetailView.as_view(), name="portal_job_detail"),
    path("<slug:slug>/interest/", portal.PortalJobInterestView.as_view(), name="portal_job_interest"),
    path("<slug:slug>/join/", portal.PortalJobJoinView.as_view(), name="portal_job_join"),
]

# The member's own interests, outside jobs/ so that no job's slug can shadow them.
my_interest_patterns = [
    path("", portal.PortalMyInterestsView.as_view(), name="portal_my_interests"),
    path("<int:pk>/withdraw/", portal.PortalInterestWithdrawView.as_view(), name="portal_interest_withdraw"),
]

router = SimpleRouter()
router.register("jobs", api.JobViewSet, basename="api-job")

interests_api = api_interests.JobInterestViewSet
api_patterns = [
    path(
        "jobs/<int:job_pk>/interests/",
        interests_api.as_view({"get": "list", "post": "create"}),
        name="api-job-interests",
    ),
    path(
        "jobs/<int:job_pk>/interests/<int:pk>/",
        interests_api.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="api-job-interest",
    ),
    *router.urls,
]

urlpatterns = [
    path("o/<slug:org_slug>/jobs/", include(recruiter_patterns)),
    path("c/<slug:org_slug>/jobs/", include(portal_patterns)),
    path("c/<slug:org_slug>/my-interests/", include(my_interest_patterns)),
    path("api/v1/", include(api_patterns)),
]
