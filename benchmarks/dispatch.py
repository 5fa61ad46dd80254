"""Follow-up dispatch and delivery by one real worker, next to a no-op task's rate (run by `make bench`).

Prints figures; it is not a timed test. PostgreSQL and Redis (DATABASE_URL, REDIS_URL). Creates its
own organisation, enrols BENCH_DISPATCH_ENROLLMENTS (default 10,000) candidates in a one-step
sequence (timed: target under 10 s), starts one Celery worker whose e-mail backend is locmem (DEBUG
off, as in production), measures the rate of BENCH_DISPATCH_NOOPS no-op tasks, then sends one
dispatcher pass to the worker and times until every message is `sent`. Target: 500 messages/s.
It does this for each pool in BENCH_DISPATCH_POOLS (default "solo prefork"): one process, then the
worker's default pool (prefork, a process per CPU), each with a fresh organisation.
Before that, in this process, it counts the SQL statements of one dispatcher batch and one delivery
batch of BENCH_DISPATCH_BATCH (default 100) on a second, small organisation: those figures do not
depend on how busy the machine is. The organisations are removed when done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from engagement.sequences.builder import sequence_create  # noqa: E402
from engagement.sequences.enrolment import enrollments_create  # noqa: E402
from engagement.sequences.tasks import dispatch_followups  # noqa: E402
from messaging.models import Message, MessageTemplate  # noqa: E402
from talentcircles.celery import app as celery_app  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

ENROLLMENTS = int(os.environ.get("BENCH_DISPATCH_ENROLLMENTS", "10000"))
BATCH = int(os.environ.get("BENCH_DISPATCH_BATCH", "100"))
NOOPS = int(os.environ.get("BENCH_DISPATCH_NOOPS", "2000"))
TARGET_RATE = 500
POOLS = {
    "solo": "one worker, one process (--pool=solo)",
    "prefork": f"one worker, default pool (prefork, {os.cpu_count()} processes)",
}
TARGET_ENROL_SECONDS = 10.0
WORKER_SETTINGS = """
from talentcircles.settings import *  # noqa: F403
# As in production: with DEBUG on, Django also keeps the text of every statement the worker runs.
DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_IMPORTS = ["engagement.sequences.tasks", "bench_noop"]
"""
NOOP_TASK = """
from celery import shared_task


@shared_task(name="bench.noop")
def noop():
    return None
