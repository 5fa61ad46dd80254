"""What is specific to one candidate, and whether a draft adds anything to its template."""

from __future__ import annotations

from typing import Any

from messaging.checks.vocabulary import keywords_of_industry
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
            facts.extend(keywords_of_industry(industry))
        for attr in ("current_title", "headline"):
            for word in split_words(getattr(candidate, attr, "") or ""):
                if len(word) >= 4 and word not in _COMMON_WORDS and not word.isdigit():
                    facts.append(word)
    else:
        facts.extend(candidate_skill_names(candidate, limit=50))
    # One- and two-letter facts ("R", "Go") match ordinary words too often to prove anything.
    return [fact for fact in dict.fromkeys(facts) if len(" ".join(split_words(fact))) >= 3]


def profile_facts(candidate: Any) -> list[str]:
    """What a message can mention that is specific to this person, the first name alone aside.

    Company, title, industry (and its everyday words), city, region, the distinctive words of the
    title and headline, and skills (through `skills.all()`: prefetch them for many candidates).
    """
    return list(dict.fromkeys(_facts(candidate, skills=False) + _facts(candidate, skills=True)))


def facts_mentioned(candidate: Any, text: str) -> list[str]:
    """The profile facts that `text` mentions (whole words, any case)."""
    line = word_line(text)
    return [fact for fact in profile_facts(candidate) if mentions(line, fact)]


def mentions_a_fact(candidate: Any, text: str) -> bool:
    # Skills last: they may cost a query when not prefetched, and one fact is enough.
    line = word_line(text)
    return any(mentions(line, fact) for fact in _facts(candidate, skills=False)) or any(
        mentions(line, fact) for fact in _facts(candidate, skills=True)
    )


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
