"""Messaging's subscriber to `talentcircles.events`: a person's conversations follow their record.

An erasure or a merge is the candidates app's write; each app then does its own part of it, in the
same transaction (`MessagingConfig.ready()` subscribes this).
"""

from __future__ import annotations

from messaging.privacy import conversations_move, erase_messaging_data
from talentcircles import events


def on_candidate_event(event: events.CandidateEvent) -> None:
    if event.kind == events.ERASED:
        erase_messaging_data(event.candidate_id)
    elif event.kind == events.MERGED:
        conversations_move(from_candidate_id=event.related["merged_candidate_id"], to_candidate_id=event.candidate_id)
