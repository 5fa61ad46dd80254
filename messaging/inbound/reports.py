"""Reports about our mail rather than answers to it: bounces, delivery notices and spam complaints.

A mail to a `bounce+<token>@…` address (VERP, see `messaging.envelope.envelope_sender`) is a
delivery report for the one message the token names, whatever its format: the DSN (RFC 3464) is
read for the status and the recipient when there is one, otherwise the text is. Bounces are tied to
our message by that token first, by the original they return second. A failure is hard (the
address does not exist: undeliverable at once) or soft (counted; see `message_bounce`); a delayed
warning is kept with no effect; a success notice is kept, never taken for a reply, and shows the
address works. Spam complaints (ARF) unsubscribe and suppress (`message_complaint`).
"""

from __future__ import annotations

from candidates.deliverability import candidate_reset_soft_bounces
from candidates.models import ConsentRecord
from candidates.privacy import candidate_unsubscribe
from messaging.inbound import bounce_text
from messaging.inbound.complaints import Complaint, detect_complaint
from messaging.inbound.detection import Bounce, auto_reply_reason, detect_bounce
from messaging.inbound.matching import (
    VerpMatch,
    match_email,
    message_for_ids,
    reply_tags,
    thread_for_tags,
    verp_in_raw,
)
from messaging.inbound.parsing import ParsedEmail
from messaging.models import InboundEmail, Message
from messaging.services import message_bounce, message_complaint

_FIELDS = ["organization", "status", "error"]


def route_report(inbound: InboundEmail, parsed: ParsedEmail, verp: VerpMatch) -> bool:
    """File the mail when it is a complaint, a bounce or a delivery notice; False when it is none."""
    unread = inbound.error  # "Could not be fully read (…)" from ingest, kept beside what is said here
    complaint = detect_complaint(parsed)
    if complaint is not None:
        route_complaint(inbound, parsed, complaint, verp)
        _save(inbound, unread)
        return True
    bounce = detect_bounce(parsed)
    if bounce is None and verp.found:
        if auto_reply_reason(parsed) and not _from_a_mail_server(parsed):
            # RFC 3834 sends out-of-office replies to the Return-Path: an answer, routed as one.
            return False
        bounce = bounce_from_text(parsed)
    if bounce is None:
        return False
    route_bounce(inbound, parsed, bounce, verp)
    _save(inbound, unread)
    return True


def _save(inbound: InboundEmail, unread: str) -> None:
    if unread and unread not in inbound.error:
        inbound.error = f"{inbound.error} {unread}".strip()[:2_000]
    inbound.save(update_fields=_FIELDS)


def _from_a_mail_server(parsed: ParsedEmail) -> bool:
    # Not `detection.machine_sender`: it counts a null Return-Path, which RFC 3834 auto-replies carry too.
    return not parsed.from_email or bool(
        bounce_text.BOUNCE_SENDER.match(parsed.from_email) or bounce_text.BOUNCE_SENDER_NAME.search(parsed.from_name)
    )


def bounce_from_text(parsed: ParsedEmail) -> Bounce:
    """A report at a VERP address that reads as no known notice: its status code and words, as a failure."""
    notice = bounce_text.notice_text(parsed.text or "")
    bounce = Bounce(action="failed")
    bounce.failed_recipient = bounce_text.failed_address(notice, skip=(parsed.from_email, *parsed.recipients))
    bounce.diagnostic = bounce_text.diagnostic_line(notice) or " ".join(notice.split())[:300] or parsed.subject
    bounce.status = bounce_text.status_in(bounce.diagnostic) or bounce_text.status_in(notice)
    return bounce


# --- Bounces ---------------------------------------------------------------------------------


