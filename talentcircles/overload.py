"""Back-pressure for the web processes (docs/scale.md): refuse quickly rather than queue for seconds.

- `ConcurrencyLimitMiddleware`: at most WEB_CONCURRENCY_LIMIT requests of one process run past it at
  once; a request that finds no free slot within WEB_QUEUE_WAIT_MS is answered 503 with Retry-After.
  Gunicorn runs more threads than slots, so the extra threads take waiting connections off the
  queue and answer them at once instead of leaving them to wait behind slow requests.
- `StatementTimeoutMiddleware`: a query cancelled by PostgreSQL's statement_timeout (set for web
  processes only, DB_STATEMENT_TIMEOUT_MS) is a 503 "too busy, try again" page or JSON, not a 500.

- `statement_timeout_lifted(stream)`: a streamed download (the candidate list's CSV export) reads every
  matching row and may rightly run longer than a page; its queries run without the timeout.

Both middlewares answer /api/ paths in JSON ({"detail": "…"}) and pages in HTML (templates/503.html).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 2
OVERLOADED_MESSAGE = "The service is busy right now; try again in a moment."
TIMEOUT_MESSAGE = "That took the database too long, so it was stopped; try again, or narrow the search."
# Liveness probes and static files must answer even when every slot is taken.
UNLIMITED_PREFIXES = ("/healthz", "/static/", "/favicon.ico")


def is_statement_timeout(exc: BaseException | None) -> bool:
    """True for a query PostgreSQL cancelled (statement_timeout), as Django's error or psycopg's own."""
    from psycopg import errors

    seen = 0
    while exc is not None and seen < 5:  # Django wraps the driver's error (`raise … from`)
        if isinstance(exc, errors.QueryCanceled):
            return True
        exc, seen = exc.__cause__, seen + 1
    return False


def unavailable(request: HttpRequest, message: str) -> HttpResponse:
    """A 503 with Retry-After: JSON under /api/, otherwise the plain HTML page (no template tags)."""
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ConcurrencyLimitMiddleware:
    """At most `WEB_CONCURRENCY_LIMIT` requests at once in this process (0: no limit); the others
    wait up to `WEB_QUEUE_WAIT_MS` for a slot, then get a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.WEB_CONCURRENCY_LIMIT
        self.wait_seconds = settings.WEB_QUEUE_WAIT_MS / 1000
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None
        self.refused = 0  # since the process started; logged with each refusal

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.slots is None or request.path_info.startswith(UNLIMITED_PREFIXES):
            return self.get_response(request)
        if not self.slots.acquire(timeout=self.wait_seconds):
            self.refused += 1
            logger.warning("Overloaded: %s %s refused (%d so far)", request.method, request.path, self.refused)
            return unavailable(request, OVERLOADED_MESSAGE)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()


class StatementTimeoutMiddleware:
    """A view whose query ran past the statement timeout answers 503, not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        logger.warning("Statement timeout: %s %s: %s", request.method, request.path, exception)
        return unavailable(request, TIMEOUT_MESSAGE)


def statement_timeout_lifted(stream: Iterable[T]) -> Iterator[T]:
    """`stream`, with this connection's statement timeout off while it is read, then put back as it was."""
    if connection.vendor != "postgresql":
        yield from stream
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()
        cursor.execute("SET statement_timeout = 0")
    try:
        yield from stream
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [before])
        except DatabaseError:  # a broken connection is discarded with its settings
            logger.warning("Could not restore statement_timeout after a streamed response", exc_info=True)
