"""Query expressions shared by the apps."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, Q, Value, When


def before(column: str, moment: datetime) -> Q:
    """Rows whose `column` is empty or earlier than `moment`: the ones a newer event moves forward."""
    return Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": moment})


def moved_forward(column: str, moment: datetime) -> Case:
    """An UPDATE value: `column` moved forward to `moment`, never back (late, older events leave it alone)."""
    return Case(When(before(column, moment), then=Value(moment)), default=F(column))
