"""Circles API routes, mounted under /api/v1/ (talentcircles.urls includes them)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from engagement import circle_api

router = SimpleRouter()
router.register("circles", circle_api.CircleViewSet, basename="api-circle")

posts = circle_api.PostViewSet
urlpatterns = [
    path("circles/<int:circle_pk>/members/", circle_api.CircleMembersView.as_view(), name="api-circle-members"),
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
