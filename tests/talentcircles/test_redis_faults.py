"""Fault injection: a throw-away redis-server, started here, is killed under running requests.

The cache (and, for the send, Celery's broker) points at it. While it is down: no 5xx from the API,
pages or logins; throttles and login rate limits fail open with one warning; `/healthz` names the
cache. Once it is back: limits apply again and a message written while it was down is delivered
once. Runs on the PostgreSQL + Redis CI pass; `test_cache_outage.py` covers the same answers with
a closed port on both passes.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from messaging import tasks as messaging_tasks
from messaging.models import Message
from talentcircles import services
from talentcircles.cache import FailOpenRedisCache
from talentcircles.celery import app as celery_app
from tests.factories import CandidateFactory, UserFactory
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.REDIS_URL or not shutil.which("redis-server"),
        reason="fault tests run on the PostgreSQL + Redis pass (REDIS_URL set, redis-server installed)",
    ),
]

PERSONAL = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a 20-minute call "
    "next week to compare notes? No pressure either way."
)


class ThrowawayRedis:
    """A redis-server of our own on a free port, without persistence, that a test may kill and restart."""

    def __init__(self, workdir: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", self.workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(self._answers, timeout=10, message=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no goodbye to the clients
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def keys(self, pattern: str) -> list[bytes]:
        return list(self.client().keys(pattern))


@pytest.fixture
def throwaway_redis(settings, tmp_path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(str(tmp_path))
    server.start()
    # OUTAGE_RETRY_SECONDS=0: the breaker tries Redis again on every call, so "back" is seen at once.
    options = {"OUTAGE_RETRY_SECONDS": 0}
    settings.CACHES = {
        "default": {"BACKEND": "talentcircles.cache.FailOpenRedisCache", "LOCATION": server.url, "OPTIONS": options}
    }
    try:
        yield server
    finally:
        server.kill()
        cache.reset_outage()


@pytest.fixture
def strict_throttle(monkeypatch):
    """Three API calls a minute per user, so a working throttle is seen refusing the fourth."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "60/minute", "user": "3/minute"})


def kill_during(monkeypatch, server: ThrowawayRedis, method: str) -> None:
    """Kill the server inside the next call of the cache's `method`, i.e. in the middle of a request."""
    original: Callable[..., Any] = getattr(FailOpenRedisCache, method)

    def killing(self: FailOpenRedisCache, *args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(FailOpenRedisCache, method, original)
        server.kill()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FailOpenRedisCache, method, killing)


def _token_client(tenant) -> Client:
    issued = services.api_token_create(membership=tenant.membership, name="faults")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def test_api_calls_survive_redis_dying_under_them(throwaway_redis, strict_throttle, acme, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="talentcircles.cache")
    url = "/api/v1/organization/"
    statuses = [acme.client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the throttle works while Redis is up
    assert throwaway_redis.keys("*throttle_user*")

    kill_during(monkeypatch, throwaway_redis, "get")  # as the throttle reads its history
    token_client = _token_client(acme)
    statuses = [token_client.get(url).status_code for _ in range(5)]
    statuses += [acme.client.get(url).status_code for _ in range(5)]
    assert statuses == [200] * 10  # no 5xx; the throttle fails open
    warnings = [r.getMessage() for r in caplog.records if r.name == "talentcircles.cache"]
    assert len(warnings) == 1 and "failing open" in warnings[0]

    throwaway_redis.start()
    statuses = [token_client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # back: the counters live in Redis again


def test_pages_answer_while_redis_is_down(throwaway_redis, acme, monkeypatch):
    slug = acme.org.slug
    pages = [f"/o/{slug}/", f"/o/{slug}/candidates/", f"/o/{slug}/messages/", f"/o/{slug}/analytics/", "/"]
    kill_during(monkeypatch, throwaway_redis, "get")
    assert {page: acme.client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200) | {"/": 302}
    assert Client().get("/accounts/login/").status_code == 200


def test_logins_work_while_redis_is_down_and_are_limited_again_once_it_is_back(
    throwaway_redis, password, monkeypatch, caplog
):
    user = UserFactory(email="recruiter@example.com")

    def attempt(client: Client, secret: str) -> str:
        response = client.post("/accounts/login/", {"login": user.email, "password": secret})
        assert response.status_code in (200, 302)
        return "in" if response.status_code == 302 else response.content.decode()

    client = Client()
    for _ in range(5):
        assert "The email address and/or password you specified are not correct." in attempt(client, "wrong")
    assert "Too many failed login attempts" in attempt(client, password)  # limited while Redis is up

    kill_during(monkeypatch, throwaway_redis, "add")  # allauth takes its lock with `add`
    assert attempt(Client(), password) == "in"
    for _ in range(6):
        assert "Too many failed login attempts" not in attempt(Client(), "wrong")
    assert attempt(Client(), password) == "in"  # the limit failed open
    assert any("failing open" in r.getMessage() for r in caplog.records)

    throwaway_redis.start()
    client = Client()
    for _ in range(5):
        attempt(client, "wrong")
    assert "Too many failed login attempts" in attempt(client, password)  # enforced again


def test_the_admin_login_works_while_redis_is_down(throwaway_redis, password):
    staff = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    throwaway_redis.kill()
    client = Client()
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_healthz_names_the_cache_while_redis_is_down_and_recovers(throwaway_redis, client):
    assert client.get("/healthz").json()["cache"] == "ok"
    throwaway_redis.kill()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "down" and response.json()["database"] == "ok"
    throwaway_redis.start()
    assert client.get("/healthz").json()["cache"] == "ok"


@pytest.fixture
def broker_on(throwaway_redis, monkeypatch) -> Iterator[ThrowawayRedis]:
    """Celery publishes to the throw-away server for real (not eagerly)."""
    monkeypatch.setattr(celery_app.conf, "broker_url", throwaway_redis.url)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    celery_app.conf.task_always_eager = False
    yield throwaway_redis
    celery_app.pool.force_close_all()


def _run_published_tasks() -> int:
    """Take every task waiting in the throw-away broker and run it here, as a worker would."""
    ran = 0
    with celery_app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
        while True:
            try:
                message = queue.get(block=True, timeout=1)
            except queue.Empty:
                return ran
            args, kwargs, _embed = message.decode()
            celery_app.tasks[message.headers["task"]].apply(args=args, kwargs=kwargs)
            message.ack()
            ran += 1


@pytest.mark.django_db(transaction=True)  # on_commit runs inside the request, as in production
def test_a_send_while_redis_is_down_is_queued_then_delivered_once_it_is_back(broker_on, acme, monkeypatch):
    ana = CandidateFactory(organization=acme.org, first_name="Ana", current_company="Initech", email="ana@example.net")
    broker_on.kill()
    response = acme.client.post(
        f"/o/{acme.org.slug}/messages/new/?candidate={ana.pk}",
        {"candidate": ana.pk, "action": "send", "subject": "Ledgers", "body": PERSONAL},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.status == Message.Status.QUEUED and mail.outbox == []

    broker_on.start()
    relay = messaging_tasks.relay_unpublished_messages
    real_now, ran = timezone.now, 0
    for minutes_later in (2, 3, 15):  # beat's periodic passes; by 15 minutes the sweep has looked too
        monkeypatch.setattr(timezone, "now", lambda minutes=minutes_later: real_now() + timedelta(minutes=minutes))
        relay()
        messaging_tasks.sweep_stuck_messages()
        ran += _run_published_tasks()
    assert ran >= 1  # through the broker, not eagerly
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [m.to for m in mail.outbox] == [["ana@example.net"]]  # delivered once
