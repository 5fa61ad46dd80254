"""What a reply says, roughly: interested, not interested, or neither; and out-of-office subjects.

Rule-based and English-first: a few common phrasings each way. A negative phrase wins over
a positive one ("not interested" contains "interested"; "thanks, but no" contains "thanks").
"""

from __future__ import annotations

import re

from messaging.models import Message

_NOT_INTERESTED = re.compile(
    r"""\b(?:
        not\s+(?:really\s+|currently\s+|at\s+all\s+)?interested
      | no\s+longer\s+interested
      | (?:i'?m|i\s+am)\s+not\s+(?:looking|open|available|considering)
      | not\s+(?:looking|open\s+to|considering)\b
      | (?:i'?m|i\s+am)\s+(?:happy|very\s+happy|content)\s+
        (?:where\s+i\s+am|in\s+my\s+(?:current\s+)?(?:role|job|position))
      | (?:please\s+)?(?:remove\s+me|unsubscribe|do\s+not\s+contact
        |stop\s+(?:emailing|e-mailing|contacting|messaging)\s+me)
      | don'?t\s+(?:contact|email|e-mail|message)\s+me
      | no,?\s+thanks?(?:\s+you)?\b
      | no\s+thank\s+you
      | (?:i'?ll|i\s+will|i\s+have\s+to|i\s+must|i\s+need\s+to|have\s+to|going\s+to|gonna)\s+(?:pass|decline)
      | i'?ll\s+pass | pass\s+on\s+this
      | not\s+(?:a\s+good\s+fit|the\s+right\s+(?:time|fit))
      | not\s+(?:right\s+)?now,?\s+(?:thanks|thank\s+you)
      | thanks,?\s+but\s+(?:no|i'?m\s+not|i\s+am\s+not|not)
      | (?:just\s+)?accepted\s+(?:an(?:other)?|a\s+new)\s+(?:offer|role|position|job)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_INTERESTED = re.compile(
    r"""\b(?:
        (?:i'?m|i\s+am|i'?d\s+be|i\s+would\s+be|would\s+be|sounds)\s+(?:very\s+|really\s+|definitely\s+|quite\s+)?
        (?:interested|keen|open\s+to\s+(?:it|this|that|a\s+(?:call|chat|conversation))
        |happy\s+to\s+(?:chat|talk|discuss|connect|hear\s+more))
      | interested\b(?!\s+in\s+(?:other|something\s+else))
      | (?:let'?s|happy\s+to|love\s+to|i'?d\s+love\s+to|glad\s+to|keen\s+to)\s+
        (?:chat|talk|connect|meet|speak|discuss|learn\s+more|hear\s+more|set\s+up)
      | tell\s+me\s+more
      | (?:would|could)\s+you\s+(?:send|share)\s+(?:me\s+)?(?:more|the)\s+(?:details|info|job\s+description|jd)
      | sounds\s+(?:great|good|interesting|exciting|like\s+a\s+great)
      | (?:when|what\s+time)\s+(?:are|is|would)\s+(?:you|it)\s+(?:free|available|good|work)
      | (?:i'?m|i\s+am)\s+(?:free|available)\s+(?:on|for|at|this|next|tomorrow)
      | (?:set\s+up|schedule|book)\s+a\s+(?:call|chat|meeting|time)
      | yes,?\s+(?:please|i'?m|i\s+am|definitely|absolutely|sure|happy|let'?s|i'?d)
      | count\s+me\s+in
    )""",
    re.IGNORECASE | re.VERBOSE,
)
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
    """Message.Classification value for a cleaned reply: interested, not_interested or neutral."""
    sample = (text or "")[:5_000]
    if _NOT_INTERESTED.search(sample):
        return Message.Classification.NOT_INTERESTED.value
    if _INTERESTED.search(sample):
        return Message.Classification.INTERESTED.value
    return Message.Classification.NEUTRAL.value


def is_out_of_office_subject(subject: str) -> bool:
    return bool(subject) and bool(_OUT_OF_OFFICE_SUBJECT.search(subject[:300]))
