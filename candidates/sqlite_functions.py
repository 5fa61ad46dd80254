"""pg_trgm's `similarity()` for SQLite, so misspelt names are found on the embedded default too."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    # As pg_trgm: lower-case words, each padded with two spaces before and one after.
    grams: set[str] = set()
    for word in re.findall(r"\w+", (text or "").lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str | None, b: str | None) -> float:
    left, right = trigrams(a or ""), trigrams(b or "")
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("similarity", 2, similarity, deterministic=True)
