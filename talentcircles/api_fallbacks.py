"""JSON for every `/api/` error DRF never sees; HTML pages keep Django's HTML error pages.

- `ApiBodyLimitMiddleware` refuses a body whose Content-Length is over the limit before anything
  reads it: 413 (a JSON or form body over DATA_UPLOAD_MAX_MEMORY_SIZE, a multipart one over
  `MULTIPART_LIMIT`), or 400 for a Content-Length that is not a number.
- The error handlers named in `talentcircles.urls` (`handler400`, `handler403`, `handler404`,
  `handler500`) answer `/api/` paths in JSON: an unknown path is a JSON 404; an exception raised
  outside DRF's views a JSON 500, or a 503 with `Retry-After` when the database is unreachable.

The body of each is `{"detail": "…"}`, as DRF's own errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from talentcircles.api_errors import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, is_database_outage
from talentcircles.api_parsers import body_limit, too_large_message

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The largest file an API endpoint takes (a candidate import, 50 MB: candidates.importing.readers.MAX_BYTES)
# plus room for the multipart envelope and the other fields.
MULTIPART_LIMIT = 51 * 1024 * 1024


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(status: int, detail: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def service_unavailable() -> JsonResponse:
    return _json(503, UNAVAILABLE_MESSAGE, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            refusal = _body_refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


def _body_refusal(request: HttpRequest) -> JsonResponse | None:
    announced = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(announced)
    except ValueError:
        return _json(400, f"Content-Length is not a number: {announced[:40]!r}.")
    if length < 0:
        return _json(400, "Content-Length is negative.")
    multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
    limit = MULTIPART_LIMIT if multipart else body_limit()
    if length > limit:
        return _json(413, too_large_message(limit))
    return None


# --- Django's error handlers (named in talentcircles.urls) ------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _json(413, too_large_message(body_limit()))
    return _json(400, "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return _json(403, "You do not have permission to perform this action.")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return _json(404, "Not found.")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception (already logged), so it is still current.
    if not is_api(request):
        return defaults.server_error(request)
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable()
    return _json(500, "A server error occurred.")
