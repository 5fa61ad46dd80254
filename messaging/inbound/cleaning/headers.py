"""Where the quoted previous mail starts: "On … wrote:" lines, Outlook header blocks, separators.

Each check looks at one line and at most a few lines around it, through patterns that are anchored
or applied to a bounded slice of the line, so each costs the same however long the mail is.
"""

# ruff: noqa: RUF001, RUF003 -- the patterns are written in the languages they read (Cyrillic, Japanese punctuation)
from __future__ import annotations

import re
from dataclasses import dataclass

# A header spans at most this many lines (Polymail puts the address on its own lines) and characters.
MAX_HEADER_LINES = 5
MAX_HEADER_CHARS = 400
# How far past a header to look for the quoted block that follows it (Gmail leaves blank lines).
QUOTE_LOOKAHEAD = 20
# An Outlook block's fields: at most this many lines apart (HTML turned to text adds blank lines).
FIELD_GAP = 4
MAX_BLOCK_LINES = 16


@dataclass(frozen=True)
class Header:
    """A quote header: the line it starts on, the answer's own words before it there, and where it ends."""

    start: int
    prefix: str
    end: int


def is_quoted(line: str) -> bool:
    """A line of the quoted mail: ">" first, after spaces or tabs (as `scan` reads it)."""
    return line[:1] == ">" or line.lstrip(" \t")[:1] == ">"


# "On … wrote:" -------------------------------------------------------------------------------------

# Weekdays that open a header in Gmail's Nordic, Polish and Russian forms ("man. 6. jan. 2025 kl. 10:00
# skrev …", "pon., 6 sty 2025 o 10:00 …", "пн, 6 янв. 2025 г. в 10:00, …") and mail.ru's English one.
_WEEKDAY = (
    r"(?i:mon|tue|wed|thu|fri|sat|sun|man|tir|ons|tor|fre|lør|søn|mån|tis|tors|lör|sön"
    r"|pon|wt|śr|czw|pt|sob|niedz|пн|вт|ср|чт|пт|сб|вс)\.?,?\s+(?=\d)"
)
_DATE = r"\d{4}\s*年|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
# Where a header may start: an opening word (capitalised, as clients write it), a weekday or a date.
# The opening word takes the weekday or date after it, so "On Mon, 6 Jan" starts at "On", not at "Mon".
_INTRO = r"On|Le|Am|El|Il\s+giorno|Il|Op|Em|Às|Den|På|W\s+dniu|Dnia|В|Vào"
_START = re.compile(rf"\b(?:{_INTRO})\s+(?:{_WEEKDAY})?(?:{_DATE})?|(?<!\d)(?:{_DATE})|\b{_WEEKDAY}")

# What ends one: the verb, per language (en, de, fr, es, it, nl, pt, sv/no/da, pl, ru, ja, vi, fi, cs, tr).
_VERBS = (
    r"wrote|writes|schrieb|geschrieben|geschreven|a\s+écrit|escribió|ha\s+scritto|scrisse|schreef|escreveu|skrev"
    r"|napisał(?:\(a\)|a)?|pisze|написал(?:\(а\)|а)?|пишет|đã\s+viết|kirjoitti|napsal(?:\(a\)|a)?|yazdı"
)
_END_VERB = re.compile(rf"(?:\b(?:{_VERBS})|が書きました|書きました|のメール)\s*[:：]?$", re.IGNORECASE)
# "… <jane@acme.test> sent:": "sent" ends a header only next to an address.
_END_SENT = re.compile(r"@\S*[>)\]]?\s*sent\s*:$", re.IGNORECASE)
# Gmail in German and its like put the date last: "Jane <jane@acme.test> schrieb am Mo., 6. Jan. 2025, 10:00:".
_END_VERB_DATE = re.compile(
    rf"\b(?:{_VERBS})\s+(?:am|on|le|el|il|em|op|den|dnia|w\s+dniu|il\s+giorno)\s[^\n]{{0,80}}\d[^\n]{{0,20}}:$",
    re.IGNORECASE,
)
# Thunderbird puts the name last: "Am 06.01.25 um 10:00 schrieb Jane Recruiter:" (a name: capitalised words).
_END_VERB_NAME = re.compile(rf"\b(?:{_VERBS}),?\s+[\"']?[^\W\d_][^:<>()\n]{{0,60}}[:：]$", re.IGNORECASE)
# An address in <>, (), [mailto:] or bare, taken out of a header before looking for its date. Each
# form starts only where a token starts and its runs exclude what ends them: one pass over a line.
_ADDRESS = re.compile(
    r"<[^<>\s@]*+@[^<>\s]*>|\([^()\s@]*+@[^()\s]*\)|\[mailto:[^\]\s]*\]"
    r"|(?<![^\s<>()\[\]\"])[^\s<>()\[\]\"@]++@[\w-]++(?:\.[\w-]++)+"
)
_BARE_ADDRESS = re.compile(r"[^\s<>()\[\]@]+@[\w-]+(?:\.[\w-]+)+")
_TAIL_CHARS = 200
_DIGIT = re.compile(r"\d")
_STARTS_TRIED = 3  # the latest few places a header could start on its first line
_OPENING_GAP = 30  # characters between an opening word and the date it introduces
_INTRO_WORD = re.compile(rf"(?:{_INTRO})\s")
# The end of a sentence: a stop and a word after it ("passt es. Am"), not a date's "Mo. 06.01.25".
_SENTENCE_END = re.compile(r"[.!?]\s+[^\W\d_]|[!?。！？]")
_DECORATION = " \t-*_"


