"""What each event's payload carries: ids, and the changed fields, never more personal data than the event
needs (docs/webhooks.md lists them). No names, e-mail addresses, message bodies or subjects, free-text
reasons or notes: a receiver that wants them asks the API with its token.
"""

from __future__ import annotations

from datetime import datetime

from talentcircles import events

# Values that are ours (choices), not the person's: safe to send.
_STAGE_KEYS = ("previous", "stage")


def _fields(event: events.CandidateEvent) -> list[str]:
    return sorted(str(name) for name in event.details.get("fields") or [])


def from_candidate_event(event: events.CandidateEvent) -> tuple[str, dict] | None:
    """(event type, data) for an event that webhooks announce, or None."""
    kind, details = event.kind, event.details
    if kind == events.CREATED:
        return "candidate.created", {"source": str(details.get("source", ""))}
    if kind == events.IMPORTED:
        if details.get("outcome") == "created":
            return "candidate.created", {"source": "import"}
        return "candidate.updated", {"fields": _fields(event), "by": "import"}
    if kind == events.UPDATED:
        return "candidate.updated", {"fields": _fields(event), "by": "recruiter"}
    if kind == events.PROFILE_CHANGED:
        return "candidate.updated", {"fields": _fields(event), "by": "candidate"}
    if kind == events.STAGE_CHANGED:
        return "candidate.stage_changed", {
            "previous_stage": details.get("previous"),
            "stage": details.get("stage"),
        }
    if kind in (events.REPLY_RECEIVED, events.RESPONSE_CLICKED):
        return "message.replied", {
            "message_id": event.related.get("message_id"),
            "thread_id": event.related.get("thread_id"),
            "channel": str(details.get("channel", "")),
            "classification": str(details.get("classification", "")),
        }
    if kind == events.UNSUBSCRIBED:
        return "candidate.unsubscribed", {"source": str(details.get("source", ""))}
    if kind == events.ERASED:
        return "candidate.erased", {}
    return None


def envelope(
    *, event_id: str, event_type: str, occurred_at: datetime, organization: str, candidate_id: int | None, data: dict
) -> dict:
    """The JSON body every delivery carries."""
    return {
        "id": event_id,
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "organization": organization,
        "data": {"candidate_id": candidate_id, **data} if candidate_id is not None else data,
    }
