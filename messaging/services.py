"""Writes of the messaging app: who may be messaged, checked input, replies received, bounces.

Outgoing messages are written by `messaging.outbox` (one at a time or many at once) and bulk sends
composed by `messaging.bulk`. Replies arrive through `messaging.inbound` and the portal and all end
in `message_receive`. Each write tells `engagement` what happened through `talentcircles.events`,
inside the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates.deliverability import candidate_complained, candidate_record_bounce, candidate_reset_soft_bounces
from candidates.models import Candidate
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


# Read with a message's candidate but never needed to write or send it: the stored search documents.
CANDIDATE_HEAVY_FIELDS = ("candidate__search_vector", "candidate__search_text")


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
    return_on: date | None = None,
) -> Message:
    """Record what the candidate sent (a reply, an automatic reply or a one-click response).

    Emits REPLY_RECEIVED, AUTO_REPLY_RECEIVED or RESPONSE_CLICKED; engagement records it on
    the timeline, moves the stage and stops running sequences for real answers. A reply read as
    an opt-out then unsubscribes the candidate (`messaging.replies.effects`). `return_on`: the
    day an out-of-office says its writer is back (the sequence's next step waits until then).
    Anything the candidate sent shows our mail reaches them: their soft bounces start again.
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
    candidate_reset_soft_bounces(candidate_id=thread.candidate_id)
    details = {"channel": channel, "classification": message.classification, "subject": message.subject}
    if is_auto_reply and return_on is not None:
        details["return_on"] = return_on.isoformat()
    events.emit(
        events.CandidateEvent(
            organization_id=thread.organization_id,
            candidate_id=thread.candidate_id,
            kind=_answer_kind(channel, is_auto_reply),
            occurred_at=received_at,
            related={"message_id": message.pk, "thread_id": thread.pk},
            details={**details, **({} if is_auto_reply else reply_details(message))},
        )
    )
    if message.classification == Message.Classification.OPT_OUT and channel != Message.Channel.CLICK:
        opt_out_apply(message=message)
    return message


@transaction.atomic
def message_bounce(*, message: Message, reason: str, hard: bool = True, status: str = "", diagnostic: str = "") -> bool:
    """`message` did not arrive: mark it bounced and count the bounce on the candidate's address.

    A hard bounce makes the address undeliverable and suppressed at once; a soft one (`hard=False`:
    a full mailbox, a server down) does so at the SOFT_BOUNCE_LIMIT-th in a row. Only a bounce of
    the candidate's current address counts. Emits BOUNCED with which it was, the status code and the
    server's words. False when the message was already marked bounced (nothing is counted twice).
    """
    changed = (
        Message.objects.filter(pk=message.pk, direction=Message.Direction.OUT)
        .exclude(status=Message.Status.BOUNCED)
        .update(status=Message.Status.BOUNCED, last_error=reason[:2000])
    )
    if not changed:
        return False
    message.status, message.last_error = Message.Status.BOUNCED, reason[:2000]
    candidate = message.candidate
    details = {"reason": reason[:300], "email": message.to_email, "hard": hard, "status": status[:20],
               "diagnostic": diagnostic[:300], "undeliverable": False}  # fmt: skip
    if candidate.email and candidate.email.lower() == message.to_email.lower():
        outcome = candidate_record_bounce(candidate=candidate, hard=hard)
        details.update(soft_bounces=outcome.soft_bounces, limit=outcome.limit, undeliverable=outcome.undeliverable)
    events.emit(
        events.CandidateEvent(
            organization_id=message.organization_id,
            candidate_id=message.candidate_id,
            kind=events.BOUNCED,
            related={"message_id": message.pk, "thread_id": message.thread_id},
            details=details,
        )
    )
    return True


@transaction.atomic
def message_complaint(*, message: Message, feedback_type: str = "abuse", source: str = "") -> bool:
    """The candidate reported `message` as spam to their mail provider (an ARF feedback report).

    The strongest opt-out: unsubscribed from all mail (recruiting and community) and suppressed for
    good; emits COMPLAINED (engagement stops sequences, tells the owner and the admins, counts it).
    False when this candidate had already complained (announced once).
    """
    candidate = Candidate.objects.get(pk=message.candidate_id)
    if not candidate_complained(candidate=candidate):
        return False
    events.emit(
        events.CandidateEvent(
            organization_id=message.organization_id,
            candidate_id=message.candidate_id,
            kind=events.COMPLAINED,
            actor_id=message.sender_id,
            related={"message_id": message.pk, "thread_id": message.thread_id},
            details={"feedback_type": feedback_type[:40], "source": source[:200], "subject": message.subject},
        )
    )
    return True
