"""A recruiter corrects what a reply was read as: recorded (who, when, from → to) and its effects redone.

The correction emits REPLY_RECLASSIFIED; engagement moves the stage (to or back from "not
interested"), stops sequences, makes or closes the "ask again" reminder. A correction *to* opt-out
unsubscribes the candidate as their reply would have. A correction *from* opt-out resubscribes no
one: only the candidate can undo an unsubscribe (portal preferences or a new consent).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from messaging.models import ClassificationCorrection, Message
from messaging.replies.effects import later_details, opt_out_apply
from messaging.services import MessagingError
from talentcircles import events
from talentcircles.models import Membership, Organization, User

Classification = Message.Classification
CORRECTION_NOTE_OPT_OUT = (
    "Correcting an opt-out does not resubscribe the candidate: only they can, from their preferences."
)


def _name(user: User) -> str:
    return user.get_full_name() or user.email or f"user #{user.pk}"


@transaction.atomic
def message_reclassify(*, org: Organization, message: Message, classification: str, user: User) -> Message:
    """Set the classification of one of the organisation's incoming replies, as `user` corrects it.

    Raises MessagingError (field "classification" or "message") for an unknown value, a message of
    another organisation, an outgoing message or an automatic reply. The same value again changes nothing.
    """
    if classification not in Classification.values:
        raise MessagingError(f"Choose one of: {', '.join(Classification.values)}.", field="classification")
    locked = Message.objects.select_for_update().filter(organization=org, pk=message.pk).first()
    if locked is None:
        raise MessagingError("No such message.", field="message")
    if locked.direction != Message.Direction.IN or locked.is_auto_reply:
        raise MessagingError("Only a candidate's own reply has a classification to correct.", field="message")
    if not Membership.objects.for_org(org).filter(user=user).exists():
        raise MessagingError("Only a member of the organisation can correct its messages.", field="user")
    previous = locked.classification
    if previous == classification:
        return locked
    now = timezone.now()
    ClassificationCorrection.objects.create(
        organization=org,
        message=locked,
        corrected_by=user,
        corrected_at=now,
        previous=previous,
        classification=classification,
        previous_reason=locked.classification_reason,
    )
    previous_label = Classification(previous).label if previous in Classification.values else "none"
    locked.classification = classification
    locked.classification_reason = f"Corrected by {_name(user)} (was {previous_label})"[:200]
    locked.save(update_fields=["classification", "classification_reason"])
    details: dict[str, str] = {"previous": previous, "classification": classification}
    if classification == Classification.LATER:
        details.update(later_details(locked.body_text, today=timezone.localdate(now)))
    events.emit(
        events.CandidateEvent(
            organization_id=org.pk,
            candidate_id=locked.candidate_id,
            kind=events.REPLY_RECLASSIFIED,
            occurred_at=now,
            actor_id=user.pk,
            related={"message_id": locked.pk, "thread_id": locked.thread_id},
            details=details,
        )
    )
    if classification == Classification.OPT_OUT:
        opt_out_apply(message=locked, actor=user, via="correction")
    return locked


def corrections_for(*, org: Organization, message_ids: list[int]) -> dict[int, list[ClassificationCorrection]]:
    """The corrections of these messages, oldest first, by message id (one query)."""
    found: dict[int, list[ClassificationCorrection]] = {}
    rows = ClassificationCorrection.objects.filter(organization=org, message_id__in=message_ids).select_related(
        "corrected_by"
    )
    for correction in rows:
        found.setdefault(correction.message_id, []).append(correction)
    return found
