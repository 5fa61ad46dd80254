"""Is this mail a bounce: a mail server telling us one of our messages did not arrive (or is late)?

RFC 3464 delivery status notifications (`multipart/report; report-type=delivery-status`, or a
`message/delivery-status` part anywhere), and the looser notices mail servers write for people:
from a mailer-daemon, a postmaster or an empty sender, with a failure subject or sentence, with or
without the original attached (`bounce_text` knows the wordings). Delay warnings and delivery
success notices are recognised too, so that neither is ever read as a person's reply; `Bounce`
says which (`delayed`, `delivered`) and, for a failure, whether it is hard (the address does not
exist) or soft (mailbox full, try later, blocked…). Auto-replies are in `autoreply`.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message as EmailMessage

from messaging.inbound import bounce_text
from messaging.inbound.autoreply import auto_reply_reason  # noqa: F401  (re-exported: callers import it from here)
from messaging.inbound.parsing import (
    MAX_PARTS,
    ParsedEmail,
    decode_part,
    first_message_id,
    header_text,
    recipient_addresses,
    safe_content_type,
    without_nul,
)

_RETURNED_PARTS = ("text/rfc822-headers", "message/rfc822", "message/rfc822-headers", "message/partial")
_SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")


@dataclass
class Bounce:
    """A delivery report: for which of our messages, for which address, what happened and why."""

    original_message_id: str = ""
    original_recipients: list[str] = field(default_factory=list)  # To / Reply-To of the returned original
    failed_recipient: str = ""
    status: str = ""  # the RFC 3463 status code, 5.1.1
    action: str = ""  # failed, delayed, delivered, relayed, expanded ("" read as failed)
    diagnostic: str = ""

    @property
    def delayed(self) -> bool:
        """A warning that the server is still trying: not a bounce yet."""
        return self.action == "delayed"

    @property
    def delivered(self) -> bool:
        """A success notice: ignored, never a reply."""
        return self.action in _SUCCESS_ACTIONS

    @property
    def is_permanent(self) -> bool:
        """A failure: the server gave up (`Action: failed`, even with a 4.x.x status after its retries)."""
        return not self.delayed and not self.delivered

    @property
    def is_hard(self) -> bool:
        """A failure because the address or its domain does not exist; mailbox full, 4.x.x, blocked… are soft."""
        return self.is_permanent and bounce_text.is_hard_failure(self.status, self.diagnostic)

    @property
    def kind(self) -> str:
        if self.delayed:
            return "delayed"
        if self.delivered:
            return "delivered"
        return "hard" if self.is_hard else "soft"

    @property
    def reason(self) -> str:
        parts = [self.status, self.diagnostic or self.action]
        text = " ".join(part for part in parts if part) or "Delivery failed"
        if self.failed_recipient:
            text = f"{self.failed_recipient}: {text}"
        return text[:1000]


def detect_bounce(parsed: ParsedEmail) -> Bounce | None:
    """The delivery report this mail is, or None when it is not one (a person's or an auto-reply)."""
    message = parsed.headers
    if message is None:
        return None
    is_report = _is_delivery_report(parsed, message)
    notice = bounce_text.notice_text(parsed.text)
    if not is_report and not _looks_like_notice(parsed, notice):
        return None
    bounce = Bounce()
    for part in _leaves(message):
        content_type = safe_content_type(part)
        if content_type == "message/delivery-status":
            _read_delivery_status(part, bounce)
        elif content_type in _RETURNED_PARTS:
            _read_returned_headers(part, bounce)
    _read_notice_text(parsed, notice, bounce)
    return without_nul(bounce)


def _is_delivery_report(parsed: ParsedEmail, message: EmailMessage) -> bool:
    # None or a str: the stdlib decodes RFC 2231 values to tuples only for names without a hyphen.
    report_type = message.get_param("report-type")
    if parsed.content_type == "multipart/report" and isinstance(report_type, str):
        return report_type.lower() == "delivery-status" or _has_status_part(message)
    return _has_status_part(message)


def _has_status_part(message: EmailMessage) -> bool:
    return any(safe_content_type(part) == "message/delivery-status" for part in _leaves(message))


def machine_sender(parsed: ParsedEmail) -> bool:
    """Sent by a mail server: an empty or null sender, a mailer-daemon or postmaster address or name."""
    return_path = parsed.header("Return-Path").strip()
    if return_path in ("<>", "<<>>") or not parsed.from_email:
        return True
    return bool(
        bounce_text.BOUNCE_SENDER.match(parsed.from_email) or bounce_text.BOUNCE_SENDER_NAME.search(parsed.from_name)
    )


def _looks_like_notice(parsed: ParsedEmail, notice: str) -> bool:
    subject_says = bool(bounce_text.BOUNCE_SUBJECT.search(parsed.subject))
    body_says = bool(bounce_text.BOUNCE_BODY.search(notice))
    if machine_sender(parsed):
        return subject_says or body_says or bool(bounce_text.DELIVERED_SUBJECT.search(parsed.subject))
    # From an ordinary-looking address: a failure subject and a failure sentence, not a person's "Re:",
    # and something only a machine adds: Auto-Submitted, the returned original, a status code or the address.
    answering = re.match(r"\s*(?:re|aw|sv|antw|odp|rif|r)\s*:", parsed.subject, re.IGNORECASE)
    if not subject_says or not body_says or answering:
        return False
    return bool(
        parsed.header("Auto-Submitted")
        or (
            parsed.headers is not None and any(safe_content_type(p) in _RETURNED_PARTS for p in _leaves(parsed.headers))
        )
        or bounce_text.STATUS_CODE.search(notice)
        or bounce_text.failed_address(notice, skip=(parsed.from_email, *parsed.recipients))
    )


def _leaves(message: EmailMessage):
    stack = [message]
    walked = 0
    while stack and walked < MAX_PARTS:
        part = stack.pop()
        walked += 1
        content_type = safe_content_type(part)
        payload = part.get_payload()
        if part.is_multipart() and not content_type.startswith("message/") and isinstance(payload, list):
            stack.extend(reversed([sub for sub in payload[:MAX_PARTS] if isinstance(sub, EmailMessage)]))
        else:
            yield part


def _delivery_status_blocks(part: EmailMessage) -> list[EmailMessage]:
    payload = part.get_payload()
    if isinstance(payload, list):  # compat32 parses the status blocks as header-only messages
        return [block for block in payload if isinstance(block, EmailMessage)]
    text = decode_part(part)
    return [
        email.message_from_string(block, policy=email.policy.compat32)
        for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    ]


def _read_delivery_status(part: EmailMessage, bounce: Bounce) -> None:
    for block in _delivery_status_blocks(part)[:50]:
        recipient = header_text(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if not recipient:
            continue  # the per-message block (Reporting-MTA, Arrival-Date)
        action = (re.findall(r"[a-z]+", header_text(block.get("Action")).lower()) or [""])[0]
        action = "delivered" if action == "deliverable" else action  # address verification's success
        if bounce.failed_recipient and bounce.action in ("failed", "") and action != "failed":
            continue  # the first failure is the one to report
        if bounce.failed_recipient and bounce.action == "delayed" and action in _SUCCESS_ACTIONS:
            continue  # a delay for one recipient outweighs a success for another
        bounce.failed_recipient = recipient.split(";", 1)[-1].strip().strip("<>").lower()[:254]
        bounce.action = action[:20]
        bounce.status = header_text(block.get("Status")).split(" ")[0][:20]
        bounce.diagnostic = header_text(block.get("Diagnostic-Code")).split(";", 1)[-1].strip()[:500]


def _read_notice_text(parsed: ParsedEmail, notice: str, bounce: Bounce) -> None:
    """What the structured report did not say, read from the notice's own words."""
    if not bounce.action:
        if bounce_text.DELIVERED_SUBJECT.search(parsed.subject):
            bounce.action = "delivered"
        elif bounce_text.DELAYED_SUBJECT.search(parsed.subject) or (
            bounce_text.DELAYED_BODY.search(notice) and not bounce_text.status_in(notice).startswith("5")
        ):
            bounce.action = "delayed"
        else:
            bounce.action = "failed"
    if not bounce.failed_recipient:
        own = (parsed.from_email, *parsed.recipients)
        bounce.failed_recipient = bounce_text.failed_address(notice, skip=own)
    if not bounce.status:
        bounce.status = bounce_text.status_in(bounce.diagnostic or notice)
    if not bounce.diagnostic:
        bounce.diagnostic = bounce_text.diagnostic_line(notice)
    if not bounce.original_message_id and len(notice) < len(parsed.text):
        # The original quoted inline below the notice: its headers still tie the bounce to our message.
        original = parsed.text[len(notice) : len(notice) + 20_000]
        found = re.search(r"^\s*Message-ID:\s*(<[^<>\s]{1,250}>)", original, re.IGNORECASE | re.MULTILINE)
        if found:
            bounce.original_message_id = found.group(1)
        for found in re.finditer(r"^\s*(?:To|Reply-To):\s*(.{1,500})$", original, re.IGNORECASE | re.MULTILINE):
            for address in bounce_text.ADDRESS.findall(found.group(1)):
                if address.lower() not in bounce.original_recipients:
                    bounce.original_recipients.append(address.lower())


def _read_returned_headers(part: EmailMessage, bounce: Bounce) -> None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
        original = payload[0]
    else:
        original = email.message_from_string(decode_part(part), policy=email.policy.compat32)
    if not bounce.original_message_id:
        bounce.original_message_id = first_message_id(original.get("Message-ID"))
    for address in recipient_addresses(original) + _reply_to(original):
        if address not in bounce.original_recipients:
            bounce.original_recipients.append(address)


def _reply_to(message: EmailMessage) -> list[str]:
    from email.utils import getaddresses

    values = [header_text(value) for value in (message.get_all("Reply-To") or [])[:5]]
    try:
        return [address.lower() for _, address in getaddresses(values) if "@" in address]
    except Exception:
        return []
