"""The one path by which lower apps tell `engagement` that something happened to a candidate.

Services in `candidates` and `messaging` call `emit()` inside their transaction. Engagement's
timeline receiver (engagement/timeline/receivers.py, subscribed from its AppConfig.ready) dispatches
by kind to the timeline and the other parts' handlers; messaging's receiver erases and moves its own
conversations on ERASED and MERGED. Database writes happen in the same transaction, slow work is
queued on commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

CREATED = "candidate.created"
UPDATED = "candidate.updated"
IMPORTED = "candidate.imported"
MERGED = "candidate.merged"
DELETED = "candidate.deleted"
STAGE_CHANGED = "candidate.stage_changed"
PROFILE_CHANGED = "candidate.profile_changed"  # by the candidate, in the portal
CONSENT_CHANGED = "candidate.consent_changed"
UNSUBSCRIBED = "candidate.unsubscribed"
ERASED = "candidate.erased"
# From `messaging`; related carries message_id and thread_id.
MESSAGE_SENT = "message.sent"  # handed to the e-mail backend
REPLY_RECEIVED = "message.reply_received"  # a real answer (e-mail or portal), never an auto-reply
AUTO_REPLY_RECEIVED = "message.auto_reply_received"  # out of office and the like; details: subject
RESPONSE_CLICKED = "message.response_clicked"  # one-click "Interested" / "Not interested"; details: classification
# A message did not arrive; details: hard, status, diagnostic, soft_bounces, limit, undeliverable.
BOUNCED = "message.bounced"
# The candidate reported a message as spam (an ARF feedback report); details: feedback_type, source, subject.
COMPLAINED = "message.complained"
KINDS = frozenset(
    {
        CREATED,
        UPDATED,
        IMPORTED,
        MERGED,
        DELETED,
        STAGE_CHANGED,
        PROFILE_CHANGED,
        CONSENT_CHANGED,
        UNSUBSCRIBED,
        ERASED,
        MESSAGE_SENT,
        REPLY_RECEIVED,
        AUTO_REPLY_RECEIVED,
        RESPONSE_CLICKED,
        BOUNCED,
        COMPLAINED,
    }
)
# The candidate answered: what stops sequences and counts as a response.
ANSWER_KINDS = frozenset({REPLY_RECEIVED, RESPONSE_CLICKED})


@dataclass(frozen=True)
class CandidateEvent:
    organization_id: int
    candidate_id: int
    kind: str
    occurred_at: datetime = field(default_factory=timezone.now)
    actor_id: int | None = None
    related: dict[str, int] = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown candidate event kind {self.kind!r}.")


Subscriber = Callable[[CandidateEvent], None]
BatchSubscriber = Callable[[Sequence[CandidateEvent]], None]
_subscribers: list[Subscriber] = []
_batch_subscribers: list[BatchSubscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def subscribe_batch(subscriber: BatchSubscriber) -> None:
    """Subscribe with a function that takes a sequence of events (bulk writes for imports)."""
    if subscriber not in _batch_subscribers:
        _batch_subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber | BatchSubscriber) -> None:
    _subscribers[:] = [each for each in _subscribers if each != subscriber]
    _batch_subscribers[:] = [each for each in _batch_subscribers if each != subscriber]


def emit(event: CandidateEvent) -> None:
    emit_many([event])


def emit_many(batch: Sequence[CandidateEvent]) -> None:
    """Announce several events at once, in order: what a bulk write (an import) calls."""
    if not batch:
        return
    for batch_subscriber in _batch_subscribers:
        batch_subscriber(batch)
    for subscriber in _subscribers:
        for event in batch:
            subscriber(event)
