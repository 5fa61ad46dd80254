"""The project's URLs plus views whose query runs past a statement timeout (tests of talentcircles.overload)."""

import psycopg
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from talentcircles.urls import handler400, handler403, handler404, handler500
from talentcircles.urls import urlpatterns as project_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def run_past_the_timeout() -> None:
    """On PostgreSQL a real cancelled query; SQLite has no statement timeout, so its error as Django raises it."""
    if connection.vendor != "postgresql":
        cause = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
        raise OperationalError("canceling statement due to statement timeout") from cause
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")  # undone with the transaction
        cursor.execute("SELECT pg_sleep(1)")


def slow_page(request: HttpRequest) -> HttpResponse:
    run_past_the_timeout()
    return HttpResponse("finished")


class SlowApiView(APIView):
    permission_classes: list = []

    def get(self, request) -> Response:
        run_past_the_timeout()
        return Response({"finished": True})


urlpatterns = [
    path("_test/slow/", slow_page),
    path("api/v1/_test/slow/", SlowApiView.as_view()),
    path("api/v1/_test/slow-plain/", slow_page),
    *project_patterns,
]
