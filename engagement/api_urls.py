"""API routes of the engagement app, mounted under /api/v1/ (before the candidates app's routes)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from engagement import api

router = SimpleRouter()
router.register("reminders", api.ReminderViewSet, basename="api-reminder")

urlpatterns = [
    path("candidates/<int:pk>/timeline/", api.TimelineView.as_view(), name="api-candidate-timeline"),
    path("candidates/<int:pk>/notes/", api.ActivityLogView.as_view(), name="api-candidate-notes"),
    path("candidates/<int:pk>/stage/", api.StageView.as_view(), name="api-candidate-stage"),
    *router.urls,
]
