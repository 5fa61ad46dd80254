"""What a message is about: a thing a higher app owns (a job), whose facts templates may name.

Messaging may not import `engagement`, and it keeps no engagement ids (its threads are pointed at by
engagement's link rows). So a higher app registers a `TopicSource` from `AppConfig.ready()`:

- its `kind` ("job"), which is also the namespace of its template tokens (`{{ job.title }}`), and
  the tokens with their descriptions, example fallbacks and how each is read from the object;
- `load`: one of the organisation's objects by id, or None (another organisation's, or gone);
- `outreach_started`: called inside messaging's transaction with the new threads started about
  one such object, so its owner records the link (as the circles do for `{{ circle.name }}`).

A message about something is then rendered with that object in the template's context, and a
token of a namespace with no object ("this message is not about a job") is an error naming the
token, like any other token without a value. A topic travels between requests as its key, "job:42".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from messaging import rendering
from talentcircles.models import Organization


@dataclass(frozen=True)
class TopicSource:
    kind: str  # "job": the key's prefix and the tokens' namespace
    noun: str  # "job", for sentences: "this message is not about a job"
    # token path ("job.title") → (description, example fallback, the value read from the object)
    tokens: dict[str, tuple[str, str, Callable[[Any], str]]]
    load: Callable[[Organization, int], Any | None]
    label: Callable[[Any], str]  # how pages name one: "the job “Backend Engineer”"
    outreach_started: Callable[[Organization, int, list[int]], None] | None = None


@dataclass(frozen=True)
class Topic:
    """One object a message is about, loaded for one organisation."""

    kind: str
    pk: int
    obj: Any
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    def context(self) -> dict[str, Any]:
        """What rendering adds to a template's context for it."""
        return {self.kind: self.obj}


_sources: dict[str, TopicSource] = {}


def register_topic_source(source: TopicSource) -> None:
    """Make the kind known, and its tokens part of the template language."""
    _sources[source.kind] = source
    rendering.register_tokens(
        source.kind,
        {path: (description, example, read) for path, (description, example, read) in source.tokens.items()},
        missing=f"this message is not about a {source.noun}",
    )


def unregister_topic_source(kind: str) -> None:
    _sources.pop(kind, None)
    rendering.unregister_tokens(kind)


def topic_get(org: Organization, key: object) -> Topic | None:
    """The organisation's topic named by `key` ("job:42", from a form or the session), or None."""
    if not isinstance(key, str) or ":" not in key:
        return None
    kind, _, raw = key.partition(":")
    source = _sources.get(kind)
    try:
        pk = int(raw)
    except ValueError:
        return None
    if source is None or pk <= 0:
        return None
    obj = source.load(org, pk)
    return Topic(kind=kind, pk=pk, obj=obj, label=source.label(obj)) if obj is not None else None


def topic_outreach_started(org: Organization, key: str, thread_ids: list[int]) -> None:
    """Tell the topic's owner that these new conversations were started about it (inside the caller's transaction)."""
    kind, _, raw = key.partition(":")
    source = _sources.get(kind)
    if source and source.outreach_started and thread_ids and raw.isdigit():
        source.outreach_started(org, int(raw), thread_ids)
