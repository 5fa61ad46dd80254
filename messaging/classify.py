"""What a reply says (interested, not interested, opt-out, later, a question, neutral); and out-of-office subjects.

The reply's intent is read by `messaging.replies` (nine languages, negations, short answers,
with the phrase that decided); this module keeps the one-call form the inbound paths use.
"""

from __future__ import annotations

import re

from messaging.replies import ReplyIntent, classify

# Out-of-office subjects in several languages (English, German, French, Spanish, Italian, Dutch, Portuguese, Nordic).
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"""(?:
        \bout\s+of\s+(?:the\s+)?office\b | \bOOO\b
      | \bauto(?:matic)?[\s-]*(?:reply|response|antwort|réponse|respuesta|risposta)\b
      | \bautoreply\b | \bvacation\s+(?:reply|response|notice)\b
      | \bon\s+(?:vacation|holiday|leave|annual\s+leave|parental\s+leave)\b
      | \baway\s+from\s+(?:the\s+)?office\b | \bI\s+am\s+away\b | \bI'?m\s+away\b | \bcurrently\s+away\b
      | \babwesenheit | \bnicht\s+im\s+büro | \babwesend\b | \bautomatische\s+antwort
      | absence\s+du\s+bureau | \babsent(?![\w-]) | réponse\s+automatique | \ben\s+congés?\b
      | fuera\s+de\s+(?:la\s+)?oficina | respuesta\s+automática | \bausente\b | \bde\s+vacaciones\b
      | fuori\s+(?:sede|ufficio) | risposta\s+automatica | \bassente\b
      | niet\s+aanwezig | afwezig | automatisch\s+antwoord | \bafwezigheid
      | fora\s+do\s+escritório | resposta\s+automática
      | frånvar | fraværende | ikke\s+på\s+kontoret | automatisk\s+svar
      | nieobecn | poza\s+biurem | automatická\s+odpověď
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def classify_reply(text: str) -> str:
    """Message.Classification value for a cleaned reply (see `classify_reply_intent` for the reason)."""
    return classify(text).classification


def classify_reply_intent(text: str) -> ReplyIntent:
    """The classification of a cleaned reply with the phrase that decided it."""
    return classify(text)


def is_out_of_office_subject(subject: str) -> bool:
    return bool(subject) and bool(_OUT_OF_OFFICE_SUBJECT.search(subject[:300]))
