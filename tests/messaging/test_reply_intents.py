"""The reply classifier: the issue's cases, negations, short answers, nine languages, the reason, when to ask again."""

from __future__ import annotations

from datetime import date

import pytest

from messaging.classify import classify_reply, is_out_of_office_subject
from messaging.replies import classify
from messaging.replies.languages import CODES
from messaging.replies.later import ask_again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please stop emailing me and remove me from your list", "opt_out"),
        ("Bitte keine E-Mails mehr", "opt_out"),
        ("Kein Interesse", "not_interested"),
        ("Interested? Not at all.", "not_interested"),
        ("I'm not uninterested, to be honest.", "interested"),
        ("Yes!", "interested"),
        ("Nope", "not_interested"),
        ("👍", "interested"),
        ("I'm not really that interested.", "not_interested"),
        ("Not sure yet, but I'm interested.", "interested"),
        ("Not right now. Ask me again in March?", "later"),
        ("Nach dem Sommer gerne wieder.", "later"),
        ("What's the salary range?", "question"),
        ("Thanks, received.", "neutral"),
        ("", "neutral"),
    ],
)
def test_it_reads_the_cases_the_issue_names(text, expected):
    assert classify_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "language"),
    [
        ("Merci de ne plus me contacter.", "opt_out", "fr"),
        ("No me interesa, gracias.", "not_interested", "es"),
        ("Haal mij uit uw bestand.", "opt_out", "nl"),
        ("Non sono interessato.", "not_interested", "it"),
        ("Talvez no futuro, no próximo ano.", "later", "pt"),
        ("Jestem zainteresowany, proszę o szczegóły.", "interested", "pl"),
        ("Sluta maila mig.", "opt_out", "sv"),
        ("Ich habe großes Interesse.", "interested", "de"),
    ],
)
def test_each_language_has_its_own_phrases(text, expected, language):
    intent = classify(text)
    assert (intent.classification, intent.language) == (expected, language)


def test_nine_languages():
    assert set(CODES) == {"en", "de", "fr", "es", "nl", "it", "pt", "pl", "sv"}


def test_the_reason_names_the_phrase_that_decided():
    assert classify("Thanks. Please stop emailing me.").reason == "“stop emailing me” (en)"
    negated = classify("Ich bin daran nicht wirklich interessiert")
    assert negated.classification == "not_interested" and "nicht" in negated.phrase
    assert classify("Yes!").reason == "“Yes” (en — a short answer)"


def test_an_opt_out_wins_over_everything_else_said():
    assert classify("Sounds interesting, but please remove me from your list.").classification == "opt_out"


def test_between_interest_and_disinterest_the_last_word_counts():
    assert classify("I'm happy in my current role, but tell me more.").classification == "interested"
    assert classify("Sounds interesting, but I'm not looking.").classification == "not_interested"


def test_quoted_history_is_not_the_candidate_speaking():
    assert classify("Got it, thanks.\n\n> Are you interested in a chat?").classification == "neutral"


def test_accents_may_be_left_out():
    assert classify("Je ne suis pas interesse").classification == "not_interested"


def test_a_long_reply_is_read_up_to_its_first_5000_characters():
    assert classify("Hello. " * 2_000 + "Please unsubscribe me.").classification == "neutral"


@pytest.mark.parametrize(
    ("text", "on", "because"),
    [
        ("Ask me again in March", date(2027, 3, 1), "March"),
        ("Nach dem Sommer gerne wieder", date(2027, 9, 1), "Nach dem Sommer"),
        ("Recontactez-moi dans six mois", date(2027, 6, 6), "in 6 months"),
        ("W przyszłym roku proszę", date(2027, 1, 1), "W przyszłym roku"),
        ("Escríbeme en enero", date(2027, 1, 1), "enero"),
        ("Maybe later", date(2027, 6, 6), ""),
    ],
)
def test_when_to_ask_again(text, on, because):
    when = ask_again(text, today=date(2026, 12, 6))
    assert (when.on, when.because) == (on, because)


def test_out_of_office_subjects_are_still_recognised_here():
    assert is_out_of_office_subject("Out of office: back Monday")
