"""Raw bytes to a parsed e-mail, defensively: whatever arrives, something readable comes out.

Mail from the outside is hostile by default: unknown or lying charsets, broken base64,
thousands of MIME parts, huge attachments, CR/LF smuggled into headers. Nothing here
raises on bad input; it degrades to what text it can find.
"""

from __future__ import annotations

import binascii
import codecs
import email
import email.policy
import hashlib
import logging
import quopri
import re
from dataclasses import dataclass, field, fields
from email.header import Header, decode_header
from email.message import Message as EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import TypeVar

from messaging.models import MAX_BODY_CHARS

logger = logging.getLogger(__name__)

# Walking stops after this many MIME parts: 10,000 parts cost time and hold no more reply.
MAX_PARTS = 200
# Encoded text read from one part, before decoding: a text part bigger than this is a dump, not a reply.
MAX_PART_ENCODED_BYTES = 2_000_000
MAX_SUBJECT_CHARS = 200
MAX_HEADER_CHARS = 2_000
# Headers that name a recipient of this copy of the mail (MTAs and providers add the envelope ones).
RECIPIENT_HEADERS = (
    "To",
    "Cc",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "X-Rcpt-To",
    "X-Forwarded-To",
    "Resent-To",
)
# Charsets mail clients announce that Python does not know by that name.
CHARSET_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "ks_c_5601-1987": "cp949",
    "x-mac-roman": "mac_roman",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
    "x-user-defined": "latin-1",
}
_Found = TypeVar("_Found")
_MESSAGE_ID_RE = re.compile(r"<([^<>\s]{1,250})>")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE_RE = re.compile(r"\s+")


@dataclass
class ParsedEmail:
    """What the rest of inbound needs from one e-mail; every field is safe to store and display."""

    message_id: str = ""  # with angle brackets, as stored in Message.message_id_header
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    recipients: list[str] = field(default_factory=list)  # lower-case addresses from every recipient header
    date: object = None  # aware datetime or None
    text: str = ""  # the body as text (HTML-only mail converted), not yet cleaned
    html: str = ""
    content_type: str = ""
    parts_walked: int = 0
    parts_truncated: bool = False
    headers: EmailMessage | None = None  # the parsed message, for the detectors
    defects: list[str] = field(default_factory=list)
    header_names: list[str] = field(default_factory=list)  # lower-case, when read line by line (headers is None)

    def header(self, name: str) -> str:
        if self.headers is None:
            return ""
        return header_text(self.headers.get(name))


