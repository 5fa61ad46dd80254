"""Celery tasks of webhooks out: a few lines each."""

from __future__ import annotations

from celery import shared_task

from talentcircles.webhooks_out.delivery import deliveries_run


@shared_task(ignore_result=True)
def webhooks_deliver_task() -> dict[str, int]:
    """Deliver what is due (beat every few seconds, and a kick after each write); claims keep passes apart."""
    return deliveries_run()