_VERB_WORDS = frozenset(
    (
        *("wrote", "writes", "sent", "schrieb", "geschrieben", "geschreven", "écrit", "escribió", "scritto"),
        *("scrisse", "schreef", "escreveu", "skrev", "napisał", "napisał(a)", "napisała", "написал", "написал(а)"),
        *("написала", "пишет", "pisze", "viết", "kirjoitti", "napsal", "napsal(a)", "napsala", "yazdı"),
    )
)
_CJK_VERBS = ("書きました", "のメール")
_ADDRESS_ENDS = (">", ")", "]")


def header_may_end(line: str) -> bool:
    """A cheap first look: could an "On … wrote:" header end on this line? Most lines fail at once."""
    tail = line[-_TAIL_CHARS:].rstrip(_DECORATION)
    if not tail:
        return False
    bare = tail.rstrip(":： ")
    if bare.endswith(_ADDRESS_ENDS):
        return "@" in bare
    if bare.endswith(_CJK_VERBS):
        return True
    words = bare[-40:].rsplit(None, 1)
    if words and words[-1].lower().lstrip("<>()[]\"'") in _VERB_WORDS:
        return True
    # "… schrieb am Mo., 6. Jan. 2025, 10:00:", "… schrieb Jane Recruiter:": the verb comes earlier.
    if not tail.endswith(":") or not _DIGIT.search(tail):
        return False
    return bool(_END_VERB_DATE.search(tail)) or _ends_with_verb_and_name(tail)


def _ending(text: str) -> str | None:
    """How a header's text ends: "verb" ("… wrote:"), "verb-date" ("… schrieb am 6. Jan. 2025:"),
    "address:" (Gmail in Russian and Japanese: "… <jane@acme.test>:"), "address" ("… <jane@acme.test>"
    with the quote right under it), or None: not a header."""
    tail = text[-_TAIL_CHARS:].rstrip(_DECORATION)
    if not tail:
        return None
    if tail[-1] not in ":：" and not tail[-1].isalpha():
        return "address" if _ends_with_address(tail) else None
    if _END_VERB.search(tail[-40:]):
        return "verb"
    if tail[-1] not in ":：":
        return None
    if _END_SENT.search(tail) or _END_VERB_DATE.search(tail) or _ends_with_verb_and_name(tail):
        return "verb-date"
    return "address:" if _ends_with_address(tail[:-1].rstrip().rstrip('"')) else None


def _ends_with_verb_and_name(text: str) -> bool:
    """ "… schrieb Jane Recruiter:": a verb, then up to five words that each start with a capital."""
    match = _END_VERB_NAME.search(text[-_TAIL_CHARS:])
    if match is None:
        return False
    name = match.group().rstrip(":：").split(None, 1)[-1].split()
    return len(name) <= 5 and all(word.lstrip("\"'")[:1].isupper() for word in name)


def _ends_with_address(text: str) -> bool:
    """Whether `text` ends with an e-mail address: in <>, (), [mailto:…] or bare."""
    closing = text[-1:]
    opening = {">": "<", ")": "(", "]": "["}.get(closing)
    if opening is not None:
        inside = text[text.rfind(opening) + 1 : -1]
        return "@" in inside and not any(character.isspace() for character in inside.strip())
    words = text.rsplit(None, 1)
    return bool(words) and bool(_BARE_ADDRESS.fullmatch(words[-1].strip("\"'")))


