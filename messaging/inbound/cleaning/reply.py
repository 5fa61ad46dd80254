"""One walk over a reply's lines that keeps the candidate's words and drops the rest."""

from __future__ import annotations

import re

from messaging.inbound.cleaning.headers import (
    QUOTE_LOOKAHEAD,
    Header,
    attribution_ending_at,
    followed_by_quote,
    header_at,
    header_may_end,
    is_bare_verb,
    is_forward,
    is_quoted,
)
from messaging.inbound.cleaning.scan import Landmarks, landmarks
from messaging.inbound.cleaning.signatures import footer_start, is_delimiter
from messaging.models import MAX_BODY_CHARS

# The walk is linear, so a long mail is cheap; past this, though, the text is not something a person
# typed: it is cut first (an answer written below 2 MB of quoted history would be lost).
MAX_CLEAN_INPUT = 2_000_000
_RULE_CHARACTERS = frozenset("-_=*~\u2014\u2013 \t")
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*\n?", re.MULTILINE)


def clean_reply(text: str) -> str:
    """The new text of a reply: no quoted history, no client signature, no "Sent from my iPhone".

    Kept: the answer above the quote, below it and between quoted lines, and the candidate's
    sign-off ("Thanks,\\nAlex"). If nothing is left, the text without its quoted lines (or all of it)
    is returned: a reply is never stored empty because it looked like history.
    """
    text = text[:MAX_CLEAN_INPUT].replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    reply = _tidy(answer_lines(text))
    if not reply:
        reply = _QUOTED_LINE.sub("", text).strip() or text
    return reply[:MAX_BODY_CHARS].rstrip()


def answer_lines(text: str) -> list[str]:
    """The lines the candidate wrote, in order.

    - A quoted line ("> …") goes; so does a line that only continues one (a link broken over lines).
    - A quote header ("On … wrote:", an Outlook "From:/Sent:" block, "-----Original Message-----")
      goes. If a quoted block follows it, the walk goes on after that block (the answer may be
      below it or between its lines); otherwise everything after the header is the previous mail.
    - A client signature goes: from a "-- " line up to the next quoted block, and a footer such as
      "Sent from my iPhone" just above a quote or the end.
    - From a "Forwarded message" line on, everything stays: the candidate sent it on purpose.
    Only the lines `scan.landmarks` names are looked at; the plain lines between them are copied.
    """
    walk = _Walk(text.split("\n"), landmarks(text))
    walk.run()
    return walk.kept


class _Walk:
    def __init__(self, lines: list[str], marks: Landmarks) -> None:
        self.lines = lines
        self.marks = marks
        self.kept: list[str] = []
        self.sources: list[int] = []  # the line each kept line came from, so a header found late takes its start back
        self.index = 0
        self.floor = 0  # lines above this were read as quote or header: no header starts there
        self.in_signature = False

    def run(self) -> None:
        upcoming = iter(self.marks.lines)
        mark = next(upcoming, len(self.lines))
        while self.index < len(self.lines):
            while mark < self.index:
                mark = next(upcoming, len(self.lines))
            if not self.in_signature:
                self.kept.extend(self.lines[self.index : mark])
                self.sources.extend(range(self.index, mark))
            self.index = mark
            if mark >= len(self.lines) or not self._step():
                break
        self._drop_footer()

    def _step(self) -> bool:
        """Read the landmark line at `index` and move past it; False when the rest of the mail is history."""
        index, line = self.index, self.lines[self.index]
        run_end = self.marks.quoted_run_end(index)
        if run_end is None and is_forward(line):
            self.kept.extend(self.lines[index:])
            return False
        if run_end is None:
            header = header_at(self.lines, index, self.floor)
        elif index not in self.marks.quoted_runs:
            header = None  # inside a quoted block the walk came into after a header
        elif is_bare_verb(line):  # Polymail's "> wrote:" ends a header begun above the quote
            header = attribution_ending_at(self.lines, index, self.floor)
        else:
            header = self._header_above(index)
        if header is not None:
            self._take_back(header)
            next_quote = followed_by_quote(self.lines, header.end)
            if next_quote is None:
                return False
            run_end = self.marks.quoted_run_end(next_quote)
        if run_end is not None:
            self._drop_footer()
            end = run_end + 1 if _continues_quote(self.lines, run_end) else run_end
            self.index, self.floor, self.in_signature = end, end, False
            return True
        if is_delimiter(line):
            self.in_signature = True
        elif not self.in_signature:
            self.kept.append(line)
            self.sources.append(index)
        self.index = index + 1
        return True

    def _header_above(self, quote: int) -> Header | None:
        """A header that ends on the last line above a quote without a colon ("Jane Smith wrote")."""
        for above in range(quote - 1, max(self.floor, quote - QUOTE_LOOKAHEAD) - 1, -1):
            if self.lines[above].strip():
                if header_may_end(self.lines[above]):
                    return attribution_ending_at(self.lines, above, self.floor)
                return None
        return None

    def _take_back(self, header: Header) -> None:
        """The header's own lines, the blank lines and rules ("-----", "_____") just above it and a
        footer above those go; the answer's words before the header on its first line stay."""
        while self.sources and (self.sources[-1] >= header.start or set(self.kept[-1]) <= _RULE_CHARACTERS):
            self.kept.pop()
            self.sources.pop()
        self._drop_footer()
        if header.prefix:
            self.kept.append(header.prefix)
            self.sources.append(header.start)

    def _drop_footer(self) -> None:
        start = footer_start(self.kept)
        if start is not None:
            del self.kept[start:], self.sources[start:]


def _continues_quote(lines: list[str], index: int) -> bool:
    """Whether `lines[index]`, just under a quoted line, only carries that line on.

    Clients re-wrap long quoted links and break the ">" off: "> View it (http://example.com/a" /
    "_nonce=3dd518)" / ">". A short answer between two quoted lines is not that, and stays.
    """
    if index + 1 >= len(lines) or is_quoted(lines[index]) or not is_quoted(lines[index + 1]):
        return False
    line = lines[index].strip()
    if line.endswith(">") and "<" not in line:
        return True
    previous = lines[index - 1].lstrip(" \t>")
    return previous.count("(") > previous.count(")") or previous.count("<") > previous.count(">")


_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(kept: list[str]) -> str:
    text = "\n".join(kept) + "\n"
    if " \n" in text or "\t\n" in text:
        text = "\n".join(line.rstrip() for line in kept)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
