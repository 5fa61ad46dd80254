"""The date an out-of-office reply says its writer is back ("back on 12 January", "bis 3.1."…).

Reads day-month dates with the month's name in English, German, French, Spanish, Dutch, Italian,
Portuguese, Polish and Swedish ("12 January", "January 12th", "3. Januar", "5 janvier", "10 de
enero", "12 stycznia"), numeric dates ("15.01.2027", "2027-01-15", "15/1", "3/2") and a weekday
alone ("back on Monday"). Decisions:
- the date named is returned as written: "until 15.01." gives 15 January (sending on the last day
  of an absence is as good as on the first day back, and "bis" / "until" are read both ways);
- when an absence names several dates ("from 20 December to 3 January"), the latest is the return;
- a slash or dot date with both numbers ≤ 12 ("3/2") is read both ways (day/month and month/day)
  and the nearer future day wins: absences are short;
- a date without a year is the next such day from `today`, unless it passed less than six months
  ago ("from 1 December" read on 6 December is a day that has passed, not next December's); a
  date in the past, or more than a year ahead, is ignored. Never a day before `today`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MAX_AHEAD = timedelta(days=366)
TEXT_CHARS = 3_000
RECENT_PAST = timedelta(days=183)

_MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "jan",
        "january",
        "januar",
        "jänner",
        "janvier",
        "enero",
        "januari",
        "gennaio",
        "janeiro",
        "stycznia",
        "styczeń",
        "styczen",
        "ene",
        "gen",
        "janv",
    ),
    2: (
        "feb",
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "februari",
        "febbraio",
        "fevereiro",
        "lutego",
        "luty",
        "févr",
        "fev",
        "fév",
    ),
    3: ("mar", "march", "märz", "maerz", "mars", "marzo", "maart", "março", "marco", "marca", "marzec", "mrt", "mär"),
    4: ("apr", "april", "avril", "abril", "aprile", "kwietnia", "kwiecień", "abr", "avr"),
    5: ("may", "mai", "mayo", "mei", "maggio", "maio", "maja", "maj", "mag"),
    6: ("jun", "june", "juni", "juin", "junio", "giugno", "junho", "czerwca", "czerwiec", "giu"),
    7: ("jul", "july", "juli", "juillet", "julio", "luglio", "julho", "lipca", "lipiec", "juil", "lug"),
    8: ("aug", "august", "août", "aout", "agosto", "augustus", "augusti", "sierpnia", "sierpień", "ago"),
    9: (
        "sep",
        "sept",
        "september",
        "septembre",
        "septiembre",
        "settembre",
        "setembro",
        "września",
        "wrzesnia",
        "wrzesień",
        "sett",
    ),
    10: (
        "oct",
        "october",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "października",
        "pazdziernika",
        "październik",
        "okt",
        "ott",
    ),
    11: ("nov", "november", "novembre", "noviembre", "novembro", "listopada", "listopad"),
    12: (
        "dec",
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "grudnia",
        "grudzień",
        "dez",
        "déc",
        "dic",
    ),
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names}
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|e|º|°)?\.?"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"
# "12 January", "12. Januar", "10 de enero", "le 5 janvier", "12 stycznia 2027"
_DAY_MONTH = re.compile(rf"(?<![\w/.-]){_DAY}\s*(?:de\s+|of\s+)?{_MONTH}(?![\w]){_YEAR}", re.IGNORECASE)
# "January 12", "January 12th, 2027"
_MONTH_DAY = re.compile(rf"(?<![\w]){_MONTH}\s+{_DAY}(?![\w/]){_YEAR}", re.IGNORECASE)
# "15.01.2027", "15/1", "3/2", "15-01-2027"
_NUMERIC = re.compile(r"(?<![\w./-])([0-3]?\d)([./-])([01]?\d)(?:\2(20\d\d|\d\d))?(?![\w/]|\.\d)")
_ISO = re.compile(r"(?<![\w-])(20\d\d)-([01]\d)-([0-3]\d)(?![\w-])")
_WEEKDAYS = {
    0: ("monday", "montag", "lundi", "lunes", "maandag", "lunedì", "lunedi", "segunda", "poniedziałek", "måndag"),
    1: ("tuesday", "dienstag", "mardi", "martes", "dinsdag", "martedì", "martedi", "terça", "wtorek", "tisdag"),
    2: (
        "wednesday",
        "mittwoch",
        "mercredi",
        "miércoles",
        "miercoles",
        "woensdag",
        "mercoledì",
        "mercoledi",
        "quarta",
        "środa",
        "sroda",
        "onsdag",
    ),
    3: (
        "thursday",
        "donnerstag",
        "jeudi",
        "jueves",
        "donderdag",
        "giovedì",
        "giovedi",
        "quinta",
        "czwartek",
        "torsdag",
    ),
    4: (
        "friday",
        "freitag",
        "vendredi",
        "viernes",
        "vrijdag",
        "venerdì",
        "venerdi",
        "sexta",
        "piątek",
        "piatek",
        "fredag",
    ),
}
_WEEKDAY_OF = {name: number for number, names in _WEEKDAYS.items() for name in names}
# "back on Monday", "zurück am Montag", "de retour lundi": a weekday right after a return word.
_BACK_ON_WEEKDAY = re.compile(
    r"(?:back|return(?:ing)?|zurück|wieder\s+(?:da|im\s+büro)|retour|regreso|vuelta|terug|rientro|ritorno|"
    r"volta|regresso|powrót|wracam|tillbaka|åter)\s+(?:on\s+|am\s+|le\s+|el\s+|op\s+|il\s+|na\s+|w\s+|på\s+)?"
    r"(?:(?:next|this|nächsten|prochain)\s+)?(?P<weekday>" + "|".join(map(re.escape, _WEEKDAY_OF)) + r")\b",
    re.IGNORECASE,
)


def return_date(text: str, *, today: date) -> date | None:
    """The first day the writer of an auto-reply says they are back, or None when it names none.

    Never a day before `today`; a date without a year is the next such day from `today`.
    """
    sample = (text or "")[:TEXT_CHARS]
    found = [day for day in _named_dates(sample, today) if today <= day <= today + MAX_AHEAD]
    if found:
        return max(found)
    weekday = _BACK_ON_WEEKDAY.search(sample)
    if weekday:
        ahead = (_WEEKDAY_OF[weekday.group("weekday").lower()] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def _named_dates(text: str, today: date) -> list[date]:
    found: list[date] = []
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            month = _MONTH_OF.get(match.group("month").lower())
            if month:
                found.extend(_candidates(int(match.group("day")), month, match.group("year"), today))
    for match in _ISO.finditer(text):
        found.extend(_candidates(int(match.group(3)), int(match.group(2)), match.group(1), today))
    for match in _NUMERIC.finditer(text):
        first, separator, second, year = match.groups()
        readings = [(int(first), int(second))]
        if separator == "/" and int(first) <= 12 and int(second) <= 12 and first != second:
            readings.append((int(second), int(first)))  # month/day, the American order
        options = [day for day_, month in readings for day in _candidates(day_, month, year, today) if day >= today]
        if options:
            found.append(min(options))
    return found


def _candidates(day: int, month: int, year: str | None, today: date) -> list[date]:
    """The date as written; without a year, this year's or (when that is months past) next year's."""
    if year is not None:
        number = int(year) if len(year) == 4 else 2000 + int(year)
        return [found] if (found := _date(number, month, day)) else []
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return [this_year]
    if this_year is not None and today - this_year < RECENT_PAST:
        return []  # "from 1 December" written on 6 December: a day that has passed, not next year's
    next_year = _date(today.year + 1, month, day)
    return [next_year] if next_year else []


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
