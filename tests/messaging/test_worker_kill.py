"""A real worker SIGKILLed in the middle of a 100-message batch: at most one duplicate, none lost.

A real Celery worker (as in tests/engagement/test_sequence_durability.py) delivers through Redis and
PostgreSQL to an SMTP server run here (aiosmtpd), which counts the messages it accepted by Message-ID.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from candidates.models import Candidate
from messaging.models import Message
from messaging.outbox import OutgoingDraft, messages_write_many
from messaging.recovery import message_resend, messages_sweep
from talentcircles.celery import app as celery_app
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
BATCH = 100

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and PostgreSQL (the second CI pass): a real worker shares the test database",
    ),
]

WORKER_SETTINGS = """
import os
from talentcircles.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST, EMAIL_PORT = "127.0.0.1", int(os.environ["KILL_SMTP_PORT"])
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = EMAIL_USE_SSL = False
"""


class CountingSmtp:
    """Accepts every message (a little slowly, like a real server) and counts them by Message-ID.

    The HOLD_AT-th message is held a second after its data arrived, before the server answers: the
    moment the test kills the worker is the worst one (the server has the message; the worker never
    hears that it was accepted).
    """

    HOLD_AT = BATCH // 3

    def __init__(self) -> None:
        self.accepted: Counter[bytes] = Counter()
        self.lock = threading.Lock()
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.original_content, flags=re.MULTILINE | re.IGNORECASE)
        with self.lock:
            # Committed to the "queue" as soon as the data is in, like a real MTA: delivered even if
            # the client is gone before it reads the answer.
            self.accepted[found.group(1) if found else b"?"] += 1
            hold = sum(self.accepted.values()) == self.HOLD_AT
        if hold:
            self.holding.set()
        await asyncio.sleep(1.0 if hold else 0.01)
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.accepted.values())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def smtp():
    handler, port = CountingSmtp(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def start_worker(transactional_db, tmp_path, smtp):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    celery_app.conf.task_always_eager = False
    (tmp_path / "kill_worker_settings.py").write_text(WORKER_SETTINGS)
    env = {k: v for k, v in os.environ.items() if k != "COVERAGE_PROCESS_CONFIG"} | {
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "kill_worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "KILL_SMTP_PORT": str(smtp.port),
    }
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "talentcircles", "worker", "--pool=solo", "--loglevel=WARNING",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(process)
        return process

    try:
        yield start
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        broker.flushdb()


def pending() -> int:
    return Message.objects.filter(status__in=[Message.Status.QUEUED, Message.Status.SENDING]).count()


def test_a_worker_killed_mid_batch_sends_at_most_one_duplicate_and_loses_none(acme, smtp, start_worker):
    people = Candidate.objects.bulk_create(
        Candidate(organization=acme.org, first_name=f"P{i}", last_name="Q", email=f"p{i}@example.net")
        for i in range(BATCH)
    )
    drafts = [OutgoingDraft(candidate=p, sender=acme.user, subject="Ledgers", body=f"Hi P{i}, a call?") for i, p in
              enumerate(people)]  # fmt: skip
    messages_write_many(org=acme.org, drafts=drafts)  # committed: one task of 100 ids goes to Redis
    worker = start_worker()
    assert smtp.holding.wait(timeout=120)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    at_kill = smtp.total()
    assert at_kill < BATCH, "the batch finished before the kill: slow the SMTP server down"

    # No worker is running: everything still `sending` is the dead worker's (beat would run this with
    # the usual staleness wait). Then a new worker takes what the sweep queued again.
    started = time.monotonic()
    messages_sweep(stale_after=timezone.timedelta(0))
    unknown = list(Message.objects.filter(status=Message.Status.UNKNOWN))
    assert len(unknown) <= 1
    start_worker()
    wait_until(lambda: pending() == 0, timeout=120, every=0.05)
    for message in unknown:  # the person's one click
        message_resend(org=acme.org, message=message, user=acme.user)
    wait_until(lambda: Message.objects.filter(status=Message.Status.SENT).count() == BATCH, timeout=60)
    recovered_in = time.monotonic() - started

    ours = set(Message.objects.values_list("message_id_header", flat=True))
    accepted = {key.decode(): count for key, count in smtp.accepted.items()}
    duplicates = sum(count - 1 for count in accepted.values())
    lost = len(ours - set(accepted))
    print(
        f"\nworker killed after {at_kill} of {BATCH} accepted; delivery unknown: {len(unknown)}; "
        f"duplicates {duplicates}, lost {lost}; recovered in {recovered_in:.1f} s"
    )
    assert set(accepted) <= ours
    assert duplicates <= 1 and lost == 0
