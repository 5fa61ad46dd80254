"""Celery tasks of the candidates app: a few lines each, calling a service."""

from __future__ import annotations

from celery import shared_task

from candidates import resume_text
from candidates.duplicates import services as duplicates
from candidates.importing import runner
from candidates.retention import notices as retention_notices
from candidates.retention import run as retention_run
from talentcircles.models import Organization


# Imports can outlast the default 5-minute limit (a million rows); the job's row
# records progress, and a second delivery finds the job claimed and does nothing.
@shared_task(time_limit=3600, soft_time_limit=3540)
def import_job_run(job_id: int) -> str | None:
    """Run a queued import job; returns its final status (None when another run has it)."""
    job = runner.import_job_run(job_id=job_id)
    return job.status if job else None


# The text of one résumé, after the checks; the soft limit lets the service record why it stopped,
# the hard one ends a worker process stuck in a C library (the sweep then retries, at most 3 times).
@shared_task(soft_time_limit=resume_text.SOFT_TIME_LIMIT, time_limit=resume_text.HARD_TIME_LIMIT)
def resume_text_extract_task(resume_id: int) -> str | None:
    """Read a pending résumé's text; returns its final status (None when there was nothing to do)."""
    return resume_text.resume_text_extract(resume_id=resume_id)


@shared_task
def resume_extraction_sweep_task() -> dict[str, int]:
    """Queue again the résumés whose extraction was lost (broker down at upload, worker killed)."""
    return resume_text.resume_extraction_sweep()


@shared_task
def duplicates_refresh_task(org_id: int, candidate_ids: list[int]) -> int:
    """Recompute these candidates' duplicate pairs (queued by the writes that change a matching field)."""
    return duplicates.duplicates_refresh(org_id=org_id, candidate_ids=candidate_ids)


# An organisation's pairs at once: about a minute at a million candidates (the pair query's self-joins).
@shared_task(time_limit=1800, soft_time_limit=1740)
def duplicates_rebuild_task(org_id: int) -> int:
    """Recompute every duplicate pair of one organisation; returns how many there are."""
    return duplicates.duplicates_rebuild(org=Organization.objects.get(pk=org_id))


@shared_task
def duplicates_rebuild_all_task() -> int:
    """Nightly: one rebuild per organisation, catching up refreshes a broker outage lost."""
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    for org_id in org_ids:
        duplicates_rebuild_task.delay(org_id)
    return len(org_ids)


# A big organisation's first run after switching the policy on can erase tens of thousands of people.
@shared_task(time_limit=3600, soft_time_limit=3540)
def retention_apply_task(org_id: int, dry_run: bool = False) -> int:
    """Anonymise one organisation's people whose retention clock ran out; returns the run's id."""
    org = Organization.objects.get(pk=org_id)
    return retention_run.retention_apply(org=org, dry_run=dry_run).pk


@shared_task
def retention_apply_all_task() -> int:
    """Daily, just after midnight UTC: one retention run per organisation whose policy is on."""
    org_ids = list(Organization.objects.filter(retention_enabled=True).values_list("pk", flat=True))
    for org_id in org_ids:
        retention_apply_task.delay(org_id)
    return len(org_ids)


@shared_task
def retention_notices_task() -> dict[str, int]:
    """Hourly: plan the "keep me in your community" notices that fell due, and send the pending ones."""
    planned = sum(
        retention_notices.notices_plan(org=org) for org in Organization.objects.filter(retention_enabled=True)
    )
    return {"planned": planned, **retention_notices.notices_send(limit=1000)}