def _accepts(text: str, ending: str, *, opened: bool, followed_by_quote: bool) -> bool:
    """Whether `text` (one header's lines joined, ending so) is an attribution: the "On … wrote:" kind.

    `opened`: it starts with an opening word, a weekday or a date. An ending alone is weak evidence
    ("In 2020 I wrote:"), so without an opening the header needs an address or a quote after it.
    """
    if len(text) > MAX_HEADER_CHARS:
        return False
    has_address = "@" in text
    dated = bool(_DIGIT.search(_ADDRESS.sub(" ", text)))
    if ending == "verb":
        return has_address or followed_by_quote or (opened and dated)
    if ending == "verb-date":
        return dated and (has_address or opened)
    if ending == "address:":
        return dated
    return dated and opened and followed_by_quote  # "2011/4/7 Jane <jane@acme.test>", the quote under it


def followed_by_quote(lines: list[str], index: int) -> int | None:
    """The index of the quoted line that follows `index` after blank lines, if one does."""
    for position in range(index, min(len(lines), index + QUOTE_LOOKAHEAD)):
        if lines[position].strip():
            return position if is_quoted(lines[position]) else None
    return None


def _joined(lines: list[str]) -> str:
    text = " ".join(line.strip().lstrip(">").strip() for line in lines if line.strip())
    # Gmail wraps inside the address: "Jane <" / "jane@acme.test> wrote:".
    return text.replace("< ", "<").replace(" >", ">")


def _starts(line: str) -> list[int]:
    """Where a header could start in a line, latest first (only in its last MAX_HEADER_CHARS)."""
    offset = max(0, len(line) - MAX_HEADER_CHARS)
    return sorted((match.start() + offset for match in _START.finditer(line[offset:])), reverse=True)


def _opening_word_before(line: str, start: int, earlier: list[int]) -> int:
    """Where the header that holds `start` begins: at an opening word just before it ("Às 10:00 de
    06/01/2025, …", "On Monday, 06/01/2025 …") unless a sentence ends in between, which makes that
    word the answer's ("Am Montag passt es. Am 06.01.2025 …")."""
    for candidate in earlier:
        gap = line[candidate : start + 1]  # and the header's first letter, which may follow a stop
        if start - candidate > _OPENING_GAP or _SENTENCE_END.search(gap):
            break
        if _INTRO_WORD.match(gap):
            start = candidate
    return start


def _opens(line: str) -> bool:
    return bool(_START.match(line.lstrip(_DECORATION)))


def is_bare_verb(line: str) -> bool:
    """ "> wrote:" alone on a line: Polymail ends its header so, with the ">" of the quote."""
    bare = line.strip().lstrip(">").strip()
    return 0 < len(bare) <= 40 and bool(_END_VERB.match(bare))


def attribution_ending_at(lines: list[str], last: int, floor: int) -> Header | None:
    """An "On … wrote:" header that ends on `lines[last]`, on that line alone or wrapped over a few above it.

    The header starts no earlier than `floor` (lines before it were already read as something else),
    on the farthest line above that can open it. On its first line it may follow the answer
    ("Sounds good. On Mon, … wrote:"): the answer's words are kept as the prefix.
    """
    ending = _ending(_joined(lines[max(floor, last - 1) : last + 1]))  # the line above: a wrapped address
    after = followed_by_quote(lines, last + 1) is not None
    if ending is None or (ending == "address" and not after):
        return None
    end = last + 2 if last + 1 < len(lines) and is_bare_verb(lines[last + 1]) else last + 1
    for first in range(max(floor, last - MAX_HEADER_LINES + 1), last + 1):
        opening = lines[first]
        if first < last and (is_quoted(opening) or not opening.strip()):
            continue
        opened = _opens(opening)
        if not all(_may_continue(line, opened) for line in lines[first + 1 : last + 1]):
            continue
        starts = _starts(opening)
        rest = _joined(lines[first + 1 : last + 1])
        for position, start in enumerate(starts[:_STARTS_TRIED]):
            text = _joined([f"{opening[start:]} {rest}"])
            if _accepts(text, ending, opened=True, followed_by_quote=after):
                start = _opening_word_before(opening, start, starts[position + 1 :])
                return Header(start=first, prefix=opening[:start].rstrip(_DECORATION).rstrip(), end=end)
        if first == last and _accepts(_joined([opening]), ending, opened=opened, followed_by_quote=after):
            return Header(start=first, prefix="", end=end)
    return None


def _may_continue(line: str, opened: bool) -> bool:
    """Whether a header begun on an earlier line may go on over this one."""
    if not line.strip():
        return opened  # Polymail: "On Tue, … John Smith" / "" / "<" / "mailto:…" / "> wrote:"
    if is_quoted(line):
        return opened and is_bare_verb(line)
    return len(line) <= MAX_HEADER_CHARS // 2 and not _opens(line)  # else prose, or that header's own start


# Outlook blocks, separators, forwards ---------------------------------------------------------------

