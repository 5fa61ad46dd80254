"""What is specific to one candidate, what their profile says about where they worked, and whether
a draft adds anything to its template."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from messaging.checks.claims import about_reader, clauses
from messaging.checks.vocabulary import keywords_of_industry, not_employers
from messaging.checks.words import mentions, split_words, word_line
from messaging.rendering import TemplateError, Token, candidate_skill_names, parse, token_namespace, token_value

# Words in a title or headline that say nothing about one person.
_COMMON_WORDS = frozenset(
    split_words(
        """
    about above after also based been being build building business career company currently
    develop developer developers development director engineer engineering engineers enthusiast
    experience experienced expert freelance from global have head helping into junior lead leader
    looking manager management more open opportunities passionate people principal professional
    role roles senior services skills solutions specialist staff team teams technical technology
    their there they this through work working world years your with will what where which
    software data product products platform platforms backend frontend full stack cloud systems
    mobile apps call calls scale finance sales marketing operations design support turned keeping
    moving alive
    """
    )
)
_COMPANY_SUFFIXES = frozenset(
    split_words("inc incorporated ltd limited llc llp plc gmbh ag sa sas bv nv corp corporation co company group")
)


def company_words(name: str) -> list[str]:
    words = split_words(name)
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words = words[:-1]
    return words


def industry_label(candidate: Any) -> str:
    return token_value("candidate.industry", candidate)


def _facts(candidate: Any, *, skills: bool) -> list[str]:
    facts: list[str] = []
    if not skills:
        company = company_words(getattr(candidate, "current_company", "") or "")
        if company:
            facts.append(" ".join(company))
        for attr in ("current_title", "city", "region"):
            value = (getattr(candidate, attr, "") or "").strip()
            if value:
                facts.append(value)
        industry = industry_label(candidate)
        if industry:
            facts.append(industry)
        for attr in ("current_title", "headline"):
            for word in split_words(getattr(candidate, attr, "") or ""):
                if len(word) >= 4 and word not in _COMMON_WORDS and not word.isdigit():
                    facts.append(word)
    else:
        facts.extend(candidate_skill_names(candidate, limit=50))
    # One- and two-letter facts ("R", "Go") match ordinary words too often to prove anything.
    return [fact for fact in dict.fromkeys(facts) if len(" ".join(split_words(fact))) >= 3]


def _short_skills(candidate: Any) -> list[str]:
    """Skills of one or two letters with a capital ("Go", "R", "C++"): matched only as written."""
    names = candidate_skill_names(candidate, limit=50)
    return [name for name in names if len(" ".join(split_words(name))) < 3 and name != name.casefold()]


def _written_mid_sentence(text: str, name: str) -> bool:
    """`name` exactly as written, as a word of its own, not opening a sentence ("Go ahead")."""
    for match in re.finditer(rf"(?<![\w&+#]){re.escape(name)}(?![\w&+#])", text):
        before = text[: match.start()].rstrip()
        if before and before[-1] not in ".!?¿¡\n":
            return True
    return False


def _industry_words_about_reader(candidate: Any, text: str) -> list[str]:
    """The everyday words of the candidate's industry that `text` uses about them ("your fintech work"):
    in a sentence about us ("we are a SaaS company") they say nothing about the person."""
    industry = industry_label(candidate)
    if not industry:
        return []
    found: dict[str, None] = {}
    for clause in clauses(text):
        line = word_line(clause)
        for keyword in keywords_of_industry(industry):
            position = line.find(f" {keyword} ")
            if position != -1 and about_reader(line[:position].split(), pitch_counts=True):
                found.setdefault(keyword, None)
    return list(found)


def profile_facts(candidate: Any) -> list[str]:
    """What a message can mention that is specific to this person, the first name alone aside.

    Company, title, industry (and its everyday words), city, region, the distinctive words of the
    title and headline, and skills (through `skills.all()`: prefetch them for many candidates).
    """
    facts = _facts(candidate, skills=False) + _facts(candidate, skills=True) + _short_skills(candidate)
    industry = industry_label(candidate)
    if industry:
        facts.extend(keywords_of_industry(industry))
    return list(dict.fromkeys(facts))


def facts_mentioned(candidate: Any, text: str) -> list[str]:
    """The profile facts that `text` mentions: whole words in any case; a one- or two-letter skill
    only as written and not opening a sentence; an industry's everyday word only about the reader."""
    line = word_line(text)
    found = [fact for fact in _facts(candidate, skills=False) + _facts(candidate, skills=True) if mentions(line, fact)]
    found += [name for name in _short_skills(candidate) if _written_mid_sentence(text, name)]
    found += _industry_words_about_reader(candidate, text)
    return list(dict.fromkeys(found))


def mentions_a_fact(candidate: Any, text: str) -> bool:
    # Skills after the rest: they may cost a query when not prefetched, and one fact is enough.
    line = word_line(text)
    return (
        any(mentions(line, fact) for fact in _facts(candidate, skills=False))
        or any(mentions(line, fact) for fact in _facts(candidate, skills=True))
        or any(_written_mid_sentence(text, name) for name in _short_skills(candidate))
        or bool(_industry_words_about_reader(candidate, text))
    )


# --- where the candidate works and worked -------------------------------------------------------------


def _same_word(one: str, other: str) -> bool:
    # German declines names: "bei den Stadtwerken Nord" is Stadtwerke Nord.
    if one == other:
        return True
    shorter, longer = sorted((one, other), key=len)
    return len(shorter) >= 4 and longer.startswith(shorter) and len(longer) - len(shorter) <= 2


