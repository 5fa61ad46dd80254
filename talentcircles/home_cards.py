"""Cards on the recruiter home that belong to the signed-in member, contributed by each app.

`talentcircles.figures` holds the organisation's headline counts; a card is personal (a
recruiter's own response rate, a warning about their sends), so its render function gets the
request, the organisation and the member's `Membership`. `talentcircles` sits at the bottom of
the import order and cannot import the apps that know these things, so those apps register
their cards here from their `AppConfig.ready()`.

A render function returns the card's template context, or None when the card has nothing to
say to this member (it is then left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from talentcircles.models import Membership, Organization

CardRender = Callable[[HttpRequest, Organization, Membership], "dict[str, Any] | None"]


@dataclass(frozen=True)
class HomeCard:
    key: str
    render: CardRender
    template_name: str
    order: int = 100


@dataclass(frozen=True)
class RenderedCard:
    key: str
    template_name: str
    context: dict[str, Any]


_CARDS: dict[str, HomeCard] = {}


def register_home_card(key: str, render: CardRender, template_name: str, *, order: int = 100) -> None:
    """Add (or replace, so a second `ready()` is harmless) the card named `key`."""
    _CARDS[key] = HomeCard(key=key, render=render, template_name=template_name, order=order)


def unregister_home_card(key: str) -> None:
    _CARDS.pop(key, None)


def home_cards(request: HttpRequest, org: Organization, membership: Membership) -> list[RenderedCard]:
    """The cards this member sees on the home page, in order; cards with nothing to say are left out."""
    rendered = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        context = card.render(request, org, membership)
        if context is not None:
            rendered.append(RenderedCard(key=card.key, template_name=card.template_name, context=context))
    return rendered
