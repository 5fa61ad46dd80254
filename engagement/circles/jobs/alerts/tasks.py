"""Celery tasks of job alerts: the periodic pass and the scan queued when a job opens. A few lines each."""

from __future__ import annotations

from celery import shared_task

from engagement.circles.jobs.alerts.matching import job_alert_scan_run, pending_scans_run
from engagement.circles.jobs.alerts.sending import job_alerts_send


@shared_task
def job_alert_scan_task(scan_id: int) -> int | None:
    """Queued when a job opens: write the due alerts of the members it matches."""
    return job_alert_scan_run(scan_id=scan_id)


@shared_task
def job_alerts_run_task() -> dict[str, int]:
    """Every minute (beat): match openings whose task was lost, then send every due member their alerts."""
    scans = pending_scans_run()
    result = job_alerts_send()
    return {"scans": scans, "emails": result.emails, "failed": result.failed, "in_doubt": result.in_doubt}
