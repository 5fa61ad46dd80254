"""API routes of the messaging app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from messaging import api
from messaging.replies.api import MessageClassificationView

router = SimpleRouter()
router.register("templates", api.TemplateViewSet, basename="api-template")
router.register("threads", api.ThreadViewSet, basename="api-thread")

urlpatterns = [
    path("messages/check/", api.MessageCheckView.as_view(), name="api-message-check"),
    path(
        "messages/<int:pk>/classification/",
        MessageClassificationView.as_view(),
        name="api-message-classification",
    ),
    *router.urls,
]
