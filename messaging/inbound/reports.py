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

import re

from candidates.deliverability import candidate_reset_soft_bounces
from messaging.inbound.complaints import Complaint, detect_complaint
from messaging.inbound.detection import Bounce, auto_reply_reason, detect_bounce
from messaging.inbound.matching import VerpMatch, match_email, message_for_ids, reply_tags, thread_for_tags
from messaging.inbound.parsing import ParsedEmail
from messaging.models import InboundEmail, Message
from messaging.services import message_bounce, message_complaint

_FIELDS = ["organization", "status", "error"]
# RFC 3463 enhanced status codes, and the bare SMTP reply codes of servers that give none.
_STATUS_RE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY_CODE_RE = re.compile(r"(?m)(?:^|[\s(#:])([45][0-5]\d)[\s-]")
_MAIL_SYSTEM_RE = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mail-delivery-subsystem)@", re.IGNORECASE)
# 5.x.x that say nothing about the address itself: a full mailbox, a network or routing problem, a
# policy or spam refusal of this message. Counted as soft; every other 5.x.x is hard.
_SOFT_PERMANENT = re.compile(r"^5\.(?:2\.2|3\.\d+|4\.\d+|6\.\d+|7\.\d+)$")


def route_report(inbound: InboundEmail, parsed: ParsedEmail, verp: VerpMatch) -> bool:
    """File the mail when it is a complaint, a bounce or a delivery notice; False when it is none."""
    complaint = detect_complaint(parsed)
    if complaint is not None:
        route_complaint(inbound, parsed, complaint, verp)
        return True
    bounce = detect_bounce(parsed)
    if bounce is None and verp.found:
        if auto_reply_reason(parsed) and not _from_mail_system(parsed):
            # RFC 3834 sends out-of-office replies to the Return-Path: an answer, routed as one.
            return False
        bounce = bounce_from_text(parsed)
    if bounce is None:
        return False
    route_bounce(inbound, parsed, bounce, verp)
    return True


def _from_mail_system(parsed: ParsedEmail) -> bool:
    return not parsed.from_email or bool(_MAIL_SYSTEM_RE.match(parsed.from_email))


def bounce_from_text(parsed: ParsedEmail) -> Bounce:
    """A report with no DSN at a VERP address: the status code and the server's words from its text."""
    text = parsed.text or ""
    bounce = Bounce(action="failed")
    status = _STATUS_RE.search(text)
    if status:
        bounce.status = ".".join(status.groups())
    else:
        code = _REPLY_CODE_RE.search(text)
        if code:
            bounce.status = f"{code.group(1)[0]}.0.0"
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(">")]
    around = next((line for line in lines if status and status.group(0) in line), "")
    bounce.diagnostic = (around or " ".join(lines[:3]) or parsed.subject)[:500]
    return bounce


# --- What kind of report ---------------------------------------------------------------------


def is_delivered(bounce: Bounce) -> bool:
    """A success notice (Action: delivered, relayed, expanded): never a bounce, never a reply."""
    return bool(getattr(bounce, "delivered", bounce.action in ("delivered", "relayed", "expanded")))


def is_delayed(bounce: Bounce) -> bool:
    """A warning that the server is still trying (Action: delayed): not a bounce yet."""
    if getattr(bounce, "delayed", bounce.action == "delayed"):
        return True
    # With no Action to go by, a 4.x.x status reads as "still trying".
    return not bounce.action and not bounce.is_permanent


def is_hard(bounce: Bounce) -> bool:
    """The address itself is bad (no such user or domain, disabled): undeliverable at once.

    A failure with a 4.x.x status (given up after the retry period), a full mailbox or a refusal of
    this one message is soft.
    """
    hard = getattr(bounce, "is_hard", None)
    if hard is not None:
        return bool(hard)
    status = bounce.status or ""
    if not status:
        return bounce.action == "failed" and bounce.is_permanent
    return status.startswith("5") and not _SOFT_PERMANENT.match(status)


# --- Bounces ---------------------------------------------------------------------------------


def route_bounce(inbound: InboundEmail, parsed: ParsedEmail, bounce: Bounce, verp: VerpMatch) -> None:
    original = verp.message or bounced_message(bounce)
    if original is not None:
        inbound.organization_id = original.organization_id
    else:
        inbound.organization = match_email(parsed).organization
    if is_delivered(bounce):
        inbound.status = InboundEmail.Status.DISCARDED
        inbound.error = f"Delivery notice ({bounce.action or 'delivered'}): the message arrived."
        if original is not None:
            candidate_reset_soft_bounces(candidate_id=original.candidate_id)
    elif is_delayed(bounce):
        inbound.status = InboundEmail.Status.DISCARDED
        inbound.error = f"Delivery delayed, not failed: {bounce.reason}"
    elif original is None:
        inbound.status = InboundEmail.Status.BOUNCE
        inbound.error = f"Bounce for a message we cannot find: {bounce.reason}"
    else:
        hard = is_hard(bounce)
        message_bounce(
            message=original, reason=bounce.reason, hard=hard, status=bounce.status, diagnostic=bounce.diagnostic
        )
        inbound.status = InboundEmail.Status.BOUNCE
        by = "VERP token" if verp.message is not None else "returned original"
        inbound.error = f"{'Hard' if hard else 'Soft'} bounce of message #{original.pk} (by {by}): {bounce.reason}"
    inbound.save(update_fields=_FIELDS)


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
    """A spam complaint: the reported message's candidate is unsubscribed and suppressed; kept for the record."""
    original = verp.message or bounced_message(complaint)
    inbound.status = InboundEmail.Status.COMPLAINT
    if original is None:
        inbound.organization = match_email(parsed).organization
        inbound.error = "Spam complaint about a message we cannot find."
    else:
        inbound.organization_id = original.organization_id
        new = message_complaint(message=original, feedback_type=complaint.feedback_type, source=complaint.source)
        inbound.error = f"Spam complaint ({complaint.feedback_type}) about message #{original.pk}" + (
            ": the candidate is unsubscribed from all mail and suppressed." if new else " (already handled)."
        )
    inbound.save(update_fields=_FIELDS)
