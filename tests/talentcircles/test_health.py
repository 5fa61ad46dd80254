from __future__ import annotations

import pytest

from talentcircles import health

pytestmark = pytest.mark.django_db


def test_it_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_it_answers_503_naming_what_is_down(client, settings, monkeypatch):
    from talentcircles.celery import app

    # A broker nobody listens on (a closed local port) and a cache server that is not there.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "down", "broker": "down"}


def test_it_says_when_the_database_is_down(client, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
