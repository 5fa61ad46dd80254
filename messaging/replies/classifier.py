"""What a written reply means: opt-out, later, not interested, interested, a question, or nothing of these.

Rule-based and explainable: the phrase tables of `messaging.replies.languages` (nine languages)
are compiled into one pattern, scanned once over the reply (accents and curly apostrophes folded
away, so "interesse" matches "intéressé"). Every phrase found is a vote; the decision says which
phrase decided it:

1. an opt-out anywhere wins ("not interested, and please remove me from your list");
2. then a request to be asked again later ("not right now, maybe after the summer");
3. then, between interested and not interested, the last one said ("Interested? Not at all.",
   "I'm happy where I am, but tell me more");
4. then a question; otherwise neutral.

"Interested" with a negation in the three words before it, in the same clause ("not really that
interested", "kein großes Interesse", "no me interesa") counts as not interested; a negated
"uninterested" ("not uninterested") as interested. A line that is only "Yes!", "Nope", "Ja", "Nej",
"👍" counts too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from messaging.replies.first_chars import first_chars_lookahead
from messaging.replies.languages import LANGUAGES

OPT_OUT, LATER, NOT_INTERESTED, INTERESTED = "opt_out", "later", "not_interested", "interested"
QUESTION, NEUTRAL = "question", "neutral"
INTENTS = (OPT_OUT, LATER, NOT_INTERESTED, INTERESTED, QUESTION, NEUTRAL)
# Order inside the pattern: where two phrases start at one place, the stronger intent's is taken.
_PATTERN_ORDER = (OPT_OUT, LATER, NOT_INTERESTED, INTERESTED, QUESTION)
MAX_CHARS = 5_000
_NEGATION_WINDOW_WORDS = 3
# "uninterested" and its kin in the nine languages: a negation before them turns them to interested.
_PREFIX_NEGATED = re.compile(r"^(?:un|dis|des|on|niez|oint)\w*interes", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;:,\n¿¡—]")
_WORD = re.compile(r"[\w']+")
# Quoted history a cleaner left ("> Are you interested?") is our words, not theirs: blanked, offsets kept.
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$|^On .{5,200} wrote:[ \t]*$", re.MULTILINE)
_QUESTION = re.compile(r"[^\s.!?¿¡\n][^.!?¿¡\n]*\s[^.!?\n]*\?")


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics → the bare letter (one character each, so offsets do not move)."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    table.update({0x2019: "'", 0x2018: "'", 0x02BC: "'", ord("`"): "'", 0x00A0: " "})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """The text with accents and curly apostrophes folded; the same length, so offsets stay valid."""
    return text.translate(_FOLD)


def _fragment(text: str) -> str:
    """A phrase of the tables as a pattern: whole words, spaces as white space, optional apostrophes."""
    text = fold(text)
    text = re.sub(r"\((?!\?)", "(?:", text)
    text = text.replace(" ", r"\s+").replace("'", "'?")
    return rf"(?<!\w)(?:{text})(?!\w)"


def _answer_line(words: tuple[str, ...]) -> str:
    """A line that is only this short answer (and punctuation, an emoji or a greeting's comma)."""
    alternatives = "|".join(
        re.escape(fold(word)).replace(r"\ ", r"\s+") for word in sorted(words, key=len, reverse=True)
    )
    return rf"^[ \t¡¿\"'“]*(?:{alternatives})(?=[ \t]*(?:[.!,;:)]|$|[^\w\s]))"


@dataclass(frozen=True)
class _Group:
    intent: str
    language: str
    short_answer: bool = False


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    groups: dict[str, _Group]
    negators: frozenset[str]


@cache
def _compiled() -> _Compiled:
    parts: list[str] = []
    groups: dict[str, _Group] = {}
    for intent in _PATTERN_ORDER:
        for language in LANGUAGES:
            fragments = language.PHRASES.get(intent, [])
            if fragments:
                name = f"g{len(groups)}"
                groups[name] = _Group(intent, language.CODE)
                alternatives = "|".join(_fragment(fragment) for fragment in fragments)
                guard = first_chars_lookahead(alternatives, re.IGNORECASE | re.MULTILINE)
                parts.append(f"{guard}(?P<{name}>{alternatives})")
    for intent, attribute in ((NOT_INTERESTED, "NO"), (INTERESTED, "YES")):
        for language in LANGUAGES:
            name = f"g{len(groups)}"
            groups[name] = _Group(intent, language.CODE, short_answer=True)
            parts.append(f"(?P<{name}>{_answer_line(getattr(language, attribute))})")
    negators = frozenset(fold(word) for language in LANGUAGES for word in language.NEGATORS)
    # One look-behind for the whole alternation: only the starts of words are tried (five times fewer places).
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(parts)})", re.IGNORECASE | re.MULTILINE)
    return _Compiled(pattern, groups, negators)


