"""Headline figures on the recruiter home, contributed by each app.

`talentcircles` sits at the bottom of the import order and cannot import the apps
that own candidates or circles, so those apps register their figures here from
their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from talentcircles.models import Membership, Organization


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: Callable[[Organization], int]
    order: int = 100
    url_name: str | None = None


_FIGURES: dict[str, Figure] = {}


def register_figure(figure: Figure) -> None:
    _FIGURES[figure.key] = figure


def registered_figures() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: (f.order, f.key))


def organization_figures(org: Organization) -> dict[str, int]:
    return {figure.key: figure.count(org) for figure in registered_figures()}


register_figure(
    Figure(
        key="members",
        label="Members",
        count=lambda org: Membership.objects.for_org(org).count(),
        order=90,
        url_name="org_settings",
    )
)