def same_company(mentioned: list[str], company: list[str]) -> bool:
    """Whether two names (as `company_words`) are the same company: "Goldman" is Goldman Sachs."""
    if not mentioned or not company:
        return False
    shorter = min(len(mentioned), len(company))
    return all(_same_word(a, b) for a, b in zip(mentioned[:shorter], company[:shorter], strict=True))


def _is_event(name: str, words: list[str]) -> bool:
    events = not_employers()["events"]
    return events.starts(words) or words[-1] in events.words or bool(re.search(r"[a-z]Conf?$", name))


def not_an_employer(candidate: Any, name: str, *, ambiguous: bool) -> bool:
    """Whether `name`, claimed as where the candidate works, is a school, an event or a place (or,
    after an ambiguous "with" or Spanish "en", a technology, a product or one of their skills)."""
    words = split_words(name)
    lists = not_employers()
    if lists["schools"].contains_word(words) or lists["schools"].starts(words) or _is_event(name, words):
        return True
    places = {tuple(split_words(getattr(candidate, attr, "") or "")) for attr in ("city", "region")}
    if tuple(words) in lists["places"].names or tuple(words) in places or lists["common nouns"].starts(words):
        return True
    if not ambiguous:
        return False
    if lists["technologies"].starts(words):
        return True
    skills = [split_words(skill) for skill in candidate_skill_names(candidate, limit=50)]
    return any(skill and words[: len(skill)] == skill for skill in skills)


class _ResumeBatch:
    """The résumé texts of a batch of candidates, read in one query the first time any is needed."""

    def __init__(self, candidate_ids: set[int]) -> None:
        self.candidate_ids = candidate_ids
        self._texts: dict[int, list[str]] | None = None

    def texts(self, candidate_id: int) -> list[str]:
        if self._texts is None:
            from candidates.models import Resume  # the check's pure parts need no models

            self._texts = defaultdict(list)
            rows = Resume.objects.filter(candidate_id__in=self.candidate_ids).values_list("candidate_id", "text")
            for owner, text in rows.order_by("candidate_id", "pk"):
                self._texts[owner].append(text)
        return self._texts.get(candidate_id, [])


_batch: ContextVar[_ResumeBatch | None] = ContextVar("resume_batch", default=None)


@contextmanager
def resumes_read_together(candidates: Iterable[Any]) -> Iterator[None]:
    """Check many drafts with one résumé query for all their candidates (bulk sends), not one each."""
    token = _batch.set(_ResumeBatch({c.pk for c in candidates if getattr(c, "pk", None)}))
    try:
        yield
    finally:
        _batch.reset(token)


def _resume_texts(candidate: Any) -> list[str]:
    if getattr(candidate, "pk", None) is None or not hasattr(candidate, "resumes"):
        return []
    batch = _batch.get()
    if batch is not None and candidate.pk in batch.candidate_ids:
        return batch.texts(candidate.pk)
    # `resumes.all()`: one query here, none when prefetched. Only asked when a claim is not explained otherwise.
    return [resume.text for resume in candidate.resumes.all()]


def past_employer(candidate: Any, name: str) -> bool:
    """Whether the profile names `name` as an employer: in the headline or title ("ex-Bosch"), or in a résumé."""
    own = word_line(f"{getattr(candidate, 'headline', '') or ''} {getattr(candidate, 'current_title', '') or ''}")
    if mentions(own, name):
        return True
    return any(mentions(word_line(text), name) for text in _resume_texts(candidate))


# --- template comparison --------------------------------------------------------------------------


def _squeezed(text: str) -> str:
    """Case-folded with all whitespace removed: spacing and case are not edits."""
    return "".join((text or "").casefold().split())


def _token_options(segment: Token, candidate: Any, organization: Any) -> list[str] | None:
    """What a token can have become in the body (its value or its fallback); None when not known here."""
    namespace = token_namespace(segment.path)
    owner = {"candidate": candidate, "organization": organization}.get(namespace)
    options = []
    if owner is not None:
        options.append(_squeezed(token_value(segment.path, owner)))
    if segment.fallback:
        options.append(_squeezed(segment.fallback))
    options = [option for option in options if option]
    return options or None  # the recruiter's name, the circle: any short text


_UNKNOWN_TOKEN_CHARS = 120


def _fills(parts: list[str | list[str] | None], body: str, position: int, index: int) -> bool:
    """Whether `body[position:]` is `parts[index:]` with each token filled by one of its options."""
    if index == len(parts):
        return position == len(body)
    part = parts[index]
    if isinstance(part, str):
        return body.startswith(part, position) and _fills(parts, body, position + len(part), index + 1)
    if part is not None:
        return any(
            body.startswith(option, position) and _fills(parts, body, position + len(option), index + 1)
            for option in part
        )
    # A token whose value is not known here: try every end within a short stretch.
    last = min(len(body), position + _UNKNOWN_TOKEN_CHARS)
    following = parts[index + 1] if index + 1 < len(parts) else None
    for end in range(position, last + 1):
        if isinstance(following, str) and not body.startswith(following, end):
            continue
        if _fills(parts, body, end, index + 1):
            return True
    return False


def adds_nothing_to_template(body: str, template_body: str, *, candidate: Any, organization: Any = None) -> bool:
    """True when `body` is `template_body` with only its tokens filled in (case and spacing aside)."""
    try:
        segments = parse(template_body or "")
    except TemplateError:
        return _squeezed(body) == _squeezed(template_body)
    parts: list[str | list[str] | None] = []
    for segment in segments:
        if isinstance(segment, Token):
            parts.append(_token_options(segment, candidate, organization))
        elif _squeezed(segment):
            parts.append(_squeezed(segment))
    return _fills(parts, _squeezed(body), 0, 0)
