"""Safe token rendering for message templates: `{{ namespace.attr }}` and a quoted fallback, nothing else.

This is deliberately not Django's template engine. A template is written by a recruiter and
rendered for thousands of candidates, so the language is as small as it can be: a fixed
whitelist of tokens (`TOKENS`), each optionally followed by `|default:"fallback"` (either quote
style). No other filters, no tags, no attribute traversal. A token that has no value for a
candidate and no fallback is an error naming the token and the candidate, never a blank.

Values are inserted as plain text (message bodies are plain text; HTML is escaped later, when
the e-mail's HTML part is built). The rendered subject must stay one line: a value or fallback
carrying a line break would let a template inject e-mail headers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from candidates.models import INDUSTRY_CHOICES
from talentcircles.services import ServiceError

# The whitelist: every token a template may use, with what it is replaced by.
TOKENS: dict[str, str] = {
    "candidate.first_name": "The candidate's first name.",
    "candidate.last_name": "The candidate's last name.",
    "candidate.headline": "The candidate's profile headline.",
    "candidate.current_title": "The candidate's current job title.",
    "candidate.current_company": "The candidate's current company.",
    "candidate.industry": "The candidate's industry, as named in the industry list.",
    "candidate.location": "City, region and country, as far as known (e.g. “Leeds, West Yorkshire, GB”).",
    "candidate.skills": "Up to five of the candidate's skills, e.g. “Django, Go and SQL”.",
    "recruiter.first_name": "Your first name.",
    "recruiter.full_name": "Your full name.",
    "recruiter.title": "Your job title, from your profile.",
    "organization.name": "Your organisation's name.",
    "circle.name": "The talent circle the message is sent to (bulk messages to a circle only).",
}

# Shown in "add a fallback such as …" when a token has no value for someone.
EXAMPLE_FALLBACKS: dict[str, str] = {
    "candidate.first_name": "there",
    "candidate.last_name": "",
    "candidate.headline": "your work",
    "candidate.current_title": "your role",
    "candidate.current_company": "your team",
    "candidate.industry": "your industry",
    "candidate.location": "your area",
    "candidate.skills": "your skills",
    "recruiter.first_name": "The team",
    "recruiter.full_name": "The team",
    "recruiter.title": "Recruiter",
    "organization.name": "our team",
    "circle.name": "our community",
}

MAX_SKILLS = 5


class TemplateError(ServiceError, ValueError):
    """A template that cannot be used as written, or cannot be filled for one candidate.

    `message` is a sentence a recruiter can act on; `token` is the offending token as written
    (empty for syntax errors that are not about one token); `candidate_name` is set when the
    problem is a missing value for one candidate.
    """

    def __init__(self, message: str, *, token: str = "", candidate_name: str = "") -> None:
        super().__init__(message)
        self.token = token
        self.candidate_name = candidate_name


@dataclass(frozen=True)
class Token:
    path: str  # e.g. "candidate.first_name"
    fallback: str | None  # the `|default:"…"` text, or None
    raw: str  # as written, for error messages

    @property
    def display(self) -> str:
        return "{{ " + self.path + " }}"


Segment = str | Token


@dataclass
class Rendered:
    subject: str
    body: str


# `{{ … }}` with anything inside (checked separately, so the error can name what is wrong).
_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# The inside of a well-formed token: a dotted name, optionally one filter with an argument.
_INNER = re.compile(
    r"""^\s*(?P<path>[A-Za-z_][\w]*(?:\s*\.\s*[\w]+)*)\s*
        (?:\|\s*(?P<filter>[^:\s|]*)\s*(?::\s*(?P<arg>.*?))?)?\s*$""",
    re.DOTALL | re.VERBOSE,
)
_QUOTED = re.compile(r"""^(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')$""", re.DOTALL)
# Unsafe in a subject: every line boundary str.splitlines() knows, and NUL.
_LINE_BREAK = re.compile("[\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _allowed_list() -> str:
    return ", ".join("{{ " + path + " }}" for path in TOKENS)


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _short(raw: str) -> str:
    return raw if len(raw) <= 60 else raw[:57] + "…"


def _check_plain(text: str, chunk: str, offset: int) -> None:
    """Text between tokens must not hold stray braces: they are unbalanced tokens."""
    for marker, problem in (
        ("{{", "is never closed: end the token with “}}”"),
        ("}}", "has no opening “{{”"),
    ):
        found = chunk.find(marker)
        if found != -1:
            raise TemplateError(f"“{marker}” at {_where(text, offset + found)} {problem}.", token=marker)


def _parse_token(text: str, match: re.Match[str]) -> Token:
    raw = match.group(0)
    inner = match.group(1)
    where = _where(text, match.start())
    if "{{" in inner:
        raise TemplateError(f"“{{{{” at {where} is never closed: end the token with “}}}}”.", token="{{")  # noqa: S106
    parsed = _INNER.match(inner)
    if parsed is None:
        raise TemplateError(
            f"Unknown token {_short(raw)} at {where}. Allowed: {_allowed_list()}.",
            token=raw,
        )
    path = re.sub(r"\s+", "", parsed.group("path"))
    if path not in TOKENS:
        raise TemplateError(f"Unknown token {{{{ {path} }}}} at {where}. Allowed: {_allowed_list()}.", token=raw)
    if re.sub(r"\"[^\"]*\"|'[^']*'", "", inner).count("|") > 1:
        raise TemplateError(
            f'Only one filter is allowed, |default:"fallback": {_short(raw)} at {where} has more.', token=raw
        )
    filter_name = parsed.group("filter")
    if filter_name is None:
        return Token(path=path, fallback=None, raw=raw)
    if filter_name != "default":
        shown = f"|{filter_name}" if filter_name else "“|”"
        raise TemplateError(
            f"The filter {shown} in {_short(raw)} at {where} is not allowed: the only one is "
            f'|default:"fallback", e.g. {{{{ {path}|default:"{EXAMPLE_FALLBACKS[path] or "…"}" }}}}.',
            token=raw,
        )
    quoted = _QUOTED.match((parsed.group("arg") or "").strip())
    if quoted is None:
        raise TemplateError(
            f"The fallback in {_short(raw)} at {where} must be quoted text, "
            f'e.g. {{{{ {path}|default:"{EXAMPLE_FALLBACKS[path] or "…"}" }}}}.',
            token=raw,
        )
    fallback = quoted.group("dq") if quoted.group("dq") is not None else quoted.group("sq")
    if not fallback.strip():
        raise TemplateError(
            f"The fallback in {_short(raw)} at {where} is empty: a message never has a blank where a fact "
            "should be. Write a fallback or remove the token.",
            token=raw,
        )
    return Token(path=path, fallback=fallback, raw=raw)


@functools.lru_cache(maxsize=128)
def parse(text: str) -> tuple[Segment, ...]:
    """The template as literal strings and `Token`s, in order; raises `TemplateError` if invalid.

    Cached: a bulk send renders the same text for every candidate and parses it once.
    """
    text = text or ""
    tag = re.search(r"\{%|%\}", text)
    if tag:
        raise TemplateError(
            f"Template tags such as {{% … %}} are not allowed (found “{tag.group(0)}” at {_where(text, tag.start())}). "
            "Use tokens like {{ candidate.first_name }} only.",
            token=tag.group(0),
        )
    segments: list[Segment] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal = text[position : match.start()]
        _check_plain(text, literal, position)
        if literal:
            segments.append(literal)
        segments.append(_parse_token(text, match))
        position = match.end()
    rest = text[position:]
    _check_plain(text, rest, position)
    if rest:
        segments.append(rest)
    return tuple(segments)


def validate_template_text(text: str) -> None:
    """Raise `TemplateError` unless `text` uses only whitelisted tokens in valid syntax."""
    parse(text or "")


def tokens_used(text: str) -> list[str]:
    """The token paths a (valid) template uses, in order of first use."""
    seen: dict[str, None] = {}
    for segment in parse(text or ""):
        if isinstance(segment, Token):
            seen.setdefault(segment.path, None)
    return list(seen)


# --- values ---------------------------------------------------------------------------------------


def join_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def candidate_skill_names(candidate: Any, limit: int = MAX_SKILLS) -> list[str]:
    """Skill names through `skills.all()`, so a `prefetch_related("skills")` costs no query here."""
    if candidate is None or getattr(candidate, "pk", None) is None:
        return []  # an unsaved candidate has no skills yet (and asking would raise)
    return [skill.name for skill in candidate.skills.all()][:limit]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


_INDUSTRY_LABELS = dict(INDUSTRY_CHOICES)


def _industry(candidate: Any) -> str:
    # The choice's label, looked up directly: get_industry_display() is slow in a loop of thousands.
    value = _text(getattr(candidate, "industry", ""))
    return _INDUSTRY_LABELS.get(value, value)


def _full_name(user: Any) -> str:
    get_full_name = getattr(user, "get_full_name", None)
    if callable(get_full_name):
        return _text(get_full_name())
    return _text(f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}")


def _attr(name: str) -> Callable[[Any], str]:
    return lambda obj: _text(getattr(obj, name, ""))


_RESOLVERS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "candidate.first_name": ("candidate", _attr("first_name")),
    "candidate.last_name": ("candidate", _attr("last_name")),
    "candidate.headline": ("candidate", _attr("headline")),
    "candidate.current_title": ("candidate", _attr("current_title")),
    "candidate.current_company": ("candidate", _attr("current_company")),
    "candidate.industry": ("candidate", _industry),
    "candidate.location": ("candidate", _attr("location")),
    "candidate.skills": ("candidate", lambda c: join_words(candidate_skill_names(c))),
    "recruiter.first_name": ("recruiter", _attr("first_name")),
    "recruiter.full_name": ("recruiter", _full_name),
    "recruiter.title": ("recruiter", _attr("title")),
    "organization.name": ("organization", _attr("name")),
    "circle.name": ("circle", _attr("name")),
}
assert set(_RESOLVERS) == set(TOKENS), "every whitelisted token needs a resolver"
# Namespaces a higher app registered (messaging.topics), with why such a token may have no value.
_REGISTERED: dict[str, str] = {}


def register_tokens(namespace: str, tokens: dict[str, tuple[str, str, Callable[[Any], str]]], *, missing: str) -> None:
    """Add a namespace's tokens (path → description, example fallback, reader) to the whitelist.

    `missing` ends the sentence shown when a message has no object of that namespace
    ("this message is not about a job"). Called by `messaging.topics.register_topic_source`.
    """
    for path, (description, example, read) in tokens.items():
        if not path.startswith(f"{namespace}.") or path.split(".", 1)[0] in {"candidate", "recruiter"}:
            raise ValueError(f"A token of the namespace {namespace} must start with “{namespace}.”: {path}")
        TOKENS[path] = description
        EXAMPLE_FALLBACKS[path] = example
        _RESOLVERS[path] = (namespace, read)
    _REGISTERED[namespace] = missing
    parse.cache_clear()


def unregister_tokens(namespace: str) -> None:
    for path in [path for path, (owner, _read) in _RESOLVERS.items() if owner == namespace]:
        TOKENS.pop(path, None)
        EXAMPLE_FALLBACKS.pop(path, None)
        _RESOLVERS.pop(path, None)
    _REGISTERED.pop(namespace, None)
    parse.cache_clear()


def token_namespace(path: str) -> str:
    """ "candidate", "recruiter", "organization" or "circle"."""
    return _RESOLVERS[path][0]


def token_value(path: str, owner: Any) -> str:
    """The value of a whitelisted token for its object (a candidate, user, organisation or circle); "" if none."""
    return _RESOLVERS[path][1](owner) if owner is not None else ""


def candidate_display_name(candidate: Any) -> str:
    if candidate is None:
        return "this candidate"
    name = _text(getattr(candidate, "full_name", "")) or _text(getattr(candidate, "first_name", ""))
    return name or (f"candidate #{candidate.pk}" if getattr(candidate, "pk", None) else "this candidate")


def _missing(token: Token, candidate: Any) -> TemplateError:
    namespace = token.path.split(".", 1)[0]
    example = EXAMPLE_FALLBACKS[token.path] or "…"
    suggestion = f'{{{{ {token.path}|default:"{example}" }}}}'
    name = candidate_display_name(candidate)
    if namespace == "candidate":
        message = (
            f"{token.display} has no value for {name}: add a fallback such as {suggestion} or fill in the profile."
        )
    elif namespace == "recruiter":
        message = (
            f"{token.display} has no value: add a fallback such as {suggestion} or fill in your name and title "
            "in your profile."
        )
    elif namespace == "circle":
        message = (
            f"{token.display} has no value: this message is not sent to a circle. Add a fallback such as "
            f"{suggestion} or remove the token."
        )
    elif namespace in _REGISTERED:
        message = (
            f"{token.display} has no value: {_REGISTERED[namespace]}. Add a fallback such as {suggestion} "
            "or remove the token."
        )
    else:
        message = f"{token.display} has no value: add a fallback such as {suggestion}."
    return TemplateError(message, token=token.display, candidate_name=name)


def render_text(
    text: str,
    *,
    candidate: Any,
    recruiter: Any,
    organization: Any,
    circle: Any = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """`text` with every token replaced for this candidate; raises `TemplateError` (never a blank).

    `extra`: the objects of registered namespaces (`messaging.topics`), e.g. {"job": job}.
    """
    context = {**(extra or {}), "candidate": candidate, "recruiter": recruiter, "organization": organization}
    context["circle"] = circle
    parts: list[str] = []
    for segment in parse(text or ""):
        if isinstance(segment, str):
            parts.append(segment)
            continue
        namespace, resolve = _RESOLVERS[segment.path]
        owner = context.get(namespace)
        value = resolve(owner) if owner is not None else ""
        if not value:
            if segment.fallback is None:
                raise _missing(segment, candidate)
            value = segment.fallback
        parts.append(value)
    return "".join(parts)


def render_message(
    *,
    subject: str,
    body: str,
    candidate: Any,
    recruiter: Any,
    organization: Any,
    circle: Any = None,
    extra: Mapping[str, Any] | None = None,
) -> Rendered:
    """Subject and body rendered for one candidate; the first problem raises `TemplateError`.

    The rendered subject must be a single line (a line break in a header is header injection).
    """
    context = {
        "candidate": candidate, "recruiter": recruiter, "organization": organization, "circle": circle, "extra": extra,
    }  # fmt: skip
    rendered_subject = render_text(subject, **context)
    if _LINE_BREAK.search(rendered_subject):
        raise TemplateError(
            "The subject must be one line: remove the line break (from the subject or a token's fallback).",
            token="",
            candidate_name=candidate_display_name(candidate),
        )
    return Rendered(subject=rendered_subject, body=render_text(body, **context))
