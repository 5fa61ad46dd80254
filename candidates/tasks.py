"""Celery tasks of the candidates app: a few lines each, calling a service."""

from __future__ import annotations

from celery import shared_task

from candidates.importing import runner


# Imports can outlast the default 5-minute limit (a million rows); the job's row
# records progress, and a second delivery finds the job claimed and does nothing.
@shared_task(time_limit=3600, soft_time_limit=3540)
def import_job_run(job_id: int) -> str | None:
    """Run a queued import job; returns its final status (None when another run has it)."""
    job = runner.import_job_run(job_id=job_id)
    return job.status if job else None
