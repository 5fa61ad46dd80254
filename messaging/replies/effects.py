"""What messaging does about a reply's intent; engagement does the rest through the reply's event.

An opt-out ("please stop emailing me", "Bitte keine E-Mails mehr") has the force of the one-click
unsubscribe: `candidate_unsubscribe` (consent withdrawn, address suppressed, UNSUBSCRIBED emitted
naming the reply, which stops sequences and tells the owner) and every message still queued for the
candidate is cancelled. Only the candidate can undo it (portal preferences, or a new consent they
give): nothing here or in a correction ever resubscribes anyone.

"Later" carries the date to ask again in the event's details; engagement makes the reminder.
"""

from __future__ import annotations

from datetime import date

from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_unsubscribe
from messaging.models import Message
from messaging.replies.classifier import LATER, votes
from messaging.replies.later import ask_again
from talentcircles.models import User

OPT_OUT_CANCELLED = "Not sent: the candidate asked in a reply to receive no more messages."


def later_details(text: str, *, today: date) -> dict[str, str]:
    """`ask_again_on` (ISO date) and `ask_again_because` ("March", "in 6 months", "" for the default)."""
    start = next((vote.start for vote in votes(text) if vote.intent == LATER), 0)
    when = ask_again(text, today=today, after=start)
    return {"ask_again_on": when.on.isoformat(), "ask_again_because": when.because}


def reply_details(message: Message) -> dict[str, str]:
    """What the reply's event carries beside its classification: the reason, and when to ask again."""
    details = {"classification_reason": message.classification_reason}
    if message.classification == Message.Classification.LATER:
        today = (message.received_at or message.created_at).date()
        details.update(later_details(message.body_text, today=today))
    return details


def opt_out_apply(*, message: Message, actor: User | None = None, via: str = "reply") -> bool:
    """Unsubscribe the candidate the reply came from and cancel what is queued for them. False when
    they were already unsubscribed or erased (the queue is still emptied)."""
    candidate = Candidate.objects.filter(pk=message.candidate_id).first()
    if candidate is None:
        return False
    Message.objects.filter(
        organization_id=message.organization_id,
        candidate_id=message.candidate_id,
        direction=Message.Direction.OUT,
        status=Message.Status.QUEUED,
    ).update(status=Message.Status.CANCELLED, last_error=OPT_OUT_CANCELLED, next_attempt_at=None)
    if candidate.erased_at or candidate.unsubscribed_at:
        return False
    candidate_unsubscribe(
        candidate=candidate,
        # The candidate's own request, like the link: ConsentRecord has no "reply" source of its own.
        source=ConsentRecord.Source.UNSUBSCRIBE_LINK,
        actor=actor,
        related={"message_id": message.pk, "thread_id": message.thread_id},
        details={"via": via, "phrase": message.classification_reason},
    )
    return True