@dataclass(frozen=True)
class Vote:
    intent: str
    language: str
    start: int
    end: int
    negated_from: int | None = None  # where the negation starts, when a negation turned the phrase around
    short_answer: bool = False


@dataclass(frozen=True)
class ReplyIntent:
    """The classification of a reply and why: the phrase that decided, its language, and how it was read."""

    classification: str
    phrase: str = ""
    language: str = ""
    negated: bool = False
    short_answer: bool = False

    @property
    def reason(self) -> str:
        """One line for the thread: “please stop emailing me” (en), or why it is neutral."""
        if self.classification == NEUTRAL:
            return "No phrase of interest, disinterest, opt-out, later or question found."
        if not self.phrase:
            return ""
        how = " — negated" if self.negated else (" — a short answer" if self.short_answer else "")
        return f"“{self.phrase}” ({self.language}{how})"[:200]


def _negation_start(folded: str, start: int, since: int, negators: frozenset[str]) -> int | None:
    """Where a negation starts among the three words before `start` in the same clause, or None.

    Words of an earlier phrase (from `since` back) do not count: "Pourquoi pas 👍" is not a negated 👍.
    """
    begin = max(0, start - 60, since)
    window = folded[begin:start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(window)), default=0)
    offset = begin + cut
    words = list(_WORD.finditer(folded, offset, start))[-_NEGATION_WINDOW_WORDS:]
    for word in words:
        lowered = word.group().lower()
        if lowered in negators or lowered.endswith("n't") or lowered.startswith("n'"):
            return word.start()
    return None


def _continues_refusal(folded: str, found: list[Vote], start: int) -> bool:
    """True when a refusal phrase ending with its negation ("…, ale nie") runs on into this one."""
    if not found or found[-1].intent != NOT_INTERESTED or found[-1].short_answer:
        return False
    gap = folded[found[-1].end : start]
    return not _CLAUSE_END.search(gap) and len(_WORD.findall(gap)) <= 2


def votes(text: str) -> list[Vote]:
    """Every phrase found in the reply, in order, with negations applied."""
    compiled = _compiled()
    folded = _QUOTED_LINE.sub(lambda quoted: " " * len(quoted.group()), fold((text or "")[:MAX_CHARS]))
    found: list[Vote] = []
    for match in compiled.pattern.finditer(folded):
        group = compiled.groups[match.lastgroup or ""]
        intent, negated_from = group.intent, None
        if intent in (INTERESTED, NOT_INTERESTED) and not group.short_answer:
            since = found[-1].end if found else 0
            negation = _negation_start(folded, match.start(), since, compiled.negators)
            if negation is None and intent == INTERESTED and _continues_refusal(folded, found, match.start()):
                negation = found[-1].start  # "obrigado, mas não" + "tenho interesse": one refusal
            if negation is not None and (intent == INTERESTED or _PREFIX_NEGATED.match(match.group())):
                intent = NOT_INTERESTED if intent == INTERESTED else INTERESTED
                negated_from = negation
        found.append(Vote(intent, group.language, match.start(), match.end(), negated_from, group.short_answer))
    return found


def _decide(found: list[Vote]) -> Vote | None:
    for intent in (OPT_OUT, LATER):
        for vote in found:
            if vote.intent == intent:
                return vote
    interest = [vote for vote in found if vote.intent in (INTERESTED, NOT_INTERESTED)]
    if interest:
        return interest[-1]
    questions = [vote for vote in found if vote.intent == QUESTION]
    return questions[0] if questions else None


def classify(text: str) -> ReplyIntent:
    """The intent of a cleaned reply (quoted history removed), with the phrase that decided it."""
    sample = (text or "")[:MAX_CHARS]
    found = votes(sample)
    vote = _decide(found)
    if vote is None:
        question = _QUESTION.search(_QUOTED_LINE.sub(lambda quoted: " " * len(quoted.group()), sample))
        if question is not None:
            return ReplyIntent(QUESTION, phrase=" ".join(question.group().split())[-120:])
        return ReplyIntent(NEUTRAL)
    start = vote.negated_from if vote.negated_from is not None else vote.start
    phrase = " ".join(sample[start : vote.end].split())
    return ReplyIntent(
        vote.intent,
        phrase=phrase[:120],
        language=vote.language,
        negated=vote.negated_from is not None,
        short_answer=vote.short_answer,
    )
