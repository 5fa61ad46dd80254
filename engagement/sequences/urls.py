"""The sequences' routes: recruiter pages (/o/<org_slug>/sequences/…) and the API.

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.sequences import api, views

recruiter_patterns = [
    path("", views.SequenceListView.as_view(), name="sequence_list"),
    path("new/", views.SequenceCreateView.as_view(), name="sequence_create"),
    path("enrol/", views.EnrolView.as_view(), name="sequence_enrol"),
    path("enrol/selection/", views.EnrolStartView.as_view(), name="sequence_enrol_start"),
    path("enrol/jobs/<int:pk>/", views.EnrolJobView.as_view(), name="sequence_enrol_job"),
    path("<int:pk>/", views.SequenceDetailView.as_view(), name="sequence_detail"),
    path("<int:pk>/edit/", views.SequenceEditView.as_view(), name="sequence_edit"),
    path("<int:pk>/preview/", views.SequencePreviewView.as_view(), name="sequence_preview"),
    path("<int:pk>/status/", views.SequenceStatusView.as_view(), name="sequence_status"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.StepMoveView.as_view(), name="sequence_step_move"),
    path(
        "enrollments/<int:pk>/pause/",
        views.EnrollmentActionView.as_view(action="pause"),
        name="enrollment_pause",
    ),
    path(
        "enrollments/<int:pk>/resume/",
        views.EnrollmentActionView.as_view(action="resume"),
        name="enrollment_resume",
    ),
    path("enrollments/<int:pk>/stop/", views.EnrollmentActionView.as_view(action="stop"), name="enrollment_stop"),
]

router = SimpleRouter()
router.register("sequences", api.SequenceViewSet, basename="api-sequence")
router.register("enrollments", api.EnrollmentViewSet, basename="api-enrollment")
router.register("enrollment-jobs", api.EnrollmentJobViewSet, basename="api-enrollment-job")

api_patterns = [
    path(
        "sequences/<int:sequence_pk>/enrollments/",
        api.SequenceEnrollmentsView.as_view(),
        name="api-sequence-enrollments",
    ),
    *router.urls,
]

urlpatterns = [
    path("o/<slug:org_slug>/sequences/", include(recruiter_patterns)),
    path("api/v1/", include(api_patterns)),
]
