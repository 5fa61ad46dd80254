"""API routes of the messaging app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from messaging import api, api_policy, api_recovery
from messaging.replies.api import MessageClassificationView

router = SimpleRouter()
router.register("templates", api.TemplateViewSet, basename="api-template")
router.register("threads", api.ThreadViewSet, basename="api-thread")

urlpatterns = [
    path("messages/check/", api.MessageCheckView.as_view(), name="api-message-check"),
    path("candidates/<int:pk>/contact/", api_policy.CandidateContactView.as_view(), name="api-candidate-contact"),
    path("threads/bulk/", api_policy.BulkSendView.as_view(), name="api-thread-bulk"),
    path(
        "messages/<int:pk>/classification/",
        MessageClassificationView.as_view(),
        name="api-message-classification",
    ),
    path("messages/<int:pk>/resend/", api_recovery.MessageResendView.as_view(), name="api-message-resend"),
    *router.urls,
]
