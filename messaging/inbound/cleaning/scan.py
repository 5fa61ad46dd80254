"""The lines of a reply worth a closer look, found by a few passes of the regex engine over the text.

Most lines of a long mail are plain prose or quoted history. Looking at each from Python costs
microseconds a line; these passes run in C and name only the lines that may matter: runs of quoted
lines, lines that may start a rule or a field ("-----", "-- ", "From:", "*Sent:*") and lines that
may end a quote header (in ":", ">", ")" or "]"). The walk in `reply` copies everything in between
at once. Every pattern is linear (no nested repetition), and each pass but the first is a literal,
which the engine finds fast.
"""

# ruff: noqa: RUF001 -- the fullwidth colon is Japanese mail's colon
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

_QUOTED_RUN = r"[ \t]*+>[^\n]*+(?:\n[ \t]*+>[^\n]*+)*"
# After a line break and before a non-empty line: a run of quoted lines, a rule, or a word and a colon.
# (Possessive runs: a line of a million spaces is read once.)
_LINE_START = re.compile(
    rf"\n(?=[^\n])(?:(?P<quoted>{_QUOTED_RUN})|(?=[ \t*]*+(?:[-_\u2013\u2014]|[^\W\d_]{{1,20}}[ \t\xa0*_]*[:：])))"
)
# Before a line break: what a quote header ends with, searched in a copy of the text without the
# decoration that may trail it ("wrote: ", "wrote ----"), so that each search is for a literal. The
# copy is UTF-8 bytes: deleting bytes is fast whatever the script ("\n" is one byte in UTF-8).
_DECORATION = b" \t*_-"
_LINE_ENDS = [re.compile(re.escape((end + "\n").encode())) for end in (":", "：", ">", ")", "]")]


@dataclass(frozen=True)
class Landmarks:
    """Line indexes: `lines` to look at, in order, and for each run of quoted lines its first line → its end."""

    lines: list[int]
    quoted_runs: dict[int, int]
    run_starts: list[int] = field(default_factory=list)

    def quoted_run_end(self, index: int) -> int | None:
        """The end of the run of quoted lines that `index` is in, if it is in one."""
        position = bisect_right(self.run_starts, index) - 1
        if position < 0:
            return None
        end = self.quoted_runs[self.run_starts[position]]
        return end if index < end else None


def landmarks(text: str) -> Landmarks:
    """The lines of `text` (split on "\\n") that the walk must look at."""
    found: set[int] = set()
    quoted_runs: dict[int, int] = {}
    prefixed = "\n" + text
    line, offset = -1, 0
    for match in _LINE_START.finditer(prefixed):
        line += prefixed.count("\n", offset, match.start() + 1)
        offset = match.start() + 1
        found.add(line)
        if match.group("quoted") is not None:
            quoted_runs[line] = line + match.group("quoted").count("\n") + 1
    bare = (text + "\n").encode("utf-8", "replace").translate(None, _DECORATION)
    for pattern in _LINE_ENDS:
        line, offset = 0, 0
        for end in pattern.finditer(bare):
            line += bare.count(b"\n", offset, end.start())
            offset = end.start()
            found.add(line)
    return Landmarks(lines=sorted(found), quoted_runs=quoted_runs, run_starts=sorted(quoted_runs))
