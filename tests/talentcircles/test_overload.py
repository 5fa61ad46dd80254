"""Back-pressure (talentcircles.overload): a bounded number of requests at once per process, a 503
for the others after a bounded wait, and a 503 (not a 500) for a query past the statement timeout."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from talentcircles.env import with_statement_timeout
from talentcircles.overload import ConcurrencyLimitMiddleware, is_statement_timeout

ROOT = Path(__file__).resolve().parents[2]


def limited(settings, *, limit: int, wait_ms: int = 0, view=None) -> ConcurrencyLimitMiddleware:
    settings.WEB_CONCURRENCY_LIMIT = limit
    settings.WEB_QUEUE_WAIT_MS = wait_ms
    return ConcurrencyLimitMiddleware(view or (lambda request: HttpResponse("ok")))


def test_it_lets_requests_through_while_a_slot_is_free(settings):
    middleware = limited(settings, limit=2)
    middleware.slots.acquire()  # another request is running
    assert middleware(RequestFactory().get("/o/acme/")).status_code == 200
    assert middleware(RequestFactory().get("/o/acme/")).status_code == 200  # its slot came back


def test_it_refuses_a_page_with_a_503_when_every_slot_is_taken(settings):
    middleware = limited(settings, limit=1)
    middleware.slots.acquire()
    response = middleware(RequestFactory().get("/o/acme/candidates/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/html")
    assert "busy" in response.content.decode()
    assert middleware.refused == 1


def test_it_refuses_the_api_in_json(settings):
    middleware = limited(settings, limit=1)
    middleware.slots.acquire()
    response = middleware(RequestFactory().get("/api/v1/candidates/"))
    assert response.status_code == 503
    assert "busy" in json.loads(response.content)["detail"]


def test_it_always_answers_the_health_check(settings):
    middleware = limited(settings, limit=1)
    middleware.slots.acquire()
    assert middleware(RequestFactory().get("/healthz")).status_code == 200


def test_a_failing_view_gives_its_slot_back(settings):
    def broken(request):
        raise ZeroDivisionError

    middleware = limited(settings, limit=1, view=broken)
    with pytest.raises(ZeroDivisionError):
        middleware(RequestFactory().get("/o/acme/"))
    middleware.get_response = lambda request: HttpResponse("ok")
    assert middleware(RequestFactory().get("/o/acme/")).status_code == 200


def test_a_waiting_request_gets_the_slot_another_gives_back(settings):
    middleware = limited(settings, limit=1, wait_ms=60_000)
    middleware.slots.acquire()
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(middleware(RequestFactory().get("/o/")).status_code))
    waiting.start()
    middleware.slots.release()  # the running request finishes
    waiting.join(timeout=60)
    assert answers == [200]


def test_no_limit_by_default(settings):
    assert settings.WEB_CONCURRENCY_LIMIT == 0
    assert limited(settings, limit=0).slots is None


def test_the_limit_comes_before_anything_that_reads_the_database():
    middleware = settings.MIDDLEWARE
    limit = middleware.index("talentcircles.overload.ConcurrencyLimitMiddleware")
    assert limit < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[-1] == "talentcircles.overload.StatementTimeoutMiddleware"


# --- The statement timeout ---------------------------------------------------------------------


@pytest.mark.urls("tests.talentcircles.overload_urls")
def test_a_page_past_the_statement_timeout_is_a_503_page(client, db):
    response = client.get("/_test/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "too long" in response.content.decode()


@pytest.mark.urls("tests.talentcircles.overload_urls")
@pytest.mark.parametrize("path", ["/api/v1/_test/slow/", "/api/v1/_test/slow-plain/"])
def test_an_api_call_past_the_statement_timeout_is_a_json_503(client, db, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "too long" in response.json()["detail"]


def test_other_database_errors_are_not_timeouts():
    from django.db import OperationalError

    assert not is_statement_timeout(OperationalError("connection refused"))
    assert not is_statement_timeout(None)


def test_the_timeout_is_a_postgresql_start_up_option_and_never_for_sqlite():
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c a=1"}}
    with_statement_timeout(postgres, 5000)
    assert postgres["OPTIONS"]["options"] == "-c a=1 -c statement_timeout=5000"
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    with_statement_timeout(sqlite, 5000)
    assert "OPTIONS" not in sqlite
    off = {"ENGINE": "django.db.backends.postgresql"}
    with_statement_timeout(off, 0)
    assert "OPTIONS" not in off


CHILD = """
import json, sys
if sys.argv[1] == "web":
    import talentcircles.wsgi  # what gunicorn loads
else:
    import django; django.setup()  # a Celery worker, beat or manage.py
from django.conf import settings
from django.db import connection
shown = None
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        shown = cursor.fetchone()[0]
print(json.dumps({"options": settings.DATABASES["default"]["OPTIONS"].get("options", ""), "shown": shown}))
"""


@pytest.mark.parametrize("process", ["web", "worker"])
def test_only_web_processes_get_the_statement_timeout(process):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentcircles.settings", "DB_STATEMENT_TIMEOUT_MS": "4321"}
    env.pop("TALENTCIRCLES_WEB_PROCESS", None)
    # The server's maintenance database: there whatever DATABASE_URL names (the suite runs in test_<name>).
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:1/unused"
    env["DATABASE_URL"] = urlsplit(url)._replace(path="/postgres").geturl() if url.startswith("postgres") else url
    postgresql = env["DATABASE_URL"].startswith("postgres") and "DATABASE_URL" in os.environ
    child = CHILD if postgresql else CHILD.replace('connection.vendor == "postgresql"', "False")
    done = subprocess.run(
        [sys.executable, "-c", child, process], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert ("statement_timeout=4321" in seen["options"]) is (process == "web")
    if postgresql:
        assert seen["shown"] == ("4321ms" if process == "web" else "0")


@pytest.mark.django_db
def test_a_streamed_download_runs_without_the_timeout_then_puts_it_back():
    from django.db import connection

    from talentcircles.overload import statement_timeout_lifted

    def shown() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    if connection.vendor != "postgresql":
        assert list(statement_timeout_lifted(iter([1, 2]))) == [1, 2]
        return
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1234")  # as a web process's connection starts
    during = list(statement_timeout_lifted(shown() for _ in range(2)))
    assert during == ["0", "0"]
    assert shown() == "1234ms"


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 6, "gthread")
    assert config["accesslog"] is None
    # A worker freezes what start-up built, URLs included, out of the garbage collector's reach.
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    # The image and compose start gunicorn without options that would override the file.
    for name in ("Dockerfile", "docker-compose.yml"):
        assert "--workers" not in (ROOT / name).read_text(), name
