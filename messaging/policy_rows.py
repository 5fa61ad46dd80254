"""The facts `messaging.policy.contact_decisions` decides from: one row per candidate, in one query.

Each row holds the candidate's id, stage, first hard block (`message_block`), latest answer
(`last_answer_id`, when conversations count) and latest contact within the cooldown
(`last_contact_id`, when it applies).

Built by the ORM, that query cost some 3.5 ms of Python a call (seven block rules, four subqueries)
against 0.4 ms for PostgreSQL to run it for a page of 25, and the candidate API asks it for every
page it lists. So on PostgreSQL, for a list of ids, the statement is compiled once per shape (with
or without conversations, with or without the cooldown) from stand-in values no real call has, and
each call swaps its own organisation, ids and times in for them. The ORM builds it as before for a
queryset of candidates and on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.db.models import BooleanField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from candidates.models import Candidate, CandidateQuerySet
from messaging.models import Message
from talentcircles.models import Organization

# Values no call has: an organisation and a candidate id below zero, times in 1901.
_ORG = -7_310_001
_SINCE = datetime(1901, 1, 2, tzinfo=UTC)
_NOW = datetime(1901, 1, 3, tzinfo=UTC)
_IDS: list[int] = [-7_310_002]  # found among the parameters by identity


def in_org(org: Organization, candidates: QuerySet | Iterable) -> tuple[CandidateQuerySet, list[int] | None]:
    """The organisation's candidates among `candidates`, and the asked ids (None for a queryset)."""
    scoped = Candidate.objects.filter(organization=org)
    if isinstance(candidates, QuerySet):
        return scoped.filter(pk__in=candidates.values("pk")), None
    ids = _ids(candidates)
    return scoped.filter(pk__in=ids), ids


def _ids(candidates: Iterable) -> list[int]:
    """Ids or candidates as ids, each once, in the order asked."""
    return list(dict.fromkeys(int(getattr(c, "pk", c)) for c in candidates))


def _latest(org_id: int, **filters) -> Subquery:
    rows = Message.objects.filter(organization_id=org_id, candidate=OuterRef("pk"), **filters)
    return Subquery(rows.order_by("-created_at", "-id").values("pk")[:1])


def _rows(org_id: int, scoped: CandidateQuerySet, conversations: bool, since: datetime | None, now: datetime):
    rows = scoped.with_message_block()
    if conversations:
        rows = rows.annotate(last_answer_id=_latest(org_id, direction=Message.Direction.IN, is_auto_reply=False))
    if since is not None:
        recent = _latest(org_id, direction=Message.Direction.OUT, created_at__gte=since, created_at__lte=now)
        rows = rows.annotate(last_contact_id=recent)
    return rows.values("pk", "stage", *rows.query.annotation_select)  # in the model's order, as callers list them


def decision_rows(
    org: Organization, candidates: QuerySet | Iterable, *, conversations: bool, since: datetime | None, now: datetime
) -> tuple[list[dict], list[int] | None]:
    """The rows of `org`'s candidates among `candidates`, and the asked ids (None for a queryset).

    `conversations`: with each one's latest answer; `since`: with their latest contact since then
    (up to `now`), or None for no cooldown.
    """
    if isinstance(candidates, QuerySet) or connection.vendor != "postgresql":
        scoped, asked = in_org(org, candidates)
        return list(_rows(org.pk, scoped, conversations, since, now)), asked
    asked = _ids(candidates)  # the compiled statement: no queryset to build
    if not asked:
        return [], asked
    sql, params, names = _compiled(conversations, since is not None)
    values = {_ORG: org.pk, _SINCE: since, _NOW: now}
    filled = [asked if param is _IDS else values.get(param, param) for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, filled)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()], asked


@cache
def _compiled(conversations: bool, cooldown: bool) -> tuple[str, tuple, list[str]]:
    """The statement for a list of ids, from stand-ins; its parameters; its columns' names."""
    # One array parameter for the ids, so the statement is the same however many are asked.
    asked = RawSQL('"candidates_candidate"."id" = ANY(%s::bigint[])', [_IDS], output_field=BooleanField())
    scoped = Candidate.objects.filter(organization_id=_ORG).alias(asked=asked).filter(asked=True)
    rows = _rows(_ORG, scoped, conversations, _SINCE if cooldown else None, _NOW)
    sql, params = rows.query.sql_with_params()
    names = [*rows.query.values_select, *rows.query.annotation_select]
    # The ids, the organisation in the candidates' filter and in each latest-message subquery, the two times.
    expected = 2 + conversations + cooldown + 2 * cooldown
    found = sum(1 for p in params if p is _IDS or (not isinstance(p, bool) and p in (_ORG, _SINCE, _NOW)))
    if found != expected:
        raise RuntimeError(f"The contact policy's statement holds {found} stand-in values, not {expected}.")
    return sql, params, names
