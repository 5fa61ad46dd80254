"""The findings that need no database: each a pure function of the candidate and the draft."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from messaging.checks.profile import adds_nothing_to_template, company_words, industry_label, mentions_a_fact
from messaging.checks.vocabulary import family_has, industry_keywords, industry_regex, spam_regex
from messaging.checks.words import QUOTES, quoted_list, word_line
from messaging.rendering import candidate_display_name

# Length bands from LinkedIn's InMail study (see the docstring of messaging/checks/__init__.py).
SHORT_CHARS = 200
BEST_MAX_CHARS = 400
TOO_LONG_CHARS = 1_400

SPAM_PENALTY_PER_PHRASE = 5
SPAM_PENALTY_CAP = 20

FINDING_CODES: dict[str, str] = {
    "generic": "Nothing personal",
    "placeholder": "Leftover placeholder",
    "wrong_industry": "Industry contradicts the profile",
    "wrong_company": "Company contradicts the profile",
    "mass_message": "Same message sent to many today",
    "too_short": "Very short",
    "long": "Longer than ideal",
    "too_long": "Too long",
    "spam_phrases": "Phrases typical of spam",
    "empty_subject": "No subject",
    "generic_subject": "Generic subject",
}

PENALTIES: dict[str, int] = {
    "generic": 40,
    "placeholder": 40,
    "wrong_industry": 30,
    "wrong_company": 30,
    "mass_message": 30,
    "too_short": 10,
    "long": 5,
    "too_long": 20,
    "spam_phrases": SPAM_PENALTY_PER_PHRASE,  # per phrase, up to SPAM_PENALTY_CAP
    "empty_subject": 10,
    "generic_subject": 5,
}

# "high": fix before sending; "medium": worth fixing; "low": a hint.
SEVERITIES: dict[str, str] = {
    "generic": "high",
    "placeholder": "high",
    "wrong_industry": "high",
    "wrong_company": "high",
    "mass_message": "high",
    "too_short": "low",
    "long": "low",
    "too_long": "medium",
    "spam_phrases": "medium",
    "empty_subject": "medium",
    "generic_subject": "low",
}


@dataclass
class Finding:
    code: str
    message: str
    penalty: int
    severity: str


@dataclass
class CheckResult:
    score: int
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "findings": [
                {"code": f.code, "message": f.message, "severity": f.severity, "penalty": f.penalty}
                for f in self.findings
            ],
        }

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def finding(code: str, message: str, penalty: int | None = None) -> Finding:
    return Finding(
        code=code,
        message=message,
        penalty=PENALTIES[code] if penalty is None else penalty,
        severity=SEVERITIES[code],
    )


def score_of(findings: Iterable[Finding]) -> int:
    return max(0, min(100, 100 - sum(f.penalty for f in findings)))


_PLACEHOLDERS = re.compile(
    r"""
      \{\{[^{}\n]{0,60}\}\}                                   # a token left unrendered
    | (?<!\{)\{\s*[A-Za-z_][\w ]{0,30}\}(?!\})                # {first_name}
    | \[(?:[A-Z][A-Za-z]*(?:[ _-][A-Za-z]+){0,3}
         |(?i:first[ _]?name|last[ _]?name|name|company(?:[ _]name)?|job[ _]title|title|role|position))\](?!\()
    | <<[^<>\n]{1,40}>>                                       # <<Company>>
    | (?<![\w%])%[A-Za-z_]{2,30}%(?![\w%])                    # %NAME%
    | (?<!\w)[Xx]{3,}(?!\w)                                   # XXX, xxx
    | \b(?:FIRST_?NAME|LAST_?NAME|FULL_?NAME|COMPANY_?NAME|CANDIDATE_?NAME|JOB_?TITLE)\b
    """,
    re.VERBOSE,
)

_YOU = frozenset({"you", "your", "yours", "youre", "yourself"})

_COMPANY_CLAIM = re.compile(
    r"""
    (?i:\b(?:
        your\s+(?:[\w-]+\s+){0,2}?  # "your work at", "your Python work at", "your recent data work at"
            (?:work|time|role|position|job|experience|tenure|career|team|journey|years|contributions?|projects?
               |colleagues)
            \s+(?:at|with)
      | you(?:'re|\s+are)\s+(?:currently\s+|now\s+|still\s+)?(?:at|with)
      | you\s+(?:currently\s+|now\s+)?(?:work|worked|are\s+working)\s+(?:at|for|with)
    ))\s+
    (?P<company>(?:The\s+)?[A-Z0-9][\w&'-]*(?:\.[\w&'-]+)*(?:[ \t]+(?:&[ \t]+)?[A-Z0-9][\w&'-]*(?:\.[\w&'-]+)*){0,4})
    """,
    re.VERBOSE,
)

_GENERIC_SUBJECTS = frozenset(
    item.strip()
    for item in """
    opportunity|an opportunity|job opportunity|job opportunities|new opportunity|great opportunity|
    exciting opportunity|career opportunity|opportunity for you|an exciting opportunity|job|job opening|
    job offer|new job|role|new role|a new role|exciting role|position|open position|vacancy|hiring|
    we are hiring|we're hiring|hi|hello|hey|hi there|hello there|greetings|quick question|question|
    introduction|intro|connecting|let's connect|following up|follow up|no subject|(no subject)|test
    """.replace("\n", "").split("|")
    if item.strip()
)


def _generic(candidate: Any, subject: str, body: str, template_body: str | None, organization: Any) -> Finding | None:
    if mentions_a_fact(candidate, f"{subject}\n{body}"):
        return None
    if template_body is not None and not adds_nothing_to_template(
        body, template_body, candidate=candidate, organization=organization
    ):
        return None
    name = candidate_display_name(candidate)
    advice = (
        "Mention something from their profile (their company, role, skills or city) "
        "or say why you are writing to them in particular."
    )
    if template_body is not None:
        return finding(
            "generic", f"This is the template with only the name filled in: nothing in it is about {name}. {advice}"
        )
    return finding("generic", f"Nothing in this message is specific to {name}. {advice}")


def _placeholders(subject: str, body: str) -> Finding | None:
    found: dict[str, None] = {}
    for match in _PLACEHOLDERS.finditer(f"{subject}\n{body}"):
        found.setdefault(match.group(0), None)
    if not found:
        return None
    return finding(
        "placeholder",
        f"Leftover placeholder{'s' if len(found) > 1 else ''}: {quoted_list(found)}. "
        "Replace with the real details before sending.",
    )


def _wrong_industry(candidate: Any, subject: str, body: str) -> Finding | None:
    industry = industry_label(candidate)
    if not industry:
        return None
    keywords = industry_keywords()
    text = f"{subject}\n{body}".translate(QUOTES)
    contradicting: dict[str, None] = {}
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        line = word_line(sentence)
        for match in industry_regex().finditer(line):
            keyword = match.group(0)
            if family_has(keywords[keyword], industry):
                continue
            # Only a claim about the reader contradicts their profile, not "we're a fintech".
            # ("you're" is "you re" on the word line, so "you" covers it.)
            if any(word in _YOU for word in line[: match.start()].split()[-8:]):
                contradicting.setdefault(keyword, None)
    if not contradicting:
        return None
    name = candidate_display_name(candidate)
    return finding(
        "wrong_industry",
        f"The message mentions {quoted_list(contradicting)}, but {name} works in {industry} according to "
        "their profile. Check you have the right person, or fix the text.",
    )


def _wrong_company(candidate: Any, subject: str, body: str, organization: Any) -> Finding | None:
    current = company_words(getattr(candidate, "current_company", "") or "")
    if not current:
        return None
    own = company_words(getattr(organization, "name", "") or "") if organization is not None else []
    wrong: dict[str, None] = {}
    for match in _COMPANY_CLAIM.finditer(f"{subject}\n{body}".translate(QUOTES)):
        mentioned = company_words(match.group("company").rstrip(".'"))
        if not mentioned or mentioned == own:
            continue
        shorter = min(len(mentioned), len(current))
        if mentioned[:shorter] == current[:shorter]:
            continue  # "Goldman" for "Goldman Sachs", "Acme" for "Acme Ltd"
        wrong.setdefault(match.group(0).strip(), None)
    if not wrong:
        return None
    name = candidate_display_name(candidate)
    return finding(
        "wrong_company",
        f"The message says {quoted_list(wrong)}, but {name}'s profile says they work at "
        f"{candidate.current_company.strip()}. If that is an earlier employer, ignore this; otherwise check you "
        "have the right person.",
    )


def _length(body: str) -> Finding | None:
    length = len((body or "").strip())
    if length < SHORT_CHARS:
        return finding(
            "too_short",
            f"{length} characters: very short messages read like a blast. Between {SHORT_CHARS} and "
            f"{BEST_MAX_CHARS} is best (LinkedIn's InMail study: about 16% more answers than average).",
        )
    if length > TOO_LONG_CHARS:
        return finding(
            "too_long",
            f"{length:,} characters: LinkedIn's InMail study found messages over {TOO_LONG_CHARS:,} characters "
            f"get about 18% fewer answers. Cut it towards {SHORT_CHARS} to {BEST_MAX_CHARS} characters.",
        )
    if length > BEST_MAX_CHARS:
        return finding(
            "long",
            f"{length} characters: messages of {SHORT_CHARS} to {BEST_MAX_CHARS} characters get about 16% more "
            "answers (LinkedIn's InMail study). Consider trimming it.",
        )
    return None


def _spam(subject: str, body: str) -> Finding | None:
    found: dict[str, None] = {}
    for match in spam_regex().finditer(f"{subject}\n{body}".translate(QUOTES)):
        found.setdefault(" ".join(match.group(0).casefold().split()), None)
    if not found:
        return None
    penalty = min(SPAM_PENALTY_CAP, SPAM_PENALTY_PER_PHRASE * len(found))
    return finding(
        "spam_phrases",
        f"Phrases typical of spam or mass messages: {quoted_list(found)}. Say it in your own words.",
        penalty=penalty,
    )


def _subject(subject: str) -> Finding | None:
    if not (subject or "").strip():
        return finding("empty_subject", "The subject is empty: write one that tells them why you are writing.")
    normalised = " ".join(re.sub(r"[^\w\s'()]", " ", subject.casefold()).split())
    normalised = re.sub(r"^(?:(?:re|fwd?|aw)\s+)+", "", normalised)
    if normalised in _GENERIC_SUBJECTS:
        return finding(
            "generic_subject",
            f"“{subject.strip()}” could be any message: mention the role, their work or what you have in common.",
        )
    return None


def draft_findings(
    *, candidate: Any, subject: str, body: str, template_body: str | None = None, organization: Any = None
) -> list[Finding]:
    """Every finding that needs no database: the check without the mass-message count."""
    subject, body = subject or "", body or ""
    findings = [
        _generic(candidate, subject, body, template_body, organization),
        _placeholders(subject, body),
        _wrong_industry(candidate, subject, body),
        _wrong_company(candidate, subject, body, organization),
        _length(body),
        _spam(subject, body),
        _subject(subject),
    ]
    return [f for f in findings if f is not None]
