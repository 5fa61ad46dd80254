"""The reply itself: quoted history, signatures and phone footers taken out of a body.

mail-parser-reply does the main work (it knows the "On … wrote:" and "From: … Sent: …"
headers of many clients in many languages); the patterns below catch what it misses and
undo its one dangerous habit, treating a sentence that starts with "Thanks," as a signature.
"""

from __future__ import annotations

import logging
import re

from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage as ReplyParser

from messaging.models import MAX_BODY_CHARS

logger = logging.getLogger(__name__)

LANGUAGES = [code for code in ("en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "cs") if code in MAIL_LANGUAGES]
# Cleaning a novel is pointless and slow: past this the text is cut before parsing.
MAX_CLEAN_INPUT = MAX_BODY_CHARS * 2

# A line on which the quoted previous mail starts (checked line by line, so anchors are per line).
_QUOTE_HEADER = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|forwarded\s+message|reply\s+message|message\s+d'origine|ursprüngliche\s+nachricht|mensaje\s+original)\s*-{2,}
      | _{10,}
      | on\s.{1,200}\swrote:?
      | le\s.{1,200}\sa\s+écrit\s*:
      | am\s.{1,200}\sschrieb.{0,100}:
      | el\s.{1,200}\sescribió\s*:
      | il\s.{1,200}\sha\s+scritto\s*:
      | op\s.{1,200}\sschreef.{0,100}:
      | \d{4}[-/.]\d{1,2}[-/.]\d{1,2}.{0,80}<[^>]+@[^>]+>.{0,20}:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "On Mon, Jan 6, 2025 at 10:00 AM Jane Smith <" + newline + "jane@acme.com> wrote:": Gmail wraps long ones.
_WRAPPED_ON_WROTE = re.compile(r"^\s*(?:on|le|am|el|il|op)\s.{5,200}$", re.IGNORECASE)
_WROTE_END = re.compile(r"(?:wrote|a\s+écrit|schrieb|escribió|ha\s+scritto|schreef)\s*:\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\**(?:from|de|von|da|van|från|od|fra)\s*:\**\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\**(?:sent|date|to|subject|envoyé|gesendet|enviado|inviato|verzonden|skickat|datum|an|à|para|a)\s*:",
    re.IGNORECASE,
)
# Where a signature or a client's footer starts; everything after it goes.
_SIGNATURE_START = re.compile(
    r"""^\s*(?:
        --\s*
      | —\s*
      | sent\s+from\s+(?:my\s+)?\S.{0,60}
      | sent\s+(?:with|via|using)\s+\S.{0,60}
      | get\s+outlook\s+for\s+\S.{0,40}
      | envoyé\s+de\s+mon\s+\S.{0,40}
      | von\s+meinem\s+\S.{0,40}\s+gesendet
      | enviado\s+desde\s+mi\s+\S.{0,40}
      | inviato\s+da(?:l\s+mio)?\s+\S.{0,40}
      | verzonden\s+vanaf\s+mijn\s+\S.{0,40}
      | skickat\s+från\s+min\s+\S.{0,40}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# A sign-off line on its own: the library may cut from here. A longer line is a sentence that starts so.
_SIGN_OFF_LINE = re.compile(
    r"^\s*(?:>\s*)*(?:(?:best|kind|warm|warmest|many)?\s*(?:regards|wishes)|thanks(?:\s+again)?|thank\s+you"
    r"|best|all\s+the\s+best|cheers|sincerely|yours(?:\s+sincerely|\s+truly)?|regards)\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def clean_reply(text: str) -> str:
    """The new text of a reply: no quoted history, no signature, no "Sent from my iPhone"."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_CLEAN_INPUT]
    text = _cut_at_quote_header(text)
    reply = _library_reply(text)
    reply = _cut_at_quote_header(reply)
    reply = _drop_quoted_lines(reply)
    reply = _cut_at_signature(reply)
    reply = _cut_at_sign_off(reply)
    reply = re.sub(r"\n{3,}", "\n\n", reply).strip()
    if not reply:
        # Everything looked like history or signature: better the whole text than nothing.
        reply = _drop_quoted_lines(text).strip() or text.strip()
    return reply[:MAX_BODY_CHARS]


def _library_reply(text: str) -> str:
    try:
        parsed = ReplyParser(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    except Exception:  # a library bug must not lose the mail: fall back to our own patterns
        logger.warning("mail-parser-reply failed; using the fallback patterns", exc_info=True)
        return text
    if not parsed.replies:
        return text
    latest = parsed.replies[0]
    if latest.signatures and not _is_real_signature(latest.signatures):
        return latest.full_body
    return latest.body or latest.full_body


def _is_real_signature(signature: str) -> bool:
    first_line = next((line for line in signature.splitlines() if line.strip()), "")
    return bool(
        _SIGN_OFF_LINE.match(first_line)
        or _SIGNATURE_START.match(first_line)
        or re.match(r"^\s*[-_]{2,}\s*$", first_line)
        or (re.match(r"^\s*-\s?\w", first_line) and len(first_line) <= 40)
    )


def _cut_at_quote_header(text: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index == 0 and not line.strip():
            continue
        if _QUOTE_HEADER.match(line):
            return "\n".join(lines[:index])
        if _WRAPPED_ON_WROTE.match(line) and index + 1 < len(lines) and _WROTE_END.search(lines[index + 1]):
            return "\n".join(lines[:index])
        if _OUTLOOK_FROM.match(line) and any(
            _OUTLOOK_NEXT.match(next_line) for next_line in lines[index + 1 : index + 4]
        ):
            return "\n".join(lines[:index])
    return text


def _drop_quoted_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))


def _cut_at_signature(text: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index > 0 and _SIGNATURE_START.match(line):
            return "\n".join(lines[:index])
    return text


def _cut_at_sign_off(text: str) -> str:
    """ "Best,\nSam\nSenior Engineer" at the end goes: a sign-off line followed by a few short lines."""
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if index > 0 and _SIGN_OFF_LINE.match(line):
            rest = [rest_line for rest_line in lines[index + 1 :] if rest_line.strip()]
            if len(rest) <= 6 and all(len(rest_line) <= 80 for rest_line in rest):
                return "\n".join(lines[:index])
    return text
