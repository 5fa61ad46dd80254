"""Groups of candidates that a higher app defines and lower apps filter and message by.

A talent circle belongs to `engagement`, yet the candidate list (`candidates`), bulk messages
(`messaging`) and the pipeline (`engagement`'s timeline, below its circles) all offer "the members
of circle X". They may not import the circles, so the circles register an `AudienceSource` here
from `AppConfig.ready()` and everyone else asks these functions. With no source registered a
kind has no choices, no names and no members.

Messaging also starts conversations *for* a group (a bulk send to a circle fills `{{ circle.name }}`).
The group's owner keeps that link: messaging reports the threads it started for a group with
`audience_outreach_started` inside its transaction, and asks `audience_of_thread` when it renders
a reply in such a conversation again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from talentcircles.models import Organization

CIRCLE = "circle"


@dataclass(frozen=True)
class AudienceSource:
    kind: str
    # The organisation's groups of this kind, as (id, name), for filter menus and pickers.
    choices: Callable[[Organization], list[tuple[int, str]]]
    # The group's name, or None when it is not one of the organisation's.
    name: Callable[[Organization, int], str | None]
    # The ids of the group's candidates: a subquery to filter candidates with (`pk__in=`).
    member_ids: Callable[[Organization, int], QuerySet]
    # Messaging started these conversations (thread ids) for the group; called inside its transaction.
    outreach_started: Callable[[Organization, int, list[int]], None] | None = None
    # The group a conversation was started for, as (id, name), or None.
    outreach_audience: Callable[[Organization, int], tuple[int, str] | None] | None = None


@dataclass(frozen=True)
class NamedAudience:
    """One group as lower apps see it: enough to fill `{{ circle.name }}` and to name it again later."""

    kind: str
    pk: int
    name: str


_sources: dict[str, AudienceSource] = {}


def register_audience_source(source: AudienceSource) -> None:
    _sources[source.kind] = source


def unregister_audience_source(kind: str) -> None:
    _sources.pop(kind, None)


def _pk(value: object) -> int | None:
    try:
        pk = int(value)  # type: ignore[call-overload]  # ids arrive as form and query strings
    except (TypeError, ValueError):
        return None
    return pk if pk > 0 else None


def audience_choices(org: Organization, kind: str = CIRCLE) -> list[tuple[int, str]]:
    source = _sources.get(kind)
    return source.choices(org) if source else []


def audience_name(org: Organization, pk: object, kind: str = CIRCLE) -> str | None:
    """The name of the organisation's group with this id (a string from a form is fine), or None."""
    source, key = _sources.get(kind), _pk(pk)
    return source.name(org, key) if source and key else None


def audience_get(org: Organization, pk: object, kind: str = CIRCLE) -> NamedAudience | None:
    """The organisation's group with this id (a string from a form is fine) with its name, or None."""
    key = _pk(pk)
    name = audience_name(org, key, kind) if key else None
    return NamedAudience(kind=kind, pk=key, name=name) if key and name is not None else None


def audience_member_ids(org: Organization, pk: object, kind: str = CIRCLE) -> QuerySet | Iterable[int]:
    """The ids of the candidates in the organisation's group `pk`; none for another organisation's."""
    source, key = _sources.get(kind), _pk(pk)
    return source.member_ids(org, key) if source and key else []


def audience_outreach_started(org: Organization, pk: int, thread_ids: list[int], kind: str = CIRCLE) -> None:
    """Tell the group's owner that these conversations were started for the group `pk`."""
    source = _sources.get(kind)
    if source and source.outreach_started and thread_ids:
        source.outreach_started(org, pk, thread_ids)


def audience_of_thread(org: Organization, thread_id: int, kind: str = CIRCLE) -> NamedAudience | None:
    """The group of this kind the conversation was started for, or None."""
    source = _sources.get(kind)
    found = source.outreach_audience(org, thread_id) if source and source.outreach_audience else None
    return NamedAudience(kind=kind, pk=found[0], name=found[1]) if found else None