"""


def seed(count: int = ENROLLMENTS) -> tuple[Organization, User, object, list[int]]:
    stamp = f"{int(time.time())}-{count}"
    org = Organization.objects.create(
        name="Bench Dispatch", slug=f"bench-dispatch-{stamp}", send_weekdays="1234567",
        send_window_start=clock_time(0, 0), send_window_end=clock_time(23, 59, 59), daily_send_cap=0,
    )  # fmt: skip
    user = User.objects.create_user(email=f"bench-dispatch-{stamp}@example.com", first_name="Riley", last_name="Bench")
    Membership.objects.create(user=user, organization=org, role=Membership.Role.ADMIN)
    template = MessageTemplate.objects.create(
        organization=org, name="Hello", owner=user,
        subject="{{ candidate.first_name }}, a role at {{ organization.name }}",
        body="Hi {{ candidate.first_name }},\n\nYour work as {{ candidate.current_title|default:'an engineer' }} "
        "stood out. Would you be open to a short call?\n\n{{ recruiter.full_name }}",
    )  # fmt: skip
    sequence = sequence_create(org=org, owner=user, name="Bench", steps=[{"kind": "email", "template": template.pk}])
    people = Candidate.objects.bulk_create(
        (Candidate(organization=org, first_name=f"First{i}", last_name=f"Last{i}", current_title="Backend Engineer",
                   email=f"bench-dispatch-{stamp}-{i}@example.net") for i in range(count)),
        batch_size=2000,
    )  # fmt: skip
    return org, user, sequence, [p.pk for p in people]


def start_worker(folder: Path, pool: str) -> subprocess.Popen:
    (folder / "bench_worker_settings.py").write_text(WORKER_SETTINGS)
    (folder / "bench_noop.py").write_text(NOOP_TASK)
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bench_worker_settings",
                        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}  # fmt: skip
    if pool not in POOLS:
        sys.exit(f"BENCH_DISPATCH_POOLS: choose among {', '.join(POOLS)}.")
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "talentcircles", "worker", f"--pool={pool}", "--loglevel=WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def count_queries() -> None:
    """Statements for one dispatcher batch and one delivery batch of BATCH messages (not timed)."""
    from django.core import mail
    from django.test.utils import CaptureQueriesContext, override_settings

    import messaging.services
    from engagement.sequences.dispatcher import dispatch_due
    from messaging.delivery import messages_deliver

    org, user, sequence, ids = seed(BATCH)
    queued: list[list[int]] = []
    enqueue = messaging.services.enqueue_deliveries
    messaging.services.enqueue_deliveries = queued.append  # keep the ids here instead of on Redis
    try:
        enrollments_create(
            org=org, sequence=sequence, enrolled_by=user, candidate_ids=ids,
            now=timezone.now() - timezone.timedelta(minutes=1), background_threshold=len(ids),
        )  # fmt: skip
        with CaptureQueriesContext(connection) as dispatched:
            dispatch_due(batch_size=BATCH, max_batches=1)
        message_ids = [pk for batch in queued for pk in batch]
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with CaptureQueriesContext(connection) as delivered:
                outcome = messages_deliver(message_ids)
            mail.outbox = []
        print(
            f"queries per batch of {BATCH}: dispatch {len(dispatched.captured_queries)} "
            f"({len(message_ids)} written), delivery {len(delivered.captured_queries)} ({outcome.counts()})"
        )
    finally:
        messaging.services.enqueue_deliveries = enqueue
        Organization.objects.filter(pk=org.pk).delete()


def run(pool: str, *, time_enrolment: bool) -> None:
    """Seed, enrol, then dispatch and deliver with one worker started with `pool`; print the figures."""
    org, user, sequence, ids = seed()
    worker = None
    try:
        started = time.perf_counter()
        result = enrollments_create(
            org=org, sequence=sequence, enrolled_by=user, candidate_ids=ids,
            now=timezone.now() - timezone.timedelta(minutes=1), background_threshold=len(ids),
        )  # fmt: skip
        enrol_seconds = time.perf_counter() - started
        if time_enrolment:
            print(f"enrol {len(result.enrolled):,} candidates: {enrol_seconds:.2f} s "
                  f"(target < {TARGET_ENROL_SECONDS:.0f} s)")  # fmt: skip

        with tempfile.TemporaryDirectory() as folder:
            worker = start_worker(Path(folder), pool)
            celery_app.send_task("bench.noop").get(timeout=60)  # the worker is up
            started = time.perf_counter()
            pings = [celery_app.send_task("bench.noop") for _ in range(NOOPS)]
            for ping in pings:
                ping.get(timeout=120)
            noop_rate = NOOPS / (time.perf_counter() - started)

            started = time.perf_counter()
            pass_result = dispatch_followups.apply_async(kwargs={"batch_size": 200})
            counts = pass_result.get(timeout=3600)
            dispatched = time.perf_counter() - started
            # Count this organisation's messages only: the pass also runs anything else due in the database.
            written = Message.objects.filter(organization=org).count()
            while Message.objects.filter(organization=org, status=Message.Status.SENT).count() < written:
                time.sleep(0.5)
            total = time.perf_counter() - started
            print(f"[{POOLS[pool]}] dispatch pass: {counts['messages']:,} messages written in {dispatched:.1f} s "
                  f"({counts['messages'] / dispatched:,.0f}/s)")  # fmt: skip
            print(f"[{POOLS[pool]}] dispatched and delivered: {written / total:,.0f} messages/s "
                  f"(target {TARGET_RATE}/s); no-op task {noop_rate:,.0f}/s")  # fmt: skip
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        Organization.objects.filter(pk=org.pk).delete()


def main() -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("benchmarks/dispatch.py needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
    celery_app.conf.task_always_eager = False
    count_queries()
    for number, pool in enumerate(os.environ.get("BENCH_DISPATCH_POOLS", "solo prefork").split()):
        run(pool, time_enrolment=number == 0)


if __name__ == "__main__":
    main()
