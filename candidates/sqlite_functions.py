"""SQL functions PostgreSQL has (or migration 0013 defines) that SQLite lacks, so search works embedded too.

`similarity` is pg_trgm's; `tc_fold` and `tc_fold_with_collapsed` fold accents as the
PostgreSQL functions of the same names do (candidates.folding); `resembles_a_word` is the typo
test the SQLite search applies to each word (candidates.typos).
"""

from __future__ import annotations

from candidates import folding, typos


def _fold(text: str | None) -> str | None:
    return None if text is None else folding.fold(text)


def _fold_with_collapsed(text: str | None) -> str | None:
    return None if text is None else folding.with_collapsed(text)


def _resembles_a_word(word: str | None, text: str | None, threshold: float) -> bool:
    return bool(word and text) and typos.resembles_a_word(word or "", text or "", threshold)


def register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("similarity", 2, typos.similarity, deterministic=True)
        raw.create_function("tc_fold", 1, _fold, deterministic=True)
        raw.create_function("tc_fold_with_collapsed", 1, _fold_with_collapsed, deterministic=True)
        raw.create_function("resembles_a_word", 3, _resembles_a_word, deterministic=True)
