"""With the cache unreachable, throttles and rate limits fail open (logged) and nothing answers 500.

The cache here points at a closed local port (nothing listens), so these run on both CI passes;
`test_redis_faults.py` kills a real redis-server under running requests on the PostgreSQL pass.
"""

from __future__ import annotations

import logging
import socket

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from talentcircles.cache import FailOpenRedisCache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKEND = "talentcircles.cache.FailOpenRedisCache"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_cache(settings):
    """The default cache points at a Redis that is not there (the breaker re-tries on every call)."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": BACKEND, "LOCATION": location, "OPTIONS": {"OUTAGE_RETRY_SECONDS": 0}}}
    yield cache
    cache.reset_outage()


def test_every_operation_is_a_miss_and_the_outage_is_logged_once(dead_cache, caplog):
    caplog.set_level(logging.WARNING, logger="talentcircles.cache")
    assert dead_cache.add("lock", True) is True  # nothing recorded: the caller may go ahead
    assert dead_cache.get("history", []) == []
    assert dead_cache.set("history", [1]) is None
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.has_key("history") is False
    assert dead_cache.touch("history") is False
    assert dead_cache.delete("history") is False
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.get_or_set("computed", 7) == 7
    dead_cache.delete_many(["a"])
    dead_cache.clear()
    with pytest.raises(ValueError):
        dead_cache.incr("counter")
    warnings = [r for r in caplog.records if r.name == "talentcircles.cache"]
    assert len(warnings) == 1  # once per interval, not once per call
    assert "failing open" in warnings[0].getMessage()


def test_a_server_that_never_answers_costs_one_short_timeout_then_is_skipped(caplog):
    # A socket that accepts connections (the kernel's backlog) but never speaks: the read times out.
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(16)
        port = mute.getsockname()[1]
        backend = FailOpenRedisCache(
            f"redis://127.0.0.1:{port}/0",
            {"OPTIONS": {"socket_timeout": 0.2, "OUTAGE_RETRY_SECONDS": 60}},
        )
        assert backend.get("key", "default") == "default"
        assert backend.outage.down
        # Within the retry interval the breaker answers without touching the socket.
        assert backend.set("key", "value") is None and backend.get("key") is None
        backend.reset_outage()


def test_the_api_answers_on_postgresql_alone(dead_cache, acme):
    response = acme.client.get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json()["slug"] == acme.org.slug


def test_recruiter_pages_answer(dead_cache, acme):
    assert acme.client.get(f"/o/{acme.org.slug}/").status_code == 200
    assert acme.client.get(f"/o/{acme.org.slug}/candidates/").status_code == 200


def test_a_login_works_and_its_rate_limit_fails_open(dead_cache, password, caplog):
    user = UserFactory(email="during-outage@example.com")
    client = Client()
    for _ in range(6):  # more failures than the limit allows: with no counter, none is limited
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-one"})
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert any("failing open" in r.getMessage() for r in caplog.records)


def test_a_two_factor_login_works(dead_cache, password):
    user = UserFactory(email="careful@example.com")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": password})["Location"] == (
        "/accounts/2fa/authenticate/"
    )
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_healthz_still_names_the_cache_as_down(dead_cache, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "down"
    assert response.json()["database"] == "ok"
