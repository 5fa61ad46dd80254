"""Celery application: configured from Django settings (CELERY_*), tasks autodiscovered."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")

app = Celery("talentcircles")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py, talentcircles' parts' (audit/, webhooks_out/) and each part's of the engagement
# app (engagement/<part>/tasks.py).
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "talentcircles.audit",
        "talentcircles.webhooks_out",
        "engagement.timeline",
        "engagement.circles",
        "engagement.sequences",
        "engagement.analytics",
        "engagement.circles.jobs.alerts",
    ]
)


@worker_process_init.connect
def _forget_inherited_database_pools(**_kwargs) -> None:
    # A forked worker child must not share the parent's psycopg pool sockets.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()