def route_bounce(inbound: InboundEmail, parsed: ParsedEmail, bounce: Bounce, verp: VerpMatch) -> None:
    """File a delivery report on `inbound` (saved by the caller) and apply it to our message."""
    original = verp.message or bounced_message(bounce) or verp_in_raw(bytes(inbound.raw))
    if original is not None:
        inbound.organization_id = original.organization_id
    else:
        inbound.organization = match_email(parsed).organization
    if bounce.delivered:
        inbound.status = InboundEmail.Status.DISCARDED
        inbound.error = f"Delivery notice ({bounce.action or 'delivered'}): the message arrived."
        if original is not None:
            candidate_reset_soft_bounces(candidate_id=original.candidate_id)
    elif bounce.delayed:
        inbound.status = InboundEmail.Status.DISCARDED
        inbound.error = f"Delivery delayed, not failed: {bounce.reason}"
    elif original is None:
        inbound.status = InboundEmail.Status.BOUNCE
        inbound.error = f"Bounce for a message we cannot find: {bounce.reason}"
    else:
        hard = bounce.is_hard
        message_bounce(
            message=original, reason=bounce.reason, hard=hard, status=bounce.status, diagnostic=bounce.diagnostic
        )
        inbound.status = InboundEmail.Status.BOUNCE
        by = "VERP token" if verp.message is not None else "returned original"
        inbound.error = f"{'Hard' if hard else 'Soft'} bounce of message #{original.pk} (by {by}): {bounce.reason}"


def bounced_message(bounce: Bounce | Complaint) -> Message | None:
    """Our outgoing message a report returns: by its Message-ID, else by the reply token it carried."""
    if bounce.original_message_id:
        message = message_for_ids([bounce.original_message_id])
        if message is not None and message.direction == Message.Direction.OUT:
            return Message.objects.select_related("candidate").get(pk=message.pk)
    thread = thread_for_tags(reply_tags(bounce.original_recipients))
    if thread is None:
        return None
    outgoing = (
        Message.objects.filter(thread=thread, direction=Message.Direction.OUT)
        .select_related("candidate")
        .order_by("-created_at", "-id")
    )
    failed_recipient = getattr(bounce, "failed_recipient", "") or getattr(bounce, "complainant", "")
    if failed_recipient:
        to_recipient = outgoing.filter(to_email__iexact=failed_recipient).first()
        if to_recipient is not None:
            return to_recipient
    return outgoing.first()


# --- Spam complaints -------------------------------------------------------------------------


def route_complaint(inbound: InboundEmail, parsed: ParsedEmail, complaint: Complaint, verp: VerpMatch) -> None:
    """A spam complaint: the reported message's candidate is unsubscribed and suppressed; kept for the record
    (`inbound` saved by the caller).

    Two feedback types are not complaints: "not-spam" (kept, no effect) and "unsubscribe" (a mail
    client's unsubscribe button: an unsubscribe like the link's, not counted as a complaint).
    """
    original = verp.message or bounced_message(complaint) or verp_in_raw(bytes(inbound.raw))
    feedback_type = (complaint.feedback_type or "abuse").lower()
    inbound.status = InboundEmail.Status.COMPLAINT
    if original is None:
        inbound.organization = match_email(parsed).organization
        inbound.error = f"Spam complaint ({feedback_type}) about a message we cannot find."
    elif feedback_type == "not-spam":
        inbound.organization_id = original.organization_id
        inbound.status = InboundEmail.Status.DISCARDED
        inbound.error = f"Feedback report: message #{original.pk} marked as not spam."
    elif feedback_type == "unsubscribe":
        inbound.organization_id = original.organization_id
        inbound.status = InboundEmail.Status.DISCARDED
        candidate_unsubscribe(candidate=original.candidate, source=ConsentRecord.Source.UNSUBSCRIBE_LINK)
        inbound.error = f"Unsubscribe request from the mail client, about message #{original.pk}."
    else:
        inbound.organization_id = original.organization_id
        new = message_complaint(message=original, feedback_type=feedback_type, source=complaint.source)
        inbound.error = f"Spam complaint ({feedback_type}) about message #{original.pk}" + (
            ": the candidate is unsubscribed from all mail and suppressed." if new else " (already handled)."
        )
