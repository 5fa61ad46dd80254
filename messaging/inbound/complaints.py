"""Spam complaints: ARF feedback reports (RFC 5965) and the providers' feedback-loop mail.

Also Apple Mail's one-click unsubscribe (`X-Apple-Unsubscribe: true`), as `feedback_type`
"unsubscribe": the person asked their mail client to stop our mail.

A complaint is the strongest opt-out there is: the person told their mail provider we are spam.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message as EmailMessage

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

# Feedback loops that send the reported mail back without an ARF report: Microsoft's JMRP
# (staff@hotmail.com, "complaint about message from …"), and the providers' FBL mailboxes.
_FBL_SENDER = re.compile(
    r"^(?:staff@hotmail\.com|scomp@aol\.net|(?:feedback-?loop|fbl|complaints?|abuse-?reports?|spamreport)[^@]*@)",
    re.IGNORECASE,
)
_FBL_SUBJECT = re.compile(
    r"complaint\s+about\s+message|abuse\s+report|feedback\s+(?:loop\s+)?report|spam\s+(?:report|complaint)|"
    r"\bFBL\b|spamtrap",
    re.IGNORECASE,
)
_ORIGINAL_PARTS = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


@dataclass
class Complaint:
    """Which of our messages a person reported as spam, and who did."""

    original_message_id: str = ""
    original_recipients: list[str] = field(default_factory=list)  # To / Reply-To of the reported original
    complainant: str = ""  # Original-Rcpt-To, when the report names it
    feedback_type: str = "abuse"
    source: str = ""  # the reporting provider (User-Agent / Reporting-MTA), for the record


def detect_complaint(parsed: ParsedEmail) -> Complaint | None:
    """The complaint this mail reports, or None when it is not a spam complaint."""
    message = parsed.headers
    if message is None:
        return None
    parts = _leaves(message)
    report = next((part for part in parts if safe_content_type(part) == "message/feedback-report"), None)
    original = next((part for part in parts if safe_content_type(part) in _ORIGINAL_PARTS), None)
    complaint = Complaint()
    if report is not None or _is_feedback_report(parsed):
        _read_report(report, parsed, complaint)
    elif original is not None and (_FBL_SENDER.match(parsed.from_email) or _FBL_SUBJECT.search(parsed.subject)):
        complaint.source = parsed.from_email.split("@")[-1]
    elif parsed.header("X-Apple-Unsubscribe").lower() == "true":
        complaint.feedback_type = "unsubscribe"
        complaint.source = "Apple Mail"
        complaint.complainant = parsed.from_email
        complaint.original_recipients = list(parsed.recipients)
        return complaint
    else:
        return None
    if original is not None:
        _read_original(original, complaint)
    return without_nul(complaint)


def _is_feedback_report(parsed: ParsedEmail) -> bool:
    report_type = parsed.headers.get_param("report-type") if parsed.headers is not None else None
    return parsed.content_type == "multipart/report" and str(report_type).lower() == "feedback-report"


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    found: list[EmailMessage] = []
    stack = [message]
    while stack and len(found) < MAX_PARTS:
        part = stack.pop()
        payload = part.get_payload()
        content_type = safe_content_type(part)
        if part.is_multipart() and not content_type.startswith("message/") and isinstance(payload, list):
            stack.extend(reversed([sub for sub in payload[:MAX_PARTS] if isinstance(sub, EmailMessage)]))
        else:
            found.append(part)
    return found


def _report_fields(report: EmailMessage | None, parsed: ParsedEmail) -> EmailMessage:
    if report is None:  # the fields as text in the first part (some providers)
        text = parsed.text
    else:
        payload = report.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
            return payload[0]
        text = decode_part(report)
    return email.message_from_string(text.lstrip()[:20_000], policy=email.policy.compat32)


def _read_report(report: EmailMessage | None, parsed: ParsedEmail, complaint: Complaint) -> None:
    fields = _report_fields(report, parsed)
    complaint.feedback_type = (header_text(fields.get("Feedback-Type")).lower() or "abuse")[:40]
    complaint.complainant = _address(header_text(fields.get("Original-Rcpt-To") or fields.get("Removal-Recipient")))
    complaint.source = (
        header_text(fields.get("User-Agent") or fields.get("Reporting-MTA")).split(";")[-1].strip()
        or parsed.from_email.split("@")[-1]
    )[:200]


def _read_original(part: EmailMessage, complaint: Complaint) -> None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
        original = payload[0]
    else:
        original = email.message_from_string(decode_part(part)[:200_000], policy=email.policy.compat32)
    complaint.original_message_id = first_message_id(original.get("Message-ID"))
    complaint.original_recipients = recipient_addresses(original)
    if not complaint.complainant:
        complaint.complainant = _address(header_text(original.get("X-HmXmrOriginalRecipient")))
    if not complaint.complainant and complaint.original_recipients:
        complaint.complainant = complaint.original_recipients[0]


def _address(value: str) -> str:
    found = re.search(r"[^\s<>;:,]+@[^\s<>;:,]+", value)
    return found.group(0).lower()[:254] if found else ""
