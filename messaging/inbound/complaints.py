"""Spam complaints: ARF feedback reports (RFC 5965) and the providers' feedback-loop mail.

A complaint is the strongest opt-out there is: the person told their mail provider we are spam.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from messaging.inbound.parsing import ParsedEmail, safe_content_type


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
    report_type = message.get_param("report-type")
    if not (
        parsed.content_type == "multipart/report"
        and isinstance(report_type, str)
        and report_type.lower() == "feedback-report"
    ):
        return None
    complaint = Complaint()
    for part in message.walk():
        if safe_content_type(part) == "message/feedback-report":
            complaint.feedback_type = "abuse"
    return complaint
