"""The sequences' routes: recruiter pages (/o/<org_slug>/sequences/…) and the API.

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.sequences.api import enrollments as enrollment_api
from engagement.sequences.api import sequences as sequence_api
from engagement.sequences.views import enrolment as enrolment_pages
from engagement.sequences.views import sequences as sequence_pages

recruiter_patterns = [
    path("", sequence_pages.SequenceListView.as_view(), name="sequence_list"),
    path("new/", sequence_pages.SequenceCreateView.as_view(), name="sequence_create"),
    path("enrol/", enrolment_pages.EnrolView.as_view(), name="sequence_enrol"),
    path("enrol/selection/", enrolment_pages.EnrolStartView.as_view(), name="sequence_enrol_start"),
    path("enrol/jobs/<int:pk>/", enrolment_pages.EnrolJobView.as_view(), name="sequence_enrol_job"),
    path("<int:pk>/", sequence_pages.SequenceDetailView.as_view(), name="sequence_detail"),
    path("<int:pk>/edit/", sequence_pages.SequenceEditView.as_view(), name="sequence_edit"),
    path("<int:pk>/preview/", sequence_pages.SequencePreviewView.as_view(), name="sequence_preview"),
    path("<int:pk>/status/", sequence_pages.SequenceStatusView.as_view(), name="sequence_status"),
    path("<int:pk>/steps/<int:step_pk>/move/", sequence_pages.StepMoveView.as_view(), name="sequence_step_move"),
    path(
        "enrollments/<int:pk>/pause/",
        enrolment_pages.EnrollmentActionView.as_view(action="pause"),
        name="enrollment_pause",
    ),
    path(
        "enrollments/<int:pk>/resume/",
        enrolment_pages.EnrollmentActionView.as_view(action="resume"),
        name="enrollment_resume",
    ),
    path(
        "enrollments/<int:pk>/stop/",
        enrolment_pages.EnrollmentActionView.as_view(action="stop"),
        name="enrollment_stop",
    ),
]

router = SimpleRouter()
router.register("sequences", sequence_api.SequenceViewSet, basename="api-sequence")
router.register("enrollments", enrollment_api.EnrollmentViewSet, basename="api-enrollment")
router.register("enrollment-jobs", enrollment_api.EnrollmentJobViewSet, basename="api-enrollment-job")

api_patterns = [
    path(
        "sequences/<int:sequence_pk>/enrollments/",
        enrollment_api.SequenceEnrollmentsView.as_view(),
        name="api-sequence-enrollments",
    ),
    *router.urls,
]

urlpatterns = [
    path("o/<slug:org_slug>/sequences/", include(recruiter_patterns)),
    path("api/v1/", include(api_patterns)),
]
