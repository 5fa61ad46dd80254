"""The project's URLs plus views that fail the way an outage or a bug does (tests of talentcircles.api_fallbacks)."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from talentcircles.urls import handler400, handler403, handler404, handler500
from talentcircles.urls import urlpatterns as project_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

# What psycopg says when PostgreSQL has gone away mid-request.
DRIVER_MESSAGE = "connection to server at 127.0.0.1, port 5432 failed: Connection refused"


class DatabaseDownView(APIView):
    permission_classes: list = []

    def get(self, request) -> Response:
        raise OperationalError(DRIVER_MESSAGE)


def plain_database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError(DRIVER_MESSAGE)


def plain_bug(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug")


urlpatterns = [
    path("api/v1/_test/db-down/", DatabaseDownView.as_view()),
    path("api/v1/_test/plain-db-down/", plain_database_down),
    path("api/v1/_test/bug/", plain_bug),
    path("_test/bug/", plain_bug),
    path("_test/db-down/", plain_database_down),
    *project_patterns,
]
