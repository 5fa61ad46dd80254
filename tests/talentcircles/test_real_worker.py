"""A real Celery worker, started here, runs a task end to end through Redis and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from talentcircles.celery import app as celery_app
from talentcircles.tasks import organization_figures_task
from tests.factories import CandidateFactory, CircleFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and PostgreSQL (the second CI pass)",
    ),
]


def _database_url_of_the_test_database() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue(transactional_db):
    queue = f"realworker-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DATABASE_URL": _database_url_of_the_test_database(), "REDIS_URL": settings.REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "talentcircles", "worker",
         "--pool=solo", "--queues", queue, "--loglevel=WARNING", "--without-heartbeat", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
        if worker.returncode not in (0, -15):
            print(output)


def test_a_worker_computes_an_organisations_figures(acme, worker_queue):
    CandidateFactory.create_batch(4, organization=acme.org)
    CircleFactory.create_batch(2, organization=acme.org)
    result = organization_figures_task.apply_async(args=[acme.org.pk], queue=worker_queue)
    assert result.get(timeout=60) == {"candidates": 4, "circles": 2, "members": 1}
