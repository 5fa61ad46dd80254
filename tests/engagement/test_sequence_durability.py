"""Follow-ups survive for real: concurrent dispatchers, a killed worker, a flushed Redis, late replies.

Real Celery worker processes (started here, like tests/talentcircles/test_real_worker.py) run the
dispatcher and deliver through Redis and PostgreSQL to Django's file-based e-mail backend in a
temporary folder; every e-mail the backend accepted is counted there by its Message-ID.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import time as clock_time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from candidates.models import Candidate
from engagement.sequences.builder import sequence_create
from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.enrolment import enrollments_create
from engagement.sequences.models import Enrollment
from engagement.sequences.tasks import dispatch_followups
from messaging.models import Message
from messaging.recovery import messages_sweep
from messaging.services import message_receive
from talentcircles.celery import app as celery_app
from talentcircles.models import Organization
from talentcircles.tasks import organization_figures_task
from tests.factories import MessageTemplateFactory
from tests.waiting import assert_stays_true, wait_until

ROOT = Path(__file__).resolve().parents[2]
# The figure. Dispatch and delivery work in batches (a few ms of CPU a message), so this
# whole file takes about two minutes on a busy 2-core machine; a quicker local run may lower it.
CONCURRENT_ENROLLMENTS = int(os.environ.get("SEQ_DURABILITY_ENROLLMENTS", "1000"))

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and PostgreSQL (the second CI pass)",
    ),
]

WORKER_SETTINGS = """
import os
from talentcircles.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["SEQ_EMAIL_DIR"]
# engagement/tasks.py may not import the sequence tasks yet: make sure the worker knows them.
CELERY_IMPORTS = ["engagement.sequences.tasks"]
"""


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Start, kill and stop real worker processes; read what the e-mail backend received."""

    def __init__(self, tmp_path: Path) -> None:
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        (tmp_path / "seq_worker_settings.py").write_text(WORKER_SETTINGS)
        # Under `make test COVERAGE=…` these workers are not measured: traced, they take about three times
        # the CPU for the 1,450 sends here, and cover a handful of lines the rest of the suite does not.
        unmeasured = {name: value for name, value in os.environ.items() if name != "COVERAGE_PROCESS_CONFIG"}
        self.env = unmeasured | {
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "seq_worker_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "SEQ_EMAIL_DIR": str(self.mail_dir),
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "talentcircles", "worker", "--pool=solo",
             "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                output = process.communicate(timeout=30)[0]
            except subprocess.TimeoutExpired:
                process.kill()
                output = process.communicate()[0]
            if process.returncode not in (0, -15, -9) or os.environ.get("SEQ_WORKER_OUTPUT"):
                print(output)

    def message_ids(self) -> list[bytes]:
        found: list[bytes] = []
        for path in self.mail_dir.iterdir():
            found += re.findall(rb"^Message-ID: (\S+)", path.read_bytes(), flags=re.MULTILINE)
        return found


@pytest.fixture
def workers(transactional_db, tmp_path):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()  # this test run's own Redis database: no task left over from another test
    celery_app.conf.task_always_eager = False
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        broker.flushdb()


def state() -> str:
    """Where the rows stand, for a failure message."""
    statuses = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    enrollments = dict(Enrollment.objects.values_list("steps_done").annotate(n=Count("id")))
    return f"messages by status {statuses}, enrollments by steps done {enrollments}"


def wait_for(condition, *, every: float = 0.2) -> None:
    """Until the workers get there: generous, since 1,000 sends take a while on a busy 2-core machine."""
    wait_until(condition, timeout=180.0, every=every, message=state)


def no_duplicate_sends(workers: Workers, expected: int) -> None:
    """The e-mail backend received each of `expected` messages exactly once, and nothing more comes."""
    assert_stays_true(
        lambda: len(workers.message_ids()) == len(set(workers.message_ids())) == expected,
        for_seconds=1.0,
        every=0.25,
        message=lambda: f"{len(workers.message_ids())} e-mails received, expected {expected}, each once",
    )


def worker_ready() -> None:
    """A worker has started and taken everything queued before now (one solo worker takes the queue in order)."""
    organization = Organization.objects.values_list("pk", flat=True).first()
    organization_figures_task.apply_async(args=[organization]).get(timeout=120)


def sent() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def due_enrollments(acme, count: int, *, steps: int = 1) -> list[Enrollment]:
    """`count` candidates enrolled in a sequence whose first step is due now; the window always open."""
    org = acme.org
    org.send_weekdays = "1234567"
    org.send_window_start, org.send_window_end = clock_time(0, 0), clock_time(23, 59, 59)
    org.daily_send_cap = 0
    org.save()
    template = MessageTemplateFactory(organization=org, owner=acme.user)
    step_list = [{"kind": "email", "template": template.pk}] + [
        {"kind": "email", "template": template.pk, "delay_hours": 1, "same_thread": True} for _ in range(steps - 1)
    ]
    sequence = sequence_create(org=org, owner=acme.user, name="Durable", steps=step_list)
    people = Candidate.objects.bulk_create(
        Candidate(organization=org, first_name=f"P{i}", last_name="Q", email=f"p{i}@example.net") for i in range(count)
    )
    result = enrollments_create(
        org=org, sequence=sequence, enrolled_by=acme.user, candidate_ids=[p.pk for p in people],
        now=timezone.now() - timezone.timedelta(minutes=1), background_threshold=count,
    )  # fmt: skip
    return result.enrolled


def sweep_until_quiet() -> None:
    """Run the messaging sweep (with no staleness wait) until it finds nothing to re-queue."""
    while messages_sweep(stale_after=timezone.timedelta(0)):
        pass


def test_two_dispatchers_at_once_send_each_message_exactly_once(acme, workers):
    total = CONCURRENT_ENROLLMENTS
    due_enrollments(acme, total)
    workers.start()
    workers.start()
    for _ in range(4):  # two passes per worker, at the same time
        dispatch_followups.apply_async(kwargs={"batch_size": 50})
    wait_for(lambda: sent() == total)
    no_duplicate_sends(workers, total)
    assert Message.objects.outgoing().count() == total
    assert not Enrollment.objects.exclude(steps_done=1).exists()


def test_a_worker_killed_mid_batch_then_restarted_sends_everything_once(acme, workers):
    due_enrollments(acme, 300)
    worker = workers.start()
    dispatch_followups.apply_async(kwargs={"batch_size": 50})
    wait_for(lambda: Message.objects.exists(), every=0.02)
    workers.kill(worker)  # SIGKILL: the batch in progress is rolled back by PostgreSQL
    written = Message.objects.count()
    assert 0 < written < 300
    workers.start()
    dispatch_followups.apply_async(kwargs={"batch_size": 50})  # beat's next minute
    wait_for(lambda: Message.objects.count() == 300)
    sweep_until_quiet()  # delivery tasks the killed worker had taken are queued again
    wait_for(lambda: sent() == 300)
    no_duplicate_sends(workers, 300)
    assert not Enrollment.objects.exclude(steps_done=1).exists()


def test_redis_flushed_between_claim_and_delivery_the_sweep_sends_each_once(acme, workers):
    due_enrollments(acme, 100)
    result = dispatch_due(batch_size=50)  # here, in the test: delivery tasks go to Redis on commit
    assert result.messages == 100
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # every delivery task is lost
    # And two rows a dead worker had claimed: stuck in `sending`.
    stuck = list(Message.objects.values_list("pk", flat=True)[:2])
    Message.objects.filter(pk__in=stuck).update(
        status=Message.Status.SENDING, claimed_at=timezone.now() - timezone.timedelta(hours=1)
    )
    workers.start()
    worker_ready()
    assert sent() == 0  # nothing left in the broker
    sweep_until_quiet()
    wait_for(lambda: sent() == 100)
    sweep_until_quiet()  # run again: nothing is stuck, nothing goes twice
    no_duplicate_sends(workers, 100)


def test_running_the_dispatcher_twice_in_the_same_minute_is_harmless(acme, workers):
    due_enrollments(acme, 50)
    workers.start()
    first = dispatch_followups.apply_async()
    second = dispatch_followups.apply_async()
    wait_for(lambda: sent() == 50)
    assert first.get(timeout=30)["messages"] + second.get(timeout=30)["messages"] == 50
    assert dispatch_followups.apply_async().get(timeout=30)["claimed"] == 0
    no_duplicate_sends(workers, 50)


def test_a_reply_between_claim_and_send_cancels_the_follow_up(acme, workers):
    # Both steps run minutes apart: allow two automated messages a day (the contact policy's limit).
    acme.org.automated_messages_per_day = 2  # saved by due_enrollments
    _quiet, answering = due_enrollments(acme, 2, steps=2)
    worker = workers.start()
    dispatch_followups.apply_async()
    wait_for(lambda: sent() == 2)
    workers.kill(worker)
    Enrollment.objects.update(next_run_at=timezone.now() - timezone.timedelta(minutes=1))
    assert dispatch_due().messages == 2  # the follow-ups are written and queued; no worker is running
    follow_up = Message.objects.get(
        sequence_message__enrollment=answering, sequence_message__step=answering.sequence.steps.last()
    )
    message_receive(thread=follow_up.thread, channel="email", body_text="Yes, call me tomorrow")
    workers.start()
    wait_for(lambda: sent() == 3 and Message.objects.filter(status=Message.Status.CANCELLED).exists())
    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.CANCELLED
    assert "answered" in follow_up.last_error
    ids = workers.message_ids()
    assert len(ids) == len(set(ids)) == 3 and follow_up.message_id_header.encode() not in ids
