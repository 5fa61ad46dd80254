"""The vocabularies behind the check, loaded once from `messaging/data/`.

`spam_phrases.txt`: phrases typical of spam or blasts. `industry_keywords.txt`: families of related
industries of the candidate taxonomy and the everyday words for them, in English, German, French and
Spanish. `not_employers.txt`: what a "your time at X" claim can name that is not an employer (schools,
events, places, technologies and products).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from candidates.normalise import INDUSTRIES
from messaging.checks.words import split_words

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def industry_families() -> dict[str, frozenset[str]]:
    """Family name → the taxonomy industries it covers, from data/industry_keywords.txt."""
    families, _ = _load_industry_vocabulary()
    return families


@cache
def industry_keywords() -> dict[str, tuple[str, ...]]:
    """Keyword (case-folded) → the families it belongs to."""
    _, keywords = _load_industry_vocabulary()
    return keywords


@cache
def keywords_of_industry(industry: str) -> tuple[str, ...]:
    """The everyday words of the families an industry belongs to ("fintech" for Banking)."""
    return tuple(keyword for keyword, families in industry_keywords().items() if family_has(families, industry))


def family_has(families: Iterable[str], industry: str) -> bool:
    table = industry_families()
    return any(industry in table[family] for family in families)


@cache
def _load_industry_vocabulary() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    families: dict[str, frozenset[str]] = {}
    keywords: dict[str, list[str]] = {}
    known = set(INDUSTRIES)
    family = ""
    for number, line in enumerate((DATA / "industry_keywords.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            family = line[1:-1].strip()
            continue
        key, _, value = line.partition("=")
        items = [item.strip() for item in value.split(";") if item.strip()]
        if key.strip() == "industries":
            unknown = set(items) - known
            if unknown:
                raise ValueError(f"industry_keywords.txt line {number}: not in the taxonomy: {sorted(unknown)}")
            families[family] = frozenset(items)
        elif key.strip() == "keywords":
            for keyword in items:
                keywords.setdefault(" ".join(split_words(keyword)), []).append(family)
        else:
            raise ValueError(f"industry_keywords.txt line {number}: expected industries = … or keywords = …")
    return families, {keyword: tuple(names) for keyword, names in keywords.items()}


@dataclass(frozen=True)
class NameList:
    """One block of not_employers.txt: words a name may contain, and whole names (each as its words)."""

    words: frozenset[str] = frozenset()
    names: frozenset[tuple[str, ...]] = frozenset()

    def contains_word(self, words: list[str]) -> bool:
        return any(word in self.words for word in words)

    def starts(self, words: list[str]) -> bool:
        """Whether `words` is one of the names, or begins with one ("SAP FICO" with "SAP")."""
        return any(tuple(words[:length]) in self.names for length in range(1, len(words) + 1))


@cache
def not_employers() -> dict[str, NameList]:
    """Block name ("schools", "events", "places", "technologies", "common nouns") → its words and names."""
    blocks: dict[str, dict[str, set]] = {}
    block = ""
    for number, line in enumerate((DATA / "not_employers.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            block = line[1:-1].strip()
            blocks[block] = {"words": set(), "names": set()}
            continue
        key, _, value = line.partition("=")
        if key.strip() not in ("words", "names") or not block:
            raise ValueError(f"not_employers.txt line {number}: expected words = … or names = … inside a [block]")
        items = [split_words(item) for item in value.split(";")]
        if key.strip() == "words":
            blocks[block]["words"].update(word for words in items for word in words)
        else:
            blocks[block]["names"].update(tuple(words) for words in items if words)
    return {
        name: NameList(words=frozenset(parts["words"]), names=frozenset(parts["names"]))
        for name, parts in blocks.items()
    }


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted(set(phrases), key=len, reverse=True)  # longest first: "dear sir/madam" before "dear sir"
    body = "|".join(r"\s+".join(re.escape(part) for part in phrase.split()) for phrase in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


@cache
def spam_phrases() -> tuple[str, ...]:
    """The documented list in data/spam_phrases.txt, case-folded."""
    lines = (DATA / "spam_phrases.txt").read_text(encoding="utf-8").splitlines()
    return tuple(
        " ".join(line.casefold().split()) for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def spam_regex() -> re.Pattern[str]:
    return _phrase_regex(spam_phrases())


@cache
def industry_regex() -> re.Pattern[str]:
    # Keywords are matched on the word line (words joined by single spaces).
    alternatives = sorted(industry_keywords(), key=len, reverse=True)
    return re.compile(r"(?<= )(?:" + "|".join(re.escape(k) for k in alternatives) + r")(?= )")
