"""Celery tasks of the timeline: relationship strength and the "My day" e-mail. A few lines each."""

from __future__ import annotations

from celery import shared_task

from engagement.timeline import digests, relationships


@shared_task
def relationship_refresh_task(candidate_id: int) -> None:
    """Recompute one candidate's relationship strength (queued when a scored activity arrives)."""
    relationships.relationships_refresh(candidate_ids=[candidate_id])


@shared_task
def relationships_refresh_many_task(candidate_ids: list[int]) -> None:
    """Recompute several candidates' relationship strength (a batch of sent messages, an import)."""
    relationships.relationships_refresh(candidate_ids=candidate_ids)


@shared_task(time_limit=3600, soft_time_limit=3540)
def relationships_refresh_all_task() -> int:
    """Nightly: every relationship recomputed (strength decays with time) and owners of cold ones reminded."""
    return relationships.relationships_refresh_all()


@shared_task
def recruiter_digests_send_task() -> int:
    """Hourly: each recruiter's "My day" e-mail once their local morning has come; returns how many were sent."""
    return digests.recruiter_digests_send()
