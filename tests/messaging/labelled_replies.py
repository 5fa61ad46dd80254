"""The labelled replies of `data/labelled_replies.json`, run through the reply classifier.

Shared by tests/messaging/test_reply_intents_labelled.py (which fails when precision or recall
drops) and benchmarks/reply_intents.py (which prints the confusion matrix, the figures per intent
and language, and the speed). No database: the classifier reads text only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from messaging.replies import INTENTS, classify

DATA = Path(__file__).resolve().parent / "data" / "labelled_replies.json"
LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt", "pl", "sv")


@cache
def labelled_set() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def replies() -> list[dict[str, Any]]:
    return labelled_set()["replies"]


@dataclass(frozen=True)
class Outcome:
    reply: dict[str, Any]
    found: str
    reason: str

    @property
    def expected(self) -> str:
        return self.reply["intent"]


@dataclass(frozen=True)
class Figures:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def evaluate(sample: list[dict[str, Any]] | None = None) -> list[Outcome]:
    outcomes = []
    for reply in replies() if sample is None else sample:
        intent = classify(reply["text"])
        outcomes.append(Outcome(reply, intent.classification, intent.reason))
    return outcomes


def figures(outcomes: list[Outcome], intent: str, language: str | None = None) -> Figures:
    rows = [o for o in outcomes if language is None or o.reply["language"] == language]
    return Figures(
        true_positives=sum(o.expected == intent and o.found == intent for o in rows),
        false_positives=sum(o.expected != intent and o.found == intent for o in rows),
        false_negatives=sum(o.expected == intent and o.found != intent for o in rows),
    )


def confusion_matrix(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Expected intent → found intent → count."""
    matrix = {expected: dict.fromkeys(INTENTS, 0) for expected in INTENTS}
    for outcome in outcomes:
        matrix[outcome.expected][outcome.found] += 1
    return matrix


def mistakes(outcomes: list[Outcome], intent: str | None = None) -> list[str]:
    """One line per reply read wrongly (involving `intent` when given): id, expected → found, why, text."""
    lines = []
    for o in outcomes:
        if o.expected != o.found and (intent is None or intent in (o.expected, o.found)):
            text = " ".join(o.reply["text"].split())[:90]
            lines.append(f"{o.reply['id']}: {o.expected} → {o.found} ({o.reason}) {text}")
    return lines
