"""Mail that `parse_email` cannot read: kept anyway, with what can still be read from it.

No exception in parsing may drop a mail (issue 16, "nothing lost"): when the full parse fails,
the headers are read line by line and the body taken as text, so the mail is still stored raw and
routed on its reply token or `In-Reply-To`, or waits in "Unmatched" with the error shown. Only what
has no e-mail header at all is refused.
"""

from __future__ import annotations

import logging
import re

from messaging.inbound.parsing import (
    MAX_HEADER_CHARS,
    MAX_PART_ENCODED_BYTES,
    RECIPIENT_HEADERS,
    ParsedEmail,
    address_pairs,
    clean_subject,
    decode_bytes,
    first_address,
    first_message_id,
    header_text,
    message_ids,
    parse_email,
    without_nul,
)
from messaging.models import MAX_BODY_CHARS

logger = logging.getLogger(__name__)


# Header names that make a text an e-mail, even a broken one (a bare delivery-status block has only
# Content-Type and MIME-Version).
MAIL_HEADERS = frozenset(
    name.lower()
    for name in (
        *RECIPIENT_HEADERS,
        "From", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "Received", "Return-Path", "MIME-Version", "Content-Type", "DKIM-Signature", "Auto-Submitted",
    )
)  # fmt: skip
_HEADER_LINE = re.compile(rb"^([!-9;-~]{1,76}):[ \t]?(.*)$")


def parse_email_leniently(raw: bytes) -> tuple[ParsedEmail, str]:
    """`parse_email`, or when it fails, what can still be read: the headers line by line and the body as text.

    Returns the parsed mail and the error ("" when the mail was fully read). Never raises.
    """
    try:
        return parse_email(raw), ""
    except Exception as exc:  # parse_email is defensive; this is the last guard for the unforeseen
        logger.exception("Inbound e-mail could not be fully parsed; reading its headers line by line")
        error = f"{type(exc).__name__}: {exc}"[:300]
    try:
        return _headers_line_by_line(bytes(raw)), error
    except Exception:  # pragma: no cover - plain byte handling; kept so that nothing here ever raises
        logger.exception("Inbound e-mail could not be read line by line either")
        return ParsedEmail(text=bytes(raw)[:MAX_PART_ENCODED_BYTES].decode("utf-8", "replace")), error


def _headers_line_by_line(raw: bytes) -> ParsedEmail:
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    fields: dict[str, str] = {}
    name = ""
    for line in head.split(b"\n")[:2_000]:
        if line[:1] in (b" ", b"\t") and name:
            fields[name] += " " + decode_bytes(line.strip(), None)
            continue
        found = _HEADER_LINE.match(line)
        if found:
            name = found.group(1).decode("ascii").lower()
            fields.setdefault(name, decode_bytes(found.group(2).strip(), None)[:MAX_HEADER_CHARS])
    parsed = ParsedEmail(defects=["UnparseableMessage"], content_type="text/plain")
    parsed.message_id = first_message_id(fields.get("message-id"))
    parsed.in_reply_to = first_message_id(fields.get("in-reply-to"))
    parsed.references = message_ids(fields.get("references"))[-50:]
    parsed.subject = clean_subject(header_text(fields.get("subject")))
    parsed.from_name, parsed.from_email = first_address([fields["from"]] if "from" in fields else [])
    for header in RECIPIENT_HEADERS:
        for _, address in address_pairs([fields[header.lower()]] if header.lower() in fields else []):
            if address not in parsed.recipients:
                parsed.recipients.append(address)
    parsed.text = decode_bytes(body[:MAX_PART_ENCODED_BYTES], None)[: MAX_BODY_CHARS * 4]
    parsed.header_names = sorted(fields)[:100]
    return without_nul(parsed)


def is_mail(parsed: ParsedEmail) -> bool:
    """Whether what arrived is an e-mail at all: some header of one, however broken the rest."""
    if parsed.message_id or parsed.from_email or parsed.recipients or parsed.subject:
        return True
    names = parsed.header_names
    if parsed.headers is not None:
        try:
            names = [str(key).lower() for key in parsed.headers.keys()[:200]]
        except Exception:
            names = []
    return any(name in MAIL_HEADERS for name in names)
