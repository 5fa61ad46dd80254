"""How many files one user may upload (résumés and import files, pages and API alike).

A fixed window counted in the cache: UPLOAD_RATE_LIMIT uploads per UPLOAD_RATE_WINDOW seconds,
per user, whatever the organisation. Every attempt counts, refused files too (a hostile file is
what the limit is for). The cache is a convenience: when it cannot be reached the upload is
allowed (and logged), as the throttles elsewhere fail open.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from rest_framework.exceptions import Throttled

log = logging.getLogger(__name__)


class UploadRateLimited(ValidationError):
    """Too many uploads; `retry_after` is the number of seconds until the window ends."""

    def __init__(self, *, retry_after: int) -> None:
        minutes = max(1, round(settings.UPLOAD_RATE_WINDOW / 60))
        message = (
            f"You have uploaded {settings.UPLOAD_RATE_LIMIT} files in the last {minutes} minutes, "
            f"the most we accept. Try again in {max(1, -(-retry_after // 60))} minute(s)."
        )
        super().__init__({"file": [message]})
        self.retry_after = retry_after


def upload_rate_check(*, user_id: int) -> None:
    """Count one upload by the user; UploadRateLimited when it is one too many."""
    limit, window = settings.UPLOAD_RATE_LIMIT, settings.UPLOAD_RATE_WINDOW
    if limit <= 0:
        return
    now = int(time.time())
    key = f"uploads:{user_id}:{now // window}"
    try:
        cache.add(key, 0, timeout=window + 5)
        count = cache.incr(key)
    except ValueError:  # the key vanished between the two calls (evicted, or a cache that keeps nothing)
        return
    except Exception as exc:  # the cache is down: uploads go on without a limit rather than fail
        log.warning("upload rate limit not applied, the cache is unavailable: %s", exc)
        return
    if count > limit:
        raise UploadRateLimited(retry_after=window - now % window)


# The API's 429, for the schema of every upload operation.
RATE_LIMITED = {429: OpenApiTypes.OBJECT}


def upload_rate_check_or_throttle(user) -> None:
    """upload_rate_check for the API: DRF's 429 with `Retry-After` and the message as `detail`."""
    try:
        upload_rate_check(user_id=user.pk)
    except UploadRateLimited as exc:
        raise Throttled(wait=exc.retry_after, detail=exc.message_dict["file"][0]) from None
