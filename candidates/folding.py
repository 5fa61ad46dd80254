"""Accent- and case-blind text: `Müller`, `MULLER` and `muller` fold alike.

`fold` is the Python twin of the database function `tc_fold` (migration candidates 0013):
lower case, then the accents taken off as PostgreSQL's `unaccent` does (ü → u, ł → l,
ß → ss, æ → ae). On PostgreSQL `tc_fold` is `unaccent` itself, so a letter this module does
not know is still folded there; on SQLite `tc_fold` calls `fold` (candidates.sqlite_functions).

German spellings without umlauts write ü as ue, ö as oe and ä as ae (Mueller for Müller).
`collapse` turns those pairs into the bare vowel, so Muller, Mueller and Müller share one
form. It is only an extra form, searched beside the folded one and never instead of it:
collapsed, "Samuel" would no longer contain "samue" as it is being typed.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode decomposition leaves alone and `unaccent.rules` folds (its common Latin ones).
_NOT_DECOMPOSED = str.maketrans(
    {"ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}  # noqa: RUF001
)
GERMAN_PAIRS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def fold(text: str) -> str:
    """`text` lower-cased with its accents removed: "Łódź Müller" → "lodz muller"."""
    lowered = text.lower().translate(_NOT_DECOMPOSED)
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def collapse(folded: str) -> str:
    """A folded text with German ae, oe and ue written as a, o and u: "mueller" → "muller"."""
    for pair, vowel in GERMAN_PAIRS:
        folded = folded.replace(pair, vowel)
    return folded


def with_collapsed(text: str) -> str:
    """`fold(text)`, followed by its collapsed form when that differs: what names and work are searched in."""
    folded = fold(text)
    collapsed = collapse(folded)
    return folded if collapsed == folded else f"{folded} {collapsed}"
