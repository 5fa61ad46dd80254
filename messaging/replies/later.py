"""When to ask again, for a reply that says "later": the month named, the season, "in N months", else six months.

"Ask me again in March", "nach dem Sommer", "dans six mois", "w przyszłym roku": the month names
and seasons of the nine phrase tables, and a count of months in any of the languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from messaging.replies.classifier import fold
from messaging.replies.languages import LANGUAGES

DEFAULT_MONTHS = 6
_MONTH_WORDS = r"months?|monaten?|mois|mes(?:es)?|maanden?|mesi|miesi\w*|manad(?:er)?"
_NUMBERS = {
    "a few": 3, "a couple of": 2, "some": 3, "several": 4, "two": 2, "three": 3, "four": 4, "six": 6, "nine": 9,
    "twelve": 12, "ein paar": 3, "einigen": 3, "wenigen": 2, "zwei": 2, "drei": 3, "vier": 4, "sechs": 6, "neun": 9,
    "zwolf": 12, "quelques": 3, "deux": 2, "trois": 3, "neuf": 9, "douze": 12, "unos": 3, "un par de": 2,
    "algunos": 3, "dos": 2, "tres": 3, "seis": 6, "nueve": 9, "doce": 12, "een paar": 3, "enkele": 3, "twee": 2,
    "drie": 3, "zes": 6, "negen": 9, "twaalf": 12, "qualche": 3, "alcuni": 3, "un paio di": 2, "due": 2, "tre": 3,
    "sei": 6, "nove": 9, "dodici": 12, "alguns": 3, "uns": 3, "dois": 2, "doze": 12, "kilka": 3, "pare": 3,
    "dwa": 2, "trzy": 3, "szesc": 6, "dziewiec": 9, "dwanascie": 12, "nagra": 3, "ett par": 2, "tva": 2, "sex": 6,
    "nio": 9, "tolv": 12,
}  # fmt: skip
_HALF_YEAR = (
    r"half a year|six months|halben jahr|halbes jahr|six mois|medio ano|half jaar|sei mesi|meio ano|"
    r"pol roku|halvar"
)
_A_YEAR = (
    r"(?:in|within|dans|en|dentro de|over|tra|fra|daqui a|za|om) (?:a|one|einem|un|une|uno|um|een|"
    r"ett) ?(?:year|jahr|an|ano|jaar|anno|ar)|za rok"
)


@dataclass(frozen=True)
class AskAgain:
    on: date
    because: str  # what the reply said: "March", "after the summer", "in 6 months", or "" for the default


@cache
def _patterns() -> tuple[list[tuple[re.Pattern[str], int]], re.Pattern[str]]:
    months = []
    for index in range(12):
        names = "|".join(fold(language.MONTHS[index]) for language in LANGUAGES)
        months.append((re.compile(rf"(?<!\w)(?:{names})(?!\w)", re.IGNORECASE), index + 1))
    for language in LANGUAGES:
        for phrase, month in language.SEASONS.items():
            months.append((re.compile(rf"(?<!\w)(?:{fold(phrase)})(?!\w)", re.IGNORECASE), month))
    numbers = "|".join(re.escape(word) for word in sorted(_NUMBERS, key=len, reverse=True))
    count = re.compile(
        rf"(?<!\w)(?:(\d{{1,2}}|{numbers})\s+(?:{_MONTH_WORDS})|({_HALF_YEAR})|({_A_YEAR}))(?!\w)", re.IGNORECASE
    )
    return months, count


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, min(day.day, 28))


def _next_first_of(month: int, today: date) -> date:
    """The first day of the next `month` after today's month (the same month means next year's)."""
    return date(today.year + (1 if month <= today.month else 0), month, 1)


def ask_again(text: str, *, today: date, after: int = 0) -> AskAgain:
    """When to ask again: the first month or season named from position `after` on (where "later" was said)."""
    folded = fold((text or "")[:5_000])
    months, count = _patterns()
    named = []
    for pattern, month in months:
        for match in pattern.finditer(folded):
            if re.fullmatch(r"(?-i:may)|mai|maj|mars|marzo", match.group()) and match.start() < after:
                continue  # "may" the verb, and months told before the "later" are probably not meant
            named.append((match.start() < after, match.start(), month, match.group()))
    counted = count.search(folded, max(0, after - 40)) or count.search(folded)
    if counted is not None and (not named or counted.start() <= min(start for _before, start, _m, _w in named)):
        if counted.group(1):
            number = int(counted.group(1)) if counted.group(1).isdigit() else _NUMBERS[counted.group(1).lower()]
        else:
            number = 6 if counted.group(2) else 12
        if 0 < number <= 36:
            return AskAgain(_add_months(today, number), f"in {number} months")
    if named:
        _before, _start, month, word = min(named)
        return AskAgain(_next_first_of(month, today), " ".join(text[_start : _start + len(word)].split()))
    return AskAgain(_add_months(today, DEFAULT_MONTHS), "")