def raw_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse an RFC 5322 message from bytes. Never raises on malformed mail."""
    if isinstance(raw, memoryview):
        raw = raw.tobytes()
    # compat32 does not raise on malformed headers, unlike the default policy's lazy header objects.
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parsed = ParsedEmail(headers=message)
    parsed.message_id = first_message_id(message.get("Message-ID"))
    parsed.in_reply_to = first_message_id(message.get("In-Reply-To"))
    parsed.references = message_ids(message.get("References"))[-50:]
    parsed.subject = clean_subject(header_text(message.get("Subject")))
    parsed.from_name, parsed.from_email = first_address(message.get_all("From") or [])
    parsed.recipients = recipient_addresses(message)
    parsed.content_type = safe_content_type(message)
    try:
        parsed.date = parsedate_to_datetime(header_text(message.get("Date"))) if message.get("Date") else None
        if parsed.date is not None and parsed.date.tzinfo is None:
            parsed.date = None
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed.date = None
    parsed.defects = [type(defect).__name__ for defect in message.defects][:20]
    plain, html = body_parts(message, parsed)
    parsed.html = html[: MAX_BODY_CHARS * 4]
    parsed.text = plain if plain.strip() else html_to_text(html)
    return without_nul(parsed)


def without_nul(found: _Found) -> _Found:
    """NUL characters and lone surrogates (raw 8-bit bytes) out of every text field of a dataclass.

    A parsed mail, a bounce, a complaint: PostgreSQL refuses both in text columns, and a refused
    save would lose the mail.
    """
    for name in (item.name for item in fields(found)):  # type: ignore[arg-type]
        value = getattr(found, name)
        if isinstance(value, str):
            setattr(found, name, _storable(value))
        elif isinstance(value, list) and value and isinstance(value[0], str):
            setattr(found, name, [_storable(item) for item in value])
    return found


def _storable(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE_RE.sub("\ufffd", text)


# Headers ---------------------------------------------------------------------------------------


def header_text(value) -> str:
    """A header decoded from RFC 2047 words into one line of text, with any charset."""
    if value is None:
        return ""
    value = (_raw_header(value) if isinstance(value, Header) else str(value))[:MAX_HEADER_CHARS]
    try:
        chunks = decode_header(value)
    except Exception:  # a malformed encoded-word: keep the literal text
        return _one_line(value.encode("ascii", "surrogateescape").decode("utf-8", "replace"))
    pieces = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            pieces.append(decode_bytes(chunk, charset))
        else:
            pieces.append(chunk)
    return _one_line("".join(pieces))


def _raw_header(value: Header) -> str:
    """A header with raw 8-bit bytes (UTF-8 sent unencoded): compat32 wraps it as "unknown-8bit"; read them."""
    try:
        return "".join(
            decode_bytes(chunk.encode("ascii", "surrogateescape"), None) if str(charset) == "unknown-8bit" else chunk
            for chunk, charset in value._chunks  # type: ignore[attr-defined]
        )
    except Exception:
        return str(value)


def _one_line(text: str) -> str:
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return _WHITESPACE_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()


def clean_subject(subject: str) -> str:
    """CR/LF and control characters out (no header injection downstream), at most 200 characters."""
    return _one_line(subject)[:MAX_SUBJECT_CHARS]


def message_ids(value) -> list[str]:
    if value is None:
        return []
    text = str(value)[: MAX_HEADER_CHARS * 5]
    return [f"<{found}>" for found in _MESSAGE_ID_RE.findall(text)]


def first_message_id(value) -> str:
    found = message_ids(value)
    if found:
        return found[0]
    # Some clients send a Message-ID without angle brackets.
    bare = _one_line(str(value or ""))
    return f"<{bare}>" if bare and " " not in bare and "@" in bare and len(bare) < 250 else ""


def first_address(values: list) -> tuple[str, str]:
    for name, address in address_pairs(values):
        return name, address
    return "", ""


def recipient_addresses(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for header in RECIPIENT_HEADERS:
        for _, address in address_pairs(message.get_all(header) or []):
            if address not in found:
                found.append(address)
    return found[:100]


def address_pairs(values: list) -> list[tuple[str, str]]:
    texts = [header_text(value) for value in values[:20]]
    try:
        pairs = getaddresses(texts)
    except Exception:
        return []
    result = []
    for name, address in pairs:
        address = address.strip().strip("<>").lower()
        if "@" in address and len(address) <= 254 and not _WHITESPACE_RE.search(address):
            result.append((_one_line(name)[:200], address))
    return result


def safe_content_type(part: EmailMessage) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


# Bodies ----------------------------------------------------------------------------------------


def body_parts(message: EmailMessage, parsed: ParsedEmail) -> tuple[str, str]:
    """The first text/plain and text/html bodies outside attachments, walking at most MAX_PARTS parts.

    Attachments (and attached messages: a forwarded or bounced original) are never decoded.
    """
    plain: list[str] = []
    html: list[str] = []
    fallback: list[str] = []  # a broken multipart (no boundary) or other text: read when nothing else is
    stack = [message]
    walked = 0
    while stack:
        part = stack.pop()
        walked += 1
        if walked > MAX_PARTS:
            parsed.parts_truncated = True
            break
        content_type = safe_content_type(part)
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                # A multipart's payload holds messages; the stubs allow strings too.
                subparts = [sub for sub in payload[:MAX_PARTS] if isinstance(sub, EmailMessage)]
                if content_type == "multipart/alternative":
                    # Prefer the richest alternative that is text: the plain one comes first, html last.
                    stack.extend(reversed(subparts))
                else:
                    stack.extend(reversed(subparts))
            continue
        if content_type.startswith("message/") and content_type != "message/delivery-status":
            continue
        if content_disposition(part) == "attachment":
            continue
        if content_type == "text/plain" and not plain:
            plain.append(decode_part(part))
        elif content_type == "text/html" and not html:
            html.append(decode_part(part))
        elif content_type.startswith(("multipart/", "text/", "message/delivery-status")) and not fallback:
            fallback.append(decode_part(part))
    parsed.parts_walked = min(walked, MAX_PARTS)
    if not plain and not html and fallback:
        plain = fallback
    return "".join(plain)[: MAX_BODY_CHARS * 4], "".join(html)


def content_disposition(part: EmailMessage) -> str:
    """ "inline", "attachment" or "": never raises, also on a non-ASCII file name (a `Header`, not a str)."""
    value = part.get("Content-Disposition")
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:  # an undecodable header object: what it is, is still its first word
        text = getattr(value, "_chunks", [("",)])[0][0] if hasattr(value, "_chunks") else ""
    return str(text).split(";")[0].strip().lower()


def decode_part(part: EmailMessage) -> str:
    """The text of one leaf part: transfer encoding undone, then the charset, robustly."""
    # The stored payload, not get_payload(): that one already decodes 8-bit bodies with the declared
    # charset and replaces what does not fit, before our fallbacks can try.
    payload = getattr(part, "_payload", None)
    if not isinstance(payload, str):
        return ""
    payload = payload[:MAX_PART_ENCODED_BYTES]
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    data = payload.encode("ascii", "surrogateescape") if payload.isascii() else _to_bytes(payload)
    if encoding == "base64":
        data = _base64(data)
    elif encoding == "quoted-printable":
        data = quopri.decodestring(data)
    try:
        charset = part.get_content_charset() or ""
    except Exception:
        charset = ""
    return decode_bytes(data, charset)


def _to_bytes(payload: str) -> bytes:
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return payload.encode("utf-8", "surrogateescape")


def _base64(data: bytes) -> bytes:
    """Base64 that survives garbage: foreign characters dropped, padding repaired, a ragged end cut off."""
    cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]  # one stray character cannot encode a byte
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return binascii.a2b_base64(cleaned)
    except (binascii.Error, ValueError):
        return b""


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Declared charset if it is real and fits; else UTF-8; else Windows-1252; else Latin-1 (never fails)."""
    codec = _codec(charset)
    if codec:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec and codec not in ("ascii", "utf-8"):
        # A known charset with a few bad bytes: keep its reading, mark the bad bytes.
        text = data.decode(codec, "replace")
        if text.count("\ufffd") <= max(2, len(text) // 100):
            return text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _codec(charset: str | None) -> str:
    if not charset:
        return ""
    name = str(charset).strip().strip('"').lower()[:40]
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return ""


# HTML ------------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
}
_SKIPPED_TAGS = {"script", "style", "head", "title", "template", "noscript"}
# Quoted history that clients wrap in markup: Gmail, Outlook web / desktop, Apple Mail, Yahoo, Thunderbird.
_QUOTE_CLASSES = {"gmail_quote", "gmail_extra", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote"}
_QUOTE_IDS = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip_depth = 0
        self.stopped = False
        self.size = 0

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        attributes = {key.lower(): (value or "") for key, value in attrs}
        classes = set(attributes.get("class", "").lower().split())
        # Everything from the quoted history on is the previous mail, never the reply.
        if (
            (tag == "blockquote" and attributes.get("type", "").lower() == "cite")
            or classes & _QUOTE_CLASSES
            or attributes.get("id", "").lower() in _QUOTE_IDS
        ):
            self.stopped = True
            return
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")
        if tag == "hr" and "stopspelling" in attributes.get("id", "").lower():
            self.stopped = True

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS and self.skip_depth:
            self.skip_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if self.stopped or self.skip_depth or self.size > MAX_BODY_CHARS * 2:
            return
        self.chunks.append(data)
        self.size += len(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML body, quoted history left out."""
    if not html:
        return ""
    extractor = _TextExtractor()
    try:
        extractor.feed(html[: MAX_BODY_CHARS * 10])
        extractor.close()
    except Exception:  # HTMLParser is lenient; this is for the truly pathological: keep what was read
        logger.warning("HTML body could not be fully read", exc_info=True)
    text = "".join(extractor.chunks).replace("\xa0", " ")
    lines = [_WHITESPACE_RE.sub(" ", line).strip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
