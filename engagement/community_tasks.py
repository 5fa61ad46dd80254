"""Celery tasks of the talent community: digests and invitation e-mails. A few lines each.

Named explicitly because Celery's autodiscovery loads `engagement.tasks`, which imports this
module so the worker registers them.
"""

from __future__ import annotations

from celery import shared_task

from engagement import community_services, digests_community


@shared_task(name="engagement.send_community_digests")
def send_community_digests(frequency: str | None = None) -> int:
    """Every few minutes: each due member's digest of new posts (all frequencies); returns how many e-mails."""
    return digests_community.community_digests_send(frequency=frequency)


@shared_task(name="engagement.community_invitations_send")
def community_invitations_send_task(invitation_ids: list[int]) -> int:
    """E-mail recruiters' community invitations once they are committed; returns how many were sent."""
    return community_services.community_invitations_send(invitation_ids)
