"""Mounted under /o/<org_slug>/settings/webhooks/ by talentcircles/urls.py."""

from __future__ import annotations

from django.urls import path

from talentcircles.webhooks_out import views

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="webhooks"),
    path("<int:pk>/", views.WebhookDetailView.as_view(), name="webhook_detail"),
    path(
        "<int:pk>/<str:action>/",
        views.WebhookActionView.as_view(),
        name="webhook_action",
    ),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook_redeliver",
    ),
]
