"""What a draft claims about its reader: where they work, and whether a sentence is about them.

English, German, French and Spanish. A company claim is a possessive and a noun of employment
followed by a preposition and a capitalised name ("your time at Globex", "Ihre Zeit bei Vattenfall",
"votre passage chez Lydia", "tu etapa en Accenture"), or a verb of working or being somewhere
("you work for Klarna", "Sie arbeiten bei Revolut", "vous travaillez chez Alan", "trabajas en
Santander"). Technologies may come between ("your experience with Kubernetes at Hooli").

The preposition decides what the name can be. "At", "for", "bei", "chez" name an employer (or a
school, an event, a place). "With", "mit", "avec", "con" after work or experience name what the
person works with, never an employer ("your experience with COBOL", "you work with Go"); after
time, years or a role ("your years with Globex"), and Spanish "en" always, they are ambiguous:
the name is an employer unless it is a technology, a product or one of the candidate's skills.
A name after "new", "future", "potential" … ("your future team at Acme") is the job on offer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from messaging.checks.words import split_words

# Inline (?i:…) flags: the lead-in is matched in any case, the name must start with a capital.
_UPPER = "A-Z0-9À-ÖØ-Þ"
_NAME_WORD = rf"[{_UPPER}][\w&'-]*(?:\.[\w&'-]+)*"
_COMPANY = rf"(?P<company>{_NAME_WORD}(?:[ \t]+(?:&[ \t]+)?{_NAME_WORD}){{0,4}})"
_ARTICLE = r"(?:(?i:the|der|dem|den|die|le|la|les|el|los|las)\s+|(?i:l)')?"
_CHUNK = r"[^\s,.;:!?()\"“”]+"
_MIDDLE = rf"(?P<middle>{_CHUNK}(?:\s+{_CHUNK}){{0,4}}?)"


@dataclass(frozen=True)
class _Language:
    possessive: str  # "your"
    work_nouns: str  # nouns after which "with" names a technology: "experience", "work"
    time_nouns: str  # nouns after which "with" can name an employer: "time", "years", "role"
    middle_preps: str  # what may introduce technologies before the employer: "with", "on", "in"
    employer_preps: str  # "at", "for"
    ambiguous_preps: str  # "with"
    work_verbs: str  # "you work": "with" after it names a technology or a collaborator
    be_verbs: str  # "you're": "with" after it can name an employer ("you're with Santander")
    with_preps: frozenset[str]  # the ambiguous prepositions that mean "with"


_LANGUAGES = (
    _Language(
        possessive=r"your",
        work_nouns=r"work|experience|projects?|contributions?|journey|expertise",
        time_nouns=r"time|role|position|job|tenure|career|team|years|decades|months|days|stint|colleagues",
        middle_preps=r"with|on|in|using|as|building",
        employer_preps=r"at|for",
        ambiguous_preps=r"with",
        work_verbs=r"you(?:\s+(?:currently|now|still))?\s+(?:work|worked|are\s+working)",
        be_verbs=r"you(?:'re|\s+are|'ve\s+been|\s+have\s+been)(?:\s+(?:currently|now|still))?",
        with_preps=frozenset({"with"}),
    ),
    _Language(
        possessive=r"ihre?[rmns]?|deine?[rmns]?",
        work_nouns=r"arbeit|erfahrung|projekte?|beiträge|tätigkeit|expertise",
        time_nouns=r"zeit|rolle|position|stelle|jahre|karriere|laufbahn|station|team|kollegen|kolleginnen",
        middle_preps=r"mit|an|in|im|am|als",
        employer_preps=r"bei|beim|für",
        ambiguous_preps=r"mit",
        work_verbs=r"(?:sie|du)\s+(?:arbeiten|arbeitest|arbeiteten|arbeitetest)(?:\s+(?:gerade|derzeit|aktuell|jetzt|noch))?",
        be_verbs=r"(?:sie|du)\s+(?:sind|bist|waren|warst)(?:\s+(?:gerade|derzeit|aktuell|jetzt|noch))?",
        with_preps=frozenset({"mit"}),
    ),
    _Language(
        possessive=r"votre|vos|ton|ta|tes",
        work_nouns=r"travail|expérience|projets?|contributions?|parcours|missions?|expertise",
        time_nouns=r"temps|rôle|poste|passage|années|équipe|carrière|stage|mois",
        middle_preps=r"avec|sur|en|de|comme|dans",
        employer_preps=r"chez|pour",
        ambiguous_preps=r"avec",
        work_verbs=r"(?:vous|tu)\s+(?:travaillez|travailles|travailliez|travaillais)"
        r"(?:\s+(?:actuellement|aujourd'hui|encore|toujours))?",
        be_verbs=r"(?:vous|tu)\s+(?:êtes|es|étiez|étais)(?:\s+(?:actuellement|aujourd'hui|encore|toujours))?",
        with_preps=frozenset({"avec"}),
    ),
    _Language(
        possessive=r"tu|tus|su|sus",
        work_nouns=r"trabajo|experiencia|proyectos?|contribuciones|trayectoria",
        time_nouns=r"tiempo|etapa|paso|años|puesto|rol|equipo|carrera|meses",
        middle_preps=r"con|de|como|sobre",
        employer_preps=r"para|por",
        ambiguous_preps=r"en|con",
        work_verbs=r"(?:trabajas|trabaja|trabajabas|trabajaba)(?:\s+(?:actualmente|ahora|todavía))?",
        be_verbs=r"(?:estás|está|estabas)(?:\s+(?:actualmente|ahora|todavía))?",
        with_preps=frozenset({"con"}),
    ),
)

# Words between the possessive and the noun that make it the job on offer, not the reader's past.
FORWARD_WORDS = frozenset(
    split_words(
        """
    new future next potential prospective possible would-be
    neue neuer neuen neuem zukünftige zukünftigen künftige künftigen
    futur future nouveau nouvel nouvelle prochain prochaine
    nuevo nueva futuro futura próximo próxima
    """
    )
)


def _patterns(language: _Language) -> list[re.Pattern[str]]:
    preps = f"(?P<prep>{language.employer_preps}|{language.ambiguous_preps})"
    middle = rf"(?:\s+(?i:{language.middle_preps})\s+{_MIDDLE})?"
    tail = rf"{middle}\s+(?i:{preps})\s+{_ARTICLE}{_COMPANY}"
    nouns = f"(?P<noun>{language.work_nouns}|{language.time_nouns})"
    possessive = rf"(?<!\w)(?i:(?:{language.possessive})\s+(?P<between>(?:[\w'-]+\s+){{0,3}}?)(?:\w+-)*{nouns}){tail}"
    work_verb = rf"(?<!\w)(?i:(?P<work_verb>{language.work_verbs})){tail}"
    be_verb = rf"(?<!\w)(?i:(?P<be_verb>{language.be_verbs})){tail}"
    return [re.compile(possessive), re.compile(work_verb), re.compile(be_verb)]


_CLAIMS = [(language, pattern) for language in _LANGUAGES for pattern in _patterns(language)]


@dataclass(frozen=True)
class CompanyClaim:
    phrase: str  # as written: "your time at Globex"
    company: str  # "Globex"
    ambiguous: bool  # the name may be a technology or product ("your years with COBOL")


def _claim(language: _Language, match: re.Match[str]) -> CompanyClaim | None:
    groups = match.groupdict()
    prep = match.group("prep").casefold()
    noun = (groups.get("noun") or "").casefold()
    if noun and any(word.casefold() in FORWARD_WORDS for word in (groups.get("between") or "").split()):
        return None  # "your new role at Hooli": the job on offer
    works_with = prep in language.with_preps
    if works_with and (groups.get("work_verb") or re.fullmatch(language.work_nouns, noun)):
        return None  # "your experience with COBOL", "you work with Go": what they work with
    ambiguous = bool(re.fullmatch(language.ambiguous_preps, prep))
    company = match.group("company").rstrip(".'")
    return CompanyClaim(phrase=match.group(0).strip().rstrip(".'"), company=company, ambiguous=ambiguous)


def company_claims(text: str) -> list[CompanyClaim]:
    """Every claim in `text` about where the reader works (or worked), in the order written."""
    found: dict[int, CompanyClaim] = {}
    for language, pattern in _CLAIMS:
        for match in pattern.finditer(text):
            claim = _claim(language, match)
            if claim is not None:
                found.setdefault(match.start("company"), claim)
    return [found[start] for start in sorted(found)]


# --- sentences about the reader --------------------------------------------------------------------

# The reader, and people who are not the reader, as they appear on a word line (case-folded words).
READER_WORDS = frozenset(
    split_words(
        """
    you your yours youre yourself
    ihr ihre ihrer ihrem ihren ihres sie du dein deine deiner deinem deinen deines dich dir
    votre vos vous ton ta tes tu toi
    tus usted su sus
    """
    )
)
OTHER_WORDS = frozenset(
    split_words(
        """
    we our ours us i my me mine they their them clients customers client customer
    wir unser unsere unserer unserem unseren uns ich mein meine meiner meinem meinen mich mir kunden
    nous notre nos je moi mon ma mes
    nosotros nosotras nuestro nuestra nuestros nuestras yo mi mis clientes cliente
    """
    )
)
# Words that turn a sentence about the reader into a pitch: "would you consider a move into logistics?"
PITCH_WORDS = frozenset(
    split_words(
        """
    would could might d ll consider considering like love want try enjoy curious interested if
    move switch join joining
    würden würdest könnten könntest möchten möchtest lust wechsel wechseln vorstellen interesse
    aimeriez aimerais voudriez voudrais envisageriez envisager découvrir rejoindre
    gustaría gustaria quieres querrías interesaría salto unirte probar
    """
    )
)
_LOOK_BACK = 8


def about_reader(words_before: Iterable[str], *, pitch_counts: bool = False) -> bool:
    """Whether the words before a phrase, in its clause, make it a statement about the reader.

    The nearest person word of the last eight decides: "your experience in banking" is about the
    reader, "our banking clients" is not. With `pitch_counts` false, a pitch ("would you consider",
    "if you ever want to try") is not a statement about them either.
    """
    window = list(words_before)[-_LOOK_BACK:]
    for position in range(len(window) - 1, -1, -1):
        word = window[position]
        if word in OTHER_WORDS:
            return False
        if word in READER_WORDS:
            context = window[max(0, position - 2) :]
            return pitch_counts or not any(other in PITCH_WORDS for other in context)
    return False


_CLAUSE_BREAK = re.compile(r"(?<=[.!?;:,()])\s+|\n+|[¿¡]")


def clauses(text: str) -> list[str]:
    """`text` cut where a statement ends: sentence ends, commas, semicolons, colons, line breaks."""
    return [clause for clause in _CLAUSE_BREAK.split(text) if clause.strip()]
