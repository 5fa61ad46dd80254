"""Celery tasks of follow-up sequences: the dispatcher's pass and background enrolments.

Follow-ups are never scheduled as ETA tasks: beat runs the dispatcher every minute and it reads
what is due from the database.
"""

from __future__ import annotations

from celery import shared_task

from engagement.sequences import dispatcher, enrolment_batches


@shared_task
def dispatch_followups(batch_size: int = 100) -> dict[str, int]:
    """Every minute: run every due sequence step once; returns the pass's counts."""
    return dispatcher.dispatch_due(batch_size=batch_size).as_dict()


@shared_task(time_limit=3600, soft_time_limit=3540)
def enrollment_job_task(job_id: int) -> int:
    """Run (or resume) a large enrolment; returns how many were enrolled in all."""
    return enrolment_batches.enrollment_job_run(job_id=job_id).enrolled
