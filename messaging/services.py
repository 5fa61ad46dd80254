"""Writes of the messaging app: who may be messaged, checked input, replies received, bounces.

Outgoing messages are written by `messaging.outbox` (one at a time or many at once) and bulk sends
composed by `messaging.bulk`. Replies arrive through `messaging.inbound` and the portal and all end
in `message_receive`. Each write tells `engagement` what happened through `talentcircles.events`,
inside the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates.models import Candidate
from candidates.privacy import candidate_mark_undeliverable
from messaging import policy
from messaging.models import MAX_BODY_CHARS, Message, Thread
from messaging.replies.effects import opt_out_apply, reply_details
from talentcircles import events
from talentcircles.expressions import moved_forward
from talentcircles.models import Organization
from talentcircles.services import ServiceError

SUBJECT_MAX = 200

# Why a candidate is not messaged: the contact policy's reasons (messaging/policy.py); labels are shown.
SKIP_REASONS = policy.REASON_LABELS


class MessagingError(ServiceError, ValueError):
    """A message that cannot be written as asked; `field` names the input to fix."""


class NotContactable(MessagingError):
    def __init__(self, candidate: Candidate, reason: str) -> None:
        name = candidate.full_name or f"Candidate #{candidate.pk}"
        super().__init__(f"{name} can't be messaged: {SKIP_REASONS[reason].lower()}.", field="candidate")
        self.candidate = candidate
        self.reason = reason


# --- Who may be messaged ---------------------------------------------------------------------


# Read with a message's candidate but never needed to write or send it: the stored search document.
CANDIDATE_HEAVY_FIELDS = ("candidate__search_vector",)


def skip_reason(candidate: Candidate) -> str | None:
    """The hard block (a key of SKIP_REASONS) that forbids any message to this candidate now, or None.

    Reads fresh state; the rules are the contact policy's (`messaging.policy.blocked_codes`).
    """
    return policy.blocked_codes(org=candidate.organization, candidates=[candidate]).get(candidate.pk)


def skip_reasons(*, org: Organization, candidates: QuerySet | Iterable[Candidate]) -> dict[int, str]:
    """Candidate id → hard block for every candidate of `org` among `candidates` that must be skipped.

    One query whatever the number: `messaging.policy.blocked_codes`, the last check before writing.
    """
    return policy.blocked_codes(org=org, candidates=candidates)


# --- Input ------------------------------------------------------------------------------------


def clean_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject:
        raise MessagingError("Write a subject.", field="subject")
    if "\r" in subject or "\n" in subject:
        raise MessagingError("A subject is one line: remove the line breaks.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise MessagingError(f"Keep the subject under {SUBJECT_MAX} characters.", field="subject")
    return subject


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise MessagingError("Write a message.", field="body")
    if len(body) > MAX_BODY_CHARS:
        raise MessagingError(f"The message is {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}.", field="body")
    return body


def new_message_id_header() -> str:
    """A stable, globally unique Message-ID, written with the row so retries reuse it."""
    return f"<tc.{secrets.token_hex(12)}@{settings.INBOUND_EMAIL_DOMAIN}>"


# --- Incoming ---------------------------------------------------------------------------------


def _answer_kind(channel: str, is_auto_reply: bool) -> str:
    if is_auto_reply:
        return events.AUTO_REPLY_RECEIVED
    if channel == Message.Channel.CLICK:
        return events.RESPONSE_CLICKED
    return events.REPLY_RECEIVED


@transaction.atomic
def message_receive(
    *,
    thread: Thread,
    channel: str,
    body_text: str,
    body_html: str = "",
    from_email: str = "",
    subject: str = "",
    message_id_header: str = "",
    in_reply_to: str = "",
    references: str = "",
    is_auto_reply: bool = False,
    classification: str = "",
    classification_reason: str = "",
    received_at: datetime | None = None,
) -> Message:
    """Record what the candidate sent (a reply, an automatic reply or a one-click response).

    Emits REPLY_RECEIVED, AUTO_REPLY_RECEIVED or RESPONSE_CLICKED; engagement records it on
    the timeline, moves the stage and stops running sequences for real answers. A reply read as
    an opt-out then unsubscribes the candidate (`messaging.replies.effects`).
    """

    received_at = received_at or timezone.now()
    if classification and classification not in Message.Classification.values:
        raise MessagingError(f"Unknown classification {classification!r}.", field="classification")
    message = Message.objects.create(
        organization_id=thread.organization_id,
        thread=thread,
        candidate_id=thread.candidate_id,
        direction=Message.Direction.IN,
        channel=channel,
        from_email=from_email[:254],
        subject=" ".join((subject or thread.subject).split())[:SUBJECT_MAX],
        body_text=body_text[:MAX_BODY_CHARS],
        body_html=body_html[:MAX_BODY_CHARS],
        status=Message.Status.RECEIVED,
        message_id_header=message_id_header[:255],
        in_reply_to=in_reply_to[:255],
        references=references,
        is_auto_reply=is_auto_reply,
        classification="" if is_auto_reply else (classification or Message.Classification.NEUTRAL),
        classification_reason="" if is_auto_reply else classification_reason[:200],
        created_at=received_at,
        received_at=received_at,
    )
    # Only forward: a late-arriving older message must not hide a newer one (delivery relies on it).
    updates = {"last_message_at": moved_forward("last_message_at", received_at)}
    if not is_auto_reply:
        updates["last_inbound_at"] = moved_forward("last_inbound_at", received_at)
    Thread.objects.filter(pk=thread.pk).update(**updates)
    events.emit(
        events.CandidateEvent(
            organization_id=thread.organization_id,
            candidate_id=thread.candidate_id,
            kind=_answer_kind(channel, is_auto_reply),
            occurred_at=received_at,
            related={"message_id": message.pk, "thread_id": thread.pk},
            details={
                "channel": channel,
                "classification": message.classification,
                "subject": message.subject,
                **({} if is_auto_reply else reply_details(message)),
            },
        )
    )
    if message.classification == Message.Classification.OPT_OUT and channel != Message.Channel.CLICK:
        opt_out_apply(message=message)
    return message


@transaction.atomic
def message_bounce(*, message: Message, reason: str) -> bool:
    """The address refused `message`: mark it bounced and the candidate undeliverable. False when already done."""
    changed = (
        Message.objects.filter(pk=message.pk, direction=Message.Direction.OUT)
        .exclude(status=Message.Status.BOUNCED)
        .update(status=Message.Status.BOUNCED, last_error=reason[:2000])
    )
    if not changed:
        return False
    message.status, message.last_error = Message.Status.BOUNCED, reason[:2000]
    candidate = message.candidate
    if candidate.email and candidate.email.lower() == message.to_email.lower():
        candidate_mark_undeliverable(candidate=candidate)
    events.emit(
        events.CandidateEvent(
            organization_id=message.organization_id,
            candidate_id=message.candidate_id,
            kind=events.BOUNCED,
            related={"message_id": message.pk, "thread_id": message.thread_id},
            details={"reason": reason[:300], "email": message.to_email},
        )
    )
    return True
