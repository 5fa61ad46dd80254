"""The findings that need no message history: each a function of the candidate and the draft (the
wrong-company finding may read the candidate's résumés, see `profile.past_employer`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from messaging.checks.claims import about_reader, clauses, company_claims
from messaging.checks.profile import (
    adds_nothing_to_template,
    company_words,
    industry_label,
    mentions_a_fact,
    not_an_employer,
    past_employer,
    same_company,
)
from messaging.checks.vocabulary import family_has, industry_keywords, industry_regex, not_employers, spam_regex
from messaging.checks.words import QUOTES, mentions, quoted_list, split_words, word_line
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
    | (?<!\{)\{\s*[^\W\d][\w ]{0,30}\}(?!\})                  # {first_name}, {prénom}
    | \{![\w.]{2,40}\}                                        # {!Contact.FirstName} (Salesforce)
    | \*\|[A-Z0-9_]{2,30}\|\*                                  # *|FNAME|* (Mailchimp)
    | \[(?P<bracket>[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:[ _-][^\W\d_]+){0,7}
         |(?i:first[ _]?name|last[ _]?name|name|company(?:[ _]name)?|job[ _]title|title|role|position
             |vorname|nachname|firma|unternehmen|stelle|prénom|prenom|nom|entreprise|société|poste
             |nombre|apellidos?|empresa|puesto|cargo
             |(?:insert|add|mention|einfügen|insérer|insertar|añadir)\b[^\]\n]{0,60}))\](?!\()
    | <<[^<>\n]{1,40}>>                                       # <<Company>>
    | (?<![<\w])<[A-Z][a-z]*(?:[ _][A-Z][a-z]*){0,3}>(?![>\w])  # <First Name>; not <br>, not an address
    | (?<![\w%])%[A-Za-z_]{2,30}%(?![\w%])                    # %NAME%
    | (?<!\w)[Xx]{3,}(?!\w)                                   # XXX, xxx
    | \b(?:FIRST_?NAME|LAST_?NAME|FULL_?NAME|COMPANY_?NAME|CANDIDATE_?NAME|JOB_?TITLE)\b
    | \b(?:CITY|COMPANY|LOCATION|SALARY|SKILLS?)\b              # a capitalised field name left in
    """,
    re.VERBOSE,
)
# Bracketed words that tag a subject or a line rather than stand for something: "[Remote] Go role".
_TAG_WORDS = frozenset(
    split_words(
        """remote hybrid onsite on site office full part time contract freelance permanent urgent hiring new
        update reminder job jobs ad en de fr es m w d f h x"""
    )
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


def _is_tag(bracketed: str, candidate: Any) -> bool:
    words = split_words(bracketed)
    if all(word in _TAG_WORDS for word in words):
        return True
    places = [getattr(candidate, attr, "") or "" for attr in ("city", "region")]
    return tuple(words) in not_employers()["places"].names or any(words == split_words(p) for p in places if p)


def _placeholders(candidate: Any, subject: str, body: str) -> Finding | None:
    found: dict[str, None] = {}
    for match in _PLACEHOLDERS.finditer(f"{subject}\n{body}"):
        if match.group("bracket") and _is_tag(match.group("bracket"), candidate):
            continue
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
    # Words the candidate's own profile uses ("booking apps for clinics", "software supply chain").
    own = word_line(" ".join(getattr(candidate, attr, "") or "" for attr in ("headline", "current_title")))
    contradicting: dict[str, None] = {}
    for clause in clauses(f"{subject}\n{body}".translate(QUOTES)):
        line = word_line(clause)
        for match in industry_regex().finditer(line):
            keyword = match.group(0)
            if family_has(keywords[keyword], industry) or mentions(own, keyword):
                continue
            # Only a statement about the reader contradicts their profile: not "we're a fintech", not
            # "our banking clients", not "would you consider a move into logistics?".
            if about_reader(line[: match.start()].split()):
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
    for claim in company_claims(f"{subject}\n{body}".translate(QUOTES)):
        mentioned = company_words(claim.company)
        if not mentioned or same_company(mentioned, current) or same_company(mentioned, own):
            continue  # "Goldman" for "Goldman Sachs", "Acme" for our own "Acme Robotics"
        if not_an_employer(candidate, claim.company, ambiguous=claim.ambiguous):
            continue  # "your time at Abertay University", "your years with COBOL", "you're at KubeCon"
        if past_employer(candidate, claim.company):
            continue  # "ex-Bosch" in the headline, "Spotify 2014-2019" in the résumé
        wrong.setdefault(claim.phrase, None)
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
    """Every finding that needs no message history: the check without the mass-message count."""
    subject, body = subject or "", body or ""
    findings = [
        _generic(candidate, subject, body, template_body, organization),
        _placeholders(candidate, subject, body),
        _wrong_industry(candidate, subject, body),
        _wrong_company(candidate, subject, body, organization),
        _length(body),
        _spam(subject, body),
        _subject(subject),
    ]
    return [f for f in findings if f is not None]
