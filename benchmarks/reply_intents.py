"""The reply classifier on the labelled replies: confusion matrix, precision and recall per intent and language, speed.

Prints figures; it is not a test (tests/messaging/test_reply_intents_labelled.py fails when
precision or recall drops under its thresholds). Needs no database.

The matrix counts each labelled intent (rows) against what the classifier found (columns); then
precision and recall per intent, overall, for the held-out replies (measured blind first) and per
language (en, de, fr, es, nl, it, pt, pl, sv); then every reply read wrongly. Speed: the median of
BENCH_REPLY_ROUNDS (default 5) passes over the whole set, per 1,000 replies, and its ratio to a floor
measured in the same run: case-folding each reply and splitting it into words, the least any
word-level reading does. The ratio travels between machines; the milliseconds do not.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")

import django

django.setup()

from messaging.replies import INTENTS, classify  # noqa: E402
from tests.messaging.labelled_replies import (  # noqa: E402
    LANGUAGES,
    confusion_matrix,
    evaluate,
    figures,
    mistakes,
    replies,
)

ROUNDS = int(os.environ.get("BENCH_REPLY_ROUNDS", "5"))
_WORDS = re.compile(r"\w+")


def floor(texts: list[str]) -> None:
    """What any word-level reading must do: read each reply once, case-folded, as words."""
    for text in texts:
        _WORDS.findall(text.casefold())


def median_ms(step: Callable[[], object]) -> float:
    step()  # warm up: the compiled pattern
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def print_matrix(outcomes: list) -> None:
    matrix = confusion_matrix(outcomes)
    short = {intent: intent[:8] for intent in INTENTS}
    print("confusion matrix (rows: labelled, columns: found)")
    print(f"{'':16}" + "".join(f"{short[intent]:>10}" for intent in INTENTS))
    for expected in INTENTS:
        print(f"{expected:16}" + "".join(f"{matrix[expected][found]:10}" for found in INTENTS))


def print_figures(outcomes: list, title: str) -> None:
    print(title)
    print(f"{'intent':16} {'lang':5} {'TP':>4} {'FP':>4} {'FN':>4}  precision  recall")
    for intent in INTENTS:
        for language in (None, *LANGUAGES):
            measured = figures(outcomes, intent, language)
            if language and not (measured.true_positives + measured.false_positives + measured.false_negatives):
                continue
            print(
                f"{intent if language is None else '':16} {language or 'all':5} {measured.true_positives:4} "
                f"{measured.false_positives:4} {measured.false_negatives:4}  "
                f"{measured.precision:9.2f}  {measured.recall:6.2f}"
            )


def main() -> None:
    outcomes = evaluate()
    held_out = [outcome for outcome in outcomes if outcome.reply["split"] == "held_out"]
    languages = ", ".join(f"{lang} {sum(r['language'] == lang for r in replies())}" for lang in LANGUAGES)
    right = sum(outcome.found == outcome.expected for outcome in outcomes)
    print(f"labelled replies: {len(outcomes)} ({languages}); read right: {right} ({right / len(outcomes):.1%})")
    print_matrix(outcomes)
    print_figures(outcomes, "precision and recall, whole set")
    right_held = sum(outcome.found == outcome.expected for outcome in held_out)
    print(f"held-out replies: {len(held_out)}, read right: {right_held}")
    wrong = mistakes(outcomes)
    print(f"replies read wrongly: {len(wrong)}")
    for line in wrong:
        print(f"  {line}")
    texts = [reply["text"] for reply in replies()]
    per_thousand = 1000 / len(texts)
    base = median_ms(lambda: floor(texts)) * per_thousand
    reading = median_ms(lambda: [classify(text) for text in texts]) * per_thousand
    long_text = " ".join(texts)[:5_000]
    long_reply = median_ms(lambda: [classify(long_text) for _ in range(100)]) * 10
    long_floor = median_ms(lambda: floor([long_text] * 100)) * 10
    print(f"speed, median of {ROUNDS} passes, ms per 1,000 replies:")
    print(f"  {'floor: case-fold and split into words':44} {base:8.1f} ms")
    print(f"  {'classify (the reply classifier)':44} {reading:8.1f} ms  {reading / base:7.1f}x floor")
    print(f"  {'classify, 5,000-character replies':44} {long_reply:8.1f} ms  {long_reply / long_floor:7.1f}x floor")


if __name__ == "__main__":
    main()
