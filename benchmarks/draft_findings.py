"""The personalisation check on the labelled drafts: confusion figures per finding and language, and speed.

Prints figures; it is not a test (tests/messaging/test_checks_labelled.py fails when precision or
recall drops under its thresholds). Creates its own organisations and the set's candidates (with
skills and résumés) in the database DATABASE_URL points at, and removes them when done.

For each finding the set is labelled for (generic, placeholder, wrong_company, wrong_industry):
true and false positives and negatives, precision and recall, overall and per language (en, de, fr,
es), then every draft the check gets wrong. Speed: the median of BENCH_CHECK_ROUNDS (default 5)
passes over the whole set, per 1,000 drafts, and its ratio to a floor measured in the same run:
case-folding and splitting each draft into words, the least any word-level check does. The ratio
travels between machines; the milliseconds do not.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from candidates.models import Candidate  # noqa: E402
from messaging.checks.words import split_words  # noqa: E402
from talentcircles.models import Organization  # noqa: E402
from tests.messaging.labelled_drafts import (  # noqa: E402
    LANGUAGES,
    SCORED,
    confusion,
    create_candidates,
    drafts,
    evaluate,
    mistakes,
)

ROUNDS = int(os.environ.get("BENCH_CHECK_ROUNDS", "5"))


def floor(sample: list[dict]) -> None:
    """What any word-level check must do: read each draft once, case-folded, as words."""
    for draft in sample:
        split_words(f"{draft['subject']}\n{draft['body']}")


def median_ms(step: Callable[[], object]) -> float:
    step()  # warm up: compiled patterns, the vocabularies the check loads once
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def print_confusion(outcomes: list) -> None:
    print(f"{'finding':16} {'lang':5} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}  precision  recall")
    for code in SCORED:
        for language in (None, *LANGUAGES):
            figures = confusion(outcomes, code, language)
            print(
                f"{code if language is None else '':16} {language or 'all':5} {figures.true_positives:4} "
                f"{figures.false_positives:4} {figures.false_negatives:4} {figures.true_negatives:4}  "
                f"{figures.precision:9.2f}  {figures.recall:6.2f}"
            )
    wrong = [(code, line) for code in SCORED for line in mistakes(outcomes, code)]
    print(f"drafts the check gets wrong: {len(wrong)}")
    for code, line in wrong:
        print(f"  {code}: {line}")


def main() -> None:
    names = sorted({draft["organization"] for draft in drafts()})
    orgs = {
        name: Organization.objects.create(name=name, slug=f"bench-check-{index}-{os.getpid()}")
        for index, name in enumerate(names)
    }
    try:
        candidates = create_candidates(orgs["Acme Robotics"])
        outcomes = evaluate(candidates, orgs)
        languages = ", ".join(f"{lang} {sum(d['language'] == lang for d in drafts())}" for lang in LANGUAGES)
        print(f"labelled drafts: {len(outcomes)} ({languages}), {len(candidates)} candidates")
        print_confusion(outcomes)
        per_thousand = 1000 / len(outcomes)
        base = median_ms(lambda: floor(drafts())) * per_thousand
        check = median_ms(lambda: evaluate(candidates, orgs)) * per_thousand
        print(f"speed, median of {ROUNDS} passes, ms per 1,000 drafts:")
        print(f"  {'floor: case-fold and split into words':44} {base:8.1f} ms")
        print(f"  {'draft_findings (the check, no message history)':44} {check:8.1f} ms  {check / base:7.1f}x floor")
    finally:
        Candidate.objects.filter(organization__in=orgs.values()).delete()
        for org in orgs.values():
            org.delete()


if __name__ == "__main__":
    main()
