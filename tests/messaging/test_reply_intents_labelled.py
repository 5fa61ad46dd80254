"""The reply classifier against a labelled set of replies: precision and recall per intent.

The set (tests/messaging/data/labelled_replies.json) holds 289 replies in nine languages (en, de,
fr, es, nl, it, pt, pl, sv): interested, not interested, opt-out, later, questions and neutral
answers, with signatures, quoted history, negations, short answers and emojis. 235 were written
while the phrase tables were; 54 were held out and measured blind first (docs/messaging.md, "Written answers
understood"). The thresholds sit under what the classifier achieves on the whole set now: a change
that makes it noisier or blinder fails here with the replies it now reads wrongly.
`python benchmarks/reply_intents.py` prints the confusion matrix and the figures per language.
"""

from __future__ import annotations

from collections import Counter

import pytest

from messaging.replies import INTENTS
from tests.messaging import labelled_replies
from tests.messaging.labelled_replies import LANGUAGES, figures, mistakes

# Measured (docs/messaging.md): 1.00 / 1.00 for every intent on the whole set after the held-out replies were
# looked at; blind on the held-out 54 it was lower (0.78 of them right). Each threshold lets about two
# replies of the intent go wrong, not three.
MIN_PRECISION = {
    "opt_out": 0.95, "later": 0.95, "not_interested": 0.95, "interested": 0.95, "question": 0.90, "neutral": 0.90,
}  # fmt: skip
MIN_RECALL = {
    "opt_out": 0.95, "later": 0.95, "not_interested": 0.95, "interested": 0.95, "question": 0.90, "neutral": 0.90,
}  # fmt: skip
# Per language the sets are small (about 30 replies): one reply of a language may go wrong overall.
MIN_ACCURACY_PER_LANGUAGE = 0.93


@pytest.fixture(scope="module")
def outcomes() -> list[labelled_replies.Outcome]:
    return labelled_replies.evaluate()


def test_the_labelled_set_is_large_varied_and_well_formed():
    replies = labelled_replies.replies()
    assert len(replies) >= 200
    assert len({reply["id"] for reply in replies}) == len(replies)
    by_language = Counter(reply["language"] for reply in replies)
    assert set(by_language) == set(LANGUAGES) and min(by_language.values()) >= 20
    by_intent = Counter(reply["intent"] for reply in replies)
    assert set(by_intent) == set(INTENTS) and min(by_intent.values()) >= 20
    for language in LANGUAGES:
        intents = {reply["intent"] for reply in replies if reply["language"] == language}
        assert intents == set(INTENTS), language
    assert {reply["split"] for reply in replies} == {"development", "held_out"}


@pytest.mark.parametrize("intent", INTENTS)
def test_precision_and_recall_stay_above_the_measured_thresholds(outcomes, intent):
    measured = figures(outcomes, intent)
    wrong = "\n".join(mistakes(outcomes, intent))
    assert measured.precision >= MIN_PRECISION[intent], f"{intent} precision {measured.precision:.2f}:\n{wrong}"
    assert measured.recall >= MIN_RECALL[intent], f"{intent} recall {measured.recall:.2f}:\n{wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_is_read_about_as_well(outcomes, language):
    rows = [outcome for outcome in outcomes if outcome.reply["language"] == language]
    right = sum(outcome.found == outcome.expected for outcome in rows)
    wrong = "\n".join(mistakes(rows))
    assert right / len(rows) >= MIN_ACCURACY_PER_LANGUAGE, f"{language}: {right}/{len(rows)}\n{wrong}"
