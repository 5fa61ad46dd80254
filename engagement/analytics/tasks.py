"""Celery tasks for response-rate tracking: the nightly roll-up rebuild and the daily guard evaluation.

Beat runs them (talentcircles/settings.py, CELERY_BEAT_SCHEDULE).
"""

from __future__ import annotations

from celery import shared_task

from engagement.analytics.guard import guard_evaluate
from engagement.analytics.rollups.rebuild import rollups_rebuild
from talentcircles.models import Organization


@shared_task(time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def rebuild_response_stats(org_id: int | None = None) -> int:
    """Nightly: every organisation's roll-ups recomputed from the messages (one transaction each)."""
    organizations = Organization.objects.order_by("pk")
    if org_id is not None:
        organizations = organizations.filter(pk=org_id)
    return sum(rollups_rebuild(org=org) for org in organizations)


@shared_task
def evaluate_response_guard() -> int:
    """Daily: warn recruiters under 13%, start and end improvement periods; returns how many were evaluated."""
    return sum(len(guard_evaluate(org=org)) for org in Organization.objects.order_by("pk"))
