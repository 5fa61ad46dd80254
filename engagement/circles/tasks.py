"""Celery tasks of the talent community: digests and invitation e-mails. A few lines each."""

from __future__ import annotations

from celery import shared_task

from engagement.circles import digests, invitations


@shared_task
def send_community_digests(frequency: str | None = None) -> int:
    """Every few minutes: each due member's digest of new posts (all frequencies); returns how many e-mails."""
    return digests.community_digests_send(frequency=frequency)


@shared_task
def community_invitations_send_task(invitation_ids: list[int]) -> int:
    """E-mail recruiters' community invitations once they are committed; returns how many were sent."""
    return invitations.community_invitations_send(invitation_ids)
