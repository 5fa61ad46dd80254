"""Word-level text helpers shared by the personalisation check's parts."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})  # typographic quotes


def split_words(text: str) -> list[str]:
    return _WORD.findall((text or "").casefold())


def word_line(text: str) -> str:
    """Text as " word word word ": a phrase is mentioned when its word line is a substring."""
    return f" {' '.join(split_words(text))} "


def mentions(line: str, phrase: str) -> bool:
    """Whether the word line `line` holds `phrase` as whole words."""
    phrase_words = split_words(phrase)
    return bool(phrase_words) and f" {' '.join(phrase_words)} " in line


def quoted_list(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(f"“{item}”" for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
