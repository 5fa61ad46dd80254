"""A Redis cache that fails open: when Redis is unreachable, every operation is a miss.

Nothing we keep in the cache is needed to be correct (DESIGN.md: Redis "holds nothing that cannot be
rebuilt"): DRF's throttles, allauth's rate limits and its TOTP replay guard only read and write
counters there. Django's `RedisCache` lets a connection error reach the view, so a Redis outage
answered every API call and every login with a 500. This backend catches Redis errors instead:

- reads return the default (a miss), writes are dropped, `add` answers True (nothing is recorded
  under the key, so the caller may go ahead: allauth takes a lock with `add` and would otherwise
  refuse every login), `incr` raises `ValueError` as for a missing key;
- the first failure opens a breaker for `OUTAGE_RETRY_SECONDS` (5 s by default): until then the
  process does not touch Redis at all, so one request pays at most one short socket timeout and
  the others nothing;
- it logs a warning when it finds Redis down (at most once per `OUTAGE_LOG_SECONDS`, 60 s by
  default, per process) and an info line when Redis answers again;
- socket connect and read timeouts default to 0.5 s (OPTIONS `socket_connect_timeout`,
  `socket_timeout`), so a Redis that does not answer stalls nobody for long.

`/healthz` calls `cache_check()`, which bypasses all of this and raises, so it still says "down".
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import BaseCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_SOCKET_TIMEOUT = 0.5
DEFAULT_RETRY_SECONDS = 5.0
DEFAULT_LOG_SECONDS = 60.0


class _Outage:
    """Per-process state of one Redis location: until when it counts as down, when we last said so."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.logged_at: float | None = None
        self.down = False
        self.lock = threading.Lock()


# Django builds one cache object per thread; the outage is a fact about the server, shared by all.
_outages: dict[str, _Outage] = {}


class FailOpenRedisCache(RedisCache):
    """`RedisCache` whose operations turn a Redis error into a miss, log it, and back off a while."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("OUTAGE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        self.log_seconds = float(options.pop("OUTAGE_LOG_SECONDS", DEFAULT_LOG_SECONDS))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.outage = _outages.setdefault(str(server), _Outage())

    # --- the breaker ------------------------------------------------------------------------

    def _guarded(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        outage = self.outage
        if outage.down and time.monotonic() < outage.down_until:
            return fallback
        try:
            result = call()
        except RedisError as exc:
            self._went_down(operation, exc)
            return fallback
        if outage.down:
            self._came_back()
        return result

    def _went_down(self, operation: str, exc: Exception) -> None:
        outage, now = self.outage, time.monotonic()
        with outage.lock:
            outage.down, outage.down_until = True, now + self.retry_seconds
            quiet = outage.logged_at is not None and now - outage.logged_at < self.log_seconds
            if not quiet:
                outage.logged_at = now
        if not quiet:
            log.warning(
                "cache unreachable (%s: %s); failing open: rate limits and throttles are off, retrying every %.0f s",
                operation,
                exc,
                self.retry_seconds,
            )

    def _came_back(self) -> None:
        with self.outage.lock:
            was_down, self.outage.down = self.outage.down, False
        if was_down:
            log.info("cache reachable again")

    def reset_outage(self) -> None:
        """Forget a remembered outage (tests; an operator would just wait `OUTAGE_RETRY_SECONDS`)."""
        self.outage.down, self.outage.down_until = False, 0.0

    def check(self) -> None:
        """Write, read and delete a key, raising on any failure (for `/healthz`; no breaker)."""
        _round_trip(super())

    # --- the operations ---------------------------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded("add", lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded("get", lambda: RedisCache.get(self, key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded("set", lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded("touch", lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded("delete", lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guarded("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded("has_key", lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        result = self._guarded("incr", lambda: RedisCache.incr(self, key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result  # type: ignore[return-value]

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        failed = list(data)
        return self._guarded("set_many", lambda: RedisCache.set_many(self, data, timeout, version), failed)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded("delete_many", lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> None:
        """Delete this cache's own keys. Django's `clear()` is FLUSHDB, and Celery keeps its queues and
        results in the same Redis database: a cache clear would drop every task waiting there."""
        self._guarded("clear", self._delete_own_keys, None)

    def _delete_own_keys(self) -> None:
        client = self._cache.get_client(write=True)
        own = _glob_escaped(self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=own, count=1000):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)


def _glob_escaped(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def _round_trip(backend: Any) -> None:
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    backend.set(key, value, timeout=10)
    if backend.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    backend.delete(key)


def cache_check(backend: BaseCache) -> None:
    """Raise unless the cache stores and returns a value, whatever the backend (`/healthz`)."""
    check = getattr(backend, "check", None)
    if callable(check):
        check()
    else:
        _round_trip(backend)
