"""The audit trail's periodic work (beat: talentcircles/settings.py, CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from talentcircles.audit import maintenance


@shared_task
def audit_purge_task() -> int:
    """Delete the entries past AUDIT_RETENTION_DAYS; idempotent (a second run finds nothing)."""
    return maintenance.purge_expired()
