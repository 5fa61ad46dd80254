"""Headline figures on the recruiter home, contributed by each app.

`talentcircles` sits at the bottom of the import order and cannot import the apps
that own candidates or circles, so those apps register their figures here from
their `AppConfig.ready()`.

A figure's count returns a QuerySet (or an int): a QuerySet is counted only up to
FIGURE_COUNT_CAP + 1 rows, so the home page costs the same at 100 candidates and at a million
and says "10,000+" beyond the cap (an exact COUNT over a million rows took 48 of the page's 72 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from talentcircles.models import Membership, Organization

FIGURE_COUNT_CAP = 10_000


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: Callable[[Organization], QuerySet | int]
    order: int = 100
    url_name: str | None = None


_FIGURES: dict[str, Figure] = {}


def register_figure(figure: Figure) -> None:
    _FIGURES[figure.key] = figure


def registered_figures() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: (f.order, f.key))


def capped_count(rows: QuerySet | int, cap: int) -> int:
    """How many rows, counted up to `cap` + 1 (more than `cap` means "cap+")."""
    if isinstance(rows, int):
        return rows
    return rows.order_by()[: cap + 1].count()


def organization_figures(org: Organization) -> dict[str, int]:
    """Each figure's count, counted up to FIGURE_COUNT_CAP + 1 (more than the cap means "cap+")."""
    return {figure.key: capped_count(figure.count(org), FIGURE_COUNT_CAP) for figure in registered_figures()}


def home_figures(org: Organization) -> list[dict]:
    """What the home page shows of each figure: its value (at most the cap) and whether there are more."""
    counts = organization_figures(org)
    return [
        {
            "key": figure.key,
            "label": figure.label,
            "value": min(counts[figure.key], FIGURE_COUNT_CAP),
            "capped": counts[figure.key] > FIGURE_COUNT_CAP,
            "url_name": figure.url_name,
        }
        for figure in registered_figures()
    ]


register_figure(
    Figure(
        key="members",
        label="Members",
        count=lambda org: Membership.objects.for_org(org),
        order=90,
        url_name="org_settings",
    )
)
