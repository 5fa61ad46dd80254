from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread

from talentcircles import events
from talentcircles.celery import app as celery_app
from talentcircles.models import Membership, Organization, User
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, serving one request at a time (connections stay threaded, so keep-alive works).

    On SQLite the test database lives in memory and the live server's threads share the test's one
    connection (Django's connections_override); two requests at once (a page and its htmx panel) then
    deadlock inside sqlite3, both threads waiting for good."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = OneRequestAtATimeServer

    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

    SQLiteOperations = SQLiteWrapper.ops_class
    _flush = SQLiteOperations.execute_sql_flush

    def _flush_with_the_audit_trail(self, sql_list):
        # Transactional tests empty every table with DELETE on SQLite (TRUNCATE on PostgreSQL, which
        # row triggers ignore): the audit trail's trigger lets that through only in maintenance mode.
        maintenance = ["INSERT INTO talentcircles_audit_maintenance DEFAULT VALUES"]
        _flush(self, [*maintenance, *sql_list, "DELETE FROM talentcircles_audit_maintenance"])

    SQLiteOperations.execute_sql_flush = _flush_with_the_audit_trail  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Unit tests run tasks in-process; tests marked real_worker switch this off.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()  # rate limits and throttles must not leak between tests


@dataclass
class Tenant:
    org: Organization
    user: User
    membership: Membership
    client: Client


def _tenant(name: str, role: str = Membership.Role.RECRUITER) -> Tenant:
    org = OrganizationFactory(name=f"{name} Inc", slug=name.lower())
    user = UserFactory(email=f"{name.lower()}@example.com")
    membership = MembershipFactory(user=user, organization=org, role=role)
    client = Client()
    client.force_login(user)
    return Tenant(org=org, user=user, membership=membership, client=client)


@pytest.fixture
def acme(db) -> Tenant:
    """An organisation with one signed-in admin."""
    return _tenant("Acme", role=Membership.Role.ADMIN)


@pytest.fixture
def globex(db) -> Tenant:
    """A second organisation with its own signed-in admin: the other tenant in isolation tests."""
    return _tenant("Globex", role=Membership.Role.ADMIN)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (résumés, imports) go to a per-test folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def seen_events():
    """The CandidateEvents emitted during the test, in order."""
    seen: list[events.CandidateEvent] = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)
