"""Messaging's part of a person's data rights and of merges.

`conversations_data` is a "my data" section (registered from `MessagingConfig.ready()`);
`erase_messaging_data` and `conversations_move` run on ERASED and MERGED events (messaging/receivers.py),
inside the erasure's or merge's transaction.
"""

from __future__ import annotations

from candidates.models import Candidate
from messaging.models import InboundEmail, Message, Thread


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def conversations_data(candidate: Candidate) -> list[dict]:
    """Every conversation with the person and what was said in it (not drafts that were never sent)."""
    threads = Thread.objects.filter(candidate=candidate).order_by("created_at", "pk").prefetch_related("messages")
    return [
        {
            "subject": thread.subject,
            "started_at": _iso(thread.created_at),
            "messages": [
                {
                    "direction": message.direction,
                    "channel": message.channel,
                    "subject": message.subject,
                    "body": message.body_text,
                    "at": _iso(message.sent_at or message.received_at or message.created_at),
                    "status": message.status,
                }
                for message in thread.messages.all()
                if message.direction == Message.Direction.IN or message.status == Message.Status.SENT
            ],
        }
        for thread in threads
    ]


def erase_messaging_data(candidate_id: int) -> None:
    """Conversations the person started go; in the others keep that messages were sent and answered.

    A conversation the candidate started (writing to us, or in the portal) is not counted by
    the response rate, so it is deleted with its messages. One a recruiter or a sequence
    started stays for the anonymous response-rate counts, without a word or an address.
    """
    messages = Message.objects.filter(candidate_id=candidate_id)
    InboundEmail.objects.filter(message__in=messages).delete()
    Thread.objects.filter(candidate_id=candidate_id).exclude(started_by=Thread.StartedBy.RECRUITER).delete()
    Thread.objects.filter(candidate_id=candidate_id).update(subject="(erased)")
    messages.update(
        subject="",
        body_text="",
        body_html="",
        from_email="",
        to_email="",
        findings=[],
        body_fingerprint="",
        last_error="",  # SMTP errors quote the address
        references="",
        in_reply_to="",
    )
    # Nothing queued for them may go out now (delivery would refuse them too; this says why).
    messages.filter(status__in=[*Message.PENDING_STATUSES, Message.Status.UNKNOWN]).update(
        status=Message.Status.CANCELLED, last_error="Not sent: the candidate's data was erased."
    )


def conversations_move(*, from_candidate_id: int, to_candidate_id: int) -> None:
    """A merge keeps every conversation: they follow the person to the record that is kept."""
    Thread.objects.filter(candidate_id=from_candidate_id).update(candidate_id=to_candidate_id)
    Message.objects.filter(candidate_id=from_candidate_id).update(candidate_id=to_candidate_id)
