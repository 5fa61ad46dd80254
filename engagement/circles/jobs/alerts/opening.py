"""The job service's one call into job alerts: a job opened, so its matches are to be found.

`job_alerts_on_open` runs inside the opening's transaction and only writes a `JobAlertScan` row (the
durable record that matching is due); the matching itself runs in a task queued on commit (best
effort: a broker that is down never fails the opening) and, whatever happens to that task, in the
periodic pass, which claims every scan still pending.
"""

from __future__ import annotations

import logging

from django.db import transaction

from engagement.circles.jobs.alerts.models import JobAlertScan
from engagement.circles.jobs.models import Job

logger = logging.getLogger(__name__)


def job_alerts_on_open(*, job: Job) -> JobAlertScan:
    """Record that the job's opening is to be matched against members' alerts (once per opening)."""
    assert job.opened_at is not None, "called once the job is open"
    scan, created = JobAlertScan.objects.get_or_create(
        job=job, opened_at=job.opened_at, defaults={"organization_id": job.organization_id}
    )
    if created:
        transaction.on_commit(lambda: publish_scan(scan.pk))
    return scan


def publish_scan(scan_id: int) -> None:
    """Queue the scan's task now; best effort (the periodic pass takes any scan whose task was lost)."""
    from engagement.circles.jobs.alerts.tasks import job_alert_scan_task

    try:
        job_alert_scan_task.apply_async((scan_id,), retry=False)
    except Exception:  # the broker is unreachable: the periodic pass matches it within minutes
        logger.warning("Could not publish the job-alert scan %s; the periodic pass will", scan_id, exc_info=True)