FIELD_NAMES = {
    "from": "from|von|de|da|van|från|fra|od|от|差出人|送信者|lähettäjä|kimden",
    "date": (
        "sent|date|gesendet|datum|envoyé|envoye|enviado\\s+el|enviado|enviada|fecha|inviato|data|verzonden|verstuurd"
        "|skickat|sendt|dato|wysłano|wysłane|отправлено|дата|送信日時|日付|日時|lähetetty|päivämäärä|tarih"
    ),
    "to": "to|an|à|a|para|aan|till|til|do|кому|宛先|vastaanottaja|kime",
    "subject": "subject|betreff|objet|sujet|asunto|oggetto|onderwerp|assunto|ämne|emne|temat|тема|件名|aihe|konu",
}
_FIELD = re.compile(
    r"^[\s*_]*(?:" + "|".join(f"(?P<{kind}>{names})" for kind, names in FIELD_NAMES.items()) + r")[\s*_]*[:：]",
    re.IGNORECASE,
)
_FIELD_PREFIX_CHARS = 40


def _field(line: str) -> str | None:
    head = line[:_FIELD_PREFIX_CHARS].replace("\xa0", " ")
    if ":" not in head and "：" not in head:
        return None
    match = _FIELD.match(head)
    return match.lastgroup if match else None


def outlook_block(lines: list[str], index: int) -> Header | None:
    """ "From: … / Sent: … / To: … / Subject: …" in any of the languages, plain or *bold*, fields a few lines apart.

    Three different fields make a block; two do when one of them holds an address ("Date: … /
    To: jane@acme.test"), so that "From: London / To: Berlin" in an answer is not one.
    """
    kind = _field(lines[index])
    if kind is None:
        return None
    seen, last = {kind}, index
    position = index + 1
    stop = min(len(lines), index + MAX_BLOCK_LINES)
    while position < stop and position <= last + FIELD_GAP and not is_quoted(lines[position]):
        kind = _field(lines[position])
        if kind in seen:
            break  # a block names each field once
        if kind is not None:
            seen.add(kind)
            last = position
        position += 1
    if not seen & {"from", "date"} or len(seen) < 2:
        return None
    if len(seen) == 2 and not any("@" in line for line in lines[index : last + 1]):
        return None
    return Header(start=index, prefix="", end=last + 1)


_ORIGINAL_MESSAGE = (
    "original message|reply message|ursprüngliche nachricht|originalnachricht|message d'origine|message original"
    "|mensaje original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original"
    "|ursprungligt meddelande|originalmeddelande|opprinnelig melding|original meddelelse|oprindelig meddelelse"
    "|wiadomość oryginalna|oryginalna wiadomość|исходное сообщение|оригинальное сообщение|元のメッセージ"
)
_SEPARATOR = re.compile(rf"^\s*+(?:-{{2,}}+\s*+(?:{_ORIGINAL_MESSAGE})\s*-{{2,}}|_{{10,}}+)\s*$", re.IGNORECASE)
_FORWARDED = (
    "forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato"
    "|doorgestuurd bericht|mensagem encaminhada|vidarebefordrat meddelande|videresendt melding"
    "|videresendt meddelelse|wiadomość przekazana|przekazana wiadomość|пересылаемое сообщение|転送されたメッセージ"
)
_BEGIN_FORWARDED = (
    "begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié"
    "|début du message transféré|inicio del mensaje reenviado|inizio messaggio inoltrato"
    "|begin doorgestuurd bericht|início da mensagem reencaminhada|vidarebefordrat brev"
)
_FORWARD = re.compile(
    rf"^\s*+(?:-{{2,}}+\s*+(?:{_FORWARDED})\s*-{{2,}}|(?:{_BEGIN_FORWARDED})\s*:)\s*$",
    re.IGNORECASE,
)


def is_separator(line: str) -> bool:
    """ "-----Original Message-----" in any of the languages, or Outlook's line of underscores."""
    return bool(_SEPARATOR.match(line))


def is_forward(line: str) -> bool:
    """ "---------- Forwarded message ----------" and its kin: what follows is sent on purpose, not history."""
    return bool(_FORWARD.match(line))


def header_at(lines: list[str], index: int, floor: int) -> Header | None:
    """The quote header that `lines[index]` starts or ends, if any: a separator, an Outlook block, or
    an "On … wrote:" header (which may have started a few lines above, but not above `floor`)."""
    line = lines[index]
    if is_separator(line):
        return Header(start=index, prefix="", end=index + 1)
    return outlook_block(lines, index) or (attribution_ending_at(lines, index, floor) if header_may_end(line) else None)
