"""Sequences API routes, mounted under /api/v1/ (talentcircles.urls includes them)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from engagement import sequence_api

router = SimpleRouter()
router.register("sequences", sequence_api.SequenceViewSet, basename="api-sequence")
router.register("enrollments", sequence_api.EnrollmentViewSet, basename="api-enrollment")
router.register("enrollment-jobs", sequence_api.EnrollmentJobViewSet, basename="api-enrollment-job")

urlpatterns = [
    path(
        "sequences/<int:sequence_pk>/enrollments/",
        sequence_api.SequenceEnrollmentsView.as_view(),
        name="api-sequence-enrollments",
    ),
    *router.urls,
]
