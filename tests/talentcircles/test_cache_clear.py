"""`cache.clear()` deletes the cache's own keys, never Celery's queues in the same Redis database."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the PostgreSQL + Redis pass)")


def test_clear_keeps_what_celery_keeps_in_the_same_database():
    raw = redis.Redis.from_url(settings.REDIS_URL)
    queue = "test-cache-clear-queue"
    raw.delete(queue)
    raw.rpush(queue, b"a task waiting for a worker")
    cache.set("greeting", "hello")
    cache.set("other", "world", version=2)
    try:
        cache.clear()
        assert cache.get("greeting") is None and cache.get("other", version=2) is None
        assert raw.lrange(queue, 0, -1) == [b"a task waiting for a worker"]
    finally:
        raw.delete(queue)


def test_a_prefix_with_glob_characters_clears_only_its_own_keys(settings):
    raw = redis.Redis.from_url(settings.REDIS_URL)
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "t[c]*"}}
    from django.core.cache import cache as prefixed

    prefixed.set("mine", 1)
    raw.set("tc:1:not-mine", 1)
    try:
        prefixed.clear()
        assert prefixed.get("mine") is None
        assert raw.get("tc:1:not-mine") == b"1"
    finally:
        raw.delete("tc:1:not-mine")
