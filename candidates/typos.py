"""Misspelt words: pg_trgm's trigram measures in Python, and swapped neighbouring letters.

Trigrams forgive a wrong, missing or extra letter in a long word, but two letters swapped
break three trigrams at once: "torvlads" keeps 4 of its 9 (word similarity 0.44 to
"torvalds") and "jonh" 2 of 5 (0.4 to "john"), both under the threshold that keeps the
index from offering thousands of names. The swaps are therefore tried as words of their
own, an exact lookup each (`transpositions`).
"""

from __future__ import annotations

import functools
import re

from candidates import folding

MIN_TYPO_LENGTH = 4  # shorter words are not typo-matched: "  j" alone resembles every J-name


@functools.lru_cache(maxsize=4096)
def word_trigrams(word: str) -> tuple[str, ...]:
    """A word's trigrams in order, padded as pg_trgm pads: two spaces before, one after."""
    padded = f"  {word} "
    return tuple(padded[i : i + 3] for i in range(len(padded) - 2))


@functools.lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's `show_trgm`: the trigrams of each lower-case word of `text`."""
    return frozenset(gram for word in re.findall(r"\w+", (text or "").lower()) for gram in word_trigrams(word))


def similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's `similarity`: shared trigrams over all trigrams of both."""
    left, right = trigrams(a or ""), trigrams(b or "")
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@functools.lru_cache(maxsize=16384)
def word_similarity(word: str, text: str) -> float:
    """pg_trgm's `word_similarity`, over each word of `text`: the best of `word` against a run of its trigrams.

    pg_trgm lets a run cross into the next word; words of a name rarely share trigrams, so this
    per-word version gives the same figure on names.
    """
    wanted = trigrams(word)
    if not wanted:
        return 0.0
    best = 0.0
    for other in re.findall(r"\w+", text.lower()):
        grams = word_trigrams(other)
        for start in range(len(grams)):
            run: set[str] = set()
            for gram in grams[start:]:
                run.add(gram)
                shared = len(run & wanted)
                best = max(best, shared / (len(wanted) + len(run) - shared))
    return best


def transpositions(word: str) -> list[str]:
    """`word` with two neighbouring letters swapped, each way it can be: "jonh" → ["jnoh", "john", "ojnh"]."""
    if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
        return []
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    swapped.discard(word)
    return sorted(swapped)


def resembles_a_word(word: str, text: str, threshold: float) -> bool:
    """Whether `word` is a misspelling of a word of `text` (both folded): one swap, or trigram-similar."""
    if len(word) < MIN_TYPO_LENGTH:
        return False
    # Compared collapsed, as the search compares whole words: "muelelr" is "mueller", which is "muller".
    words = {folding.collapse(each) for each in re.findall(r"\w+", text)}
    swapped = any(folding.collapse(swap) in words for swap in transpositions(word))
    return swapped or word_similarity(word, text) >= threshold
