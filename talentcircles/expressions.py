"""Query expressions shared by the apps."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import SHA256


def before(column: str, moment: datetime) -> Q:
    """Rows whose `column` is empty or earlier than `moment`: the ones a newer event moves forward."""
    return Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__lt": moment})


def moved_forward(column: str, moment: datetime) -> Case:
    """An UPDATE value: `column` moved forward to `moment`, never back (late, older events leave it alone)."""
    return Case(When(before(column, moment), then=Value(moment)), default=F(column))


class Sha256Hex(SHA256):
    """SHA-256 of a text in hex, as `hashlib.sha256(text.encode()).hexdigest()` writes it.

    Django's SHA256 needs the pgcrypto extension on PostgreSQL; this uses the built-in sha256()
    (PostgreSQL 11+) there and Django's own function on SQLite.
    """

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
        return self.as_sql(compiler, connection, template=template, **extra_context)
