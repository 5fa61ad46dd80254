"""The characters a pattern can start with: a cheap look-ahead in front of each group of phrases.

The classifier's pattern is tried at every word start of a reply; a group whose phrases cannot begin
with the character there is skipped after one character-class test instead of a few dozen failing
alternatives (a 5,000-character reply is read several times faster). Built on the standard library's
own regular-expression parser; anything it cannot bound ("any character") gives no look-ahead.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_c: Any = sre_constants


def _first(items: Any) -> tuple[set[int] | None, bool]:
    """(the first characters, or None for any; whether the items can match the empty string)."""
    found: set[int] = set()
    for op, av in items:
        firsts, nullable = _first_of(op, av)
        if firsts is None:
            return None, False
        found |= firsts
        if not nullable:
            return found, False
    return found, True


def _first_of(op: Any, av: Any) -> tuple[set[int] | None, bool]:
    if op is _c.LITERAL:
        return {av}, False
    if op is _c.IN:
        chars: set[int] = set()
        for inner_op, inner_av in av:
            if inner_op is _c.LITERAL:
                chars.add(inner_av)
            elif inner_op is _c.RANGE:
                chars.update(range(inner_av[0], inner_av[1] + 1))
            else:
                return None, False
        return chars, False
    if op is _c.BRANCH:
        found: set[int] = set()
        any_nullable = False
        for branch in av[1]:
            firsts, nullable = _first(branch)
            if firsts is None:
                return None, False
            found |= firsts
            any_nullable = any_nullable or nullable
        return found, any_nullable
    if op is _c.SUBPATTERN:
        return _first(av[-1])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        firsts, nullable = _first(av[2])
        return firsts, nullable or av[0] == 0
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return set(), True
    return None, False


def first_chars_lookahead(pattern: str, flags: int = 0) -> str:
    """`(?=[…])` naming every character the pattern can start with, or "" when that cannot be bounded."""
    firsts, nullable = _first(sre_parse.parse(pattern, flags).data)
    if firsts is None or nullable or not firsts:
        return ""
    chars = {chr(code) for code in firsts}
    if flags & re.IGNORECASE:
        chars |= {char.upper() for char in chars} | {char.lower() for char in chars}
    return "(?=[" + "".join(re.escape(char) for char in sorted(chars) if len(char) == 1) + "])"
