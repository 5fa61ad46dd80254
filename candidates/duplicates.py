"""Likely duplicate candidates in an organisation: the pairs for the duplicates page, and one's twins.

A pair is likely the same person when:
- the names are very similar (trigram similarity ≥ 0.6 on `search_name`) at the same current
  company (case-insensitive, non-empty);
- the phone numbers are the same (both stored as E.164);
- the names are the same and so is the city; or
- the names are the same and so is the part of the e-mail address before the @
  (jane.doe@gmail.com and jane.doe@initech.com).

Same e-mail or same LinkedIn URL cannot occur inside an organisation: both are normalised by
the services and unique per organisation, and imports match on them instead of creating twins.

Every pair query is a self-join inside one organisation on a blocking key (company, phone or
name), so it compares rows that share that key, never all pairs. `similarity()` is pg_trgm's on
PostgreSQL and the one candidates.sqlite_functions registers on SQLite.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from candidates.models import Candidate
from talentcircles.models import Organization

SIMILAR_NAME = 0.6

REASONS: dict[str, str] = {
    "name_company": "Similar name at the same company",
    "phone": "Same phone number",
    "name_city": "Same name in the same city",
    "name_email": "Same name and e-mail name",
}


def _email_local_part(alias: str) -> str:
    if connection.vendor == "postgresql":
        return f"split_part({alias}.email, '@', 1)"
    return f"substr({alias}.email, 1, instr({alias}.email, '@') - 1)"


def _pairs_query(org: Organization) -> tuple[str, list]:
    """SQL yielding (a_id, b_id, reason) with a_id < b_id, one row per signal a pair shows, and its params."""
    signals = [
        (
            "name_company",
            "lower(b.current_company) = lower(a.current_company)",
            "a.current_company <> '' AND b.current_company <> '' AND a.search_name <> '' AND b.search_name <> ''"
            " AND similarity(a.search_name, b.search_name) >= %s",
            [SIMILAR_NAME],
        ),
        ("phone", "b.phone = a.phone", "a.phone <> '' AND b.phone <> ''", []),
        (
            "name_city",
            "b.search_name = a.search_name AND lower(b.city) = lower(a.city)",
            "a.search_name <> '' AND a.city <> '' AND b.city <> ''",
            [],
        ),
        (
            "name_email",
            f"b.search_name = a.search_name AND {_email_local_part('b')} = {_email_local_part('a')}",
            "a.search_name <> '' AND a.email <> '' AND b.email <> ''",
            [],
        ),
    ]
    selects, params = [], []
    for reason, on, where, extra_params in signals:
        # Both sides filtered by organisation and a non-empty key (which also keeps PostgreSQL's
        # row estimates sane), joined on the blocking key: only rows sharing it are compared.
        selects.append(
            f"SELECT a.id AS a_id, b.id AS b_id, '{reason}' AS reason"  # noqa: S608 (constants only)
            " FROM candidates_candidate a JOIN candidates_candidate b"
            f" ON b.organization_id = %s AND b.id > a.id AND {on}"
            f" WHERE a.organization_id = %s AND {where}"
        )
        params += [org.pk, org.pk, *extra_params]
    return " UNION ALL ".join(selects), params


@dataclass(frozen=True)
class DuplicatePair:
    first: Candidate  # the older record: kept by default when merging
    second: Candidate
    reasons: tuple[str, ...]  # keys of REASONS

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[reason] for reason in self.reasons]


@dataclass(frozen=True)
class DuplicatePage:
    pairs: list[DuplicatePair]
    total: int  # pairs in the whole organisation, not just on this page


def likely_duplicate_pair_count(*, org: Organization) -> int:
    pairs, params = _pairs_query(org)
    sql = f"SELECT COUNT(*) FROM (SELECT a_id, b_id FROM ({pairs}) pairs GROUP BY a_id, b_id) grouped"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def likely_duplicate_pairs(*, org: Organization, offset: int = 0, limit: int = 25) -> DuplicatePage:
    """A page of the organisation's likely duplicate pairs, strongest (most signals) and newest first.

    Two queries: the page of pairs with the total alongside (the pair query is the expensive
    part, so it runs once), then both candidates of every pair on the page. Only a page past
    the end costs a third, to count.
    """
    flags = ", ".join(f"MAX(CASE WHEN reason = '{reason}' THEN 1 ELSE 0 END)" for reason in REASONS)
    pairs, params = _pairs_query(org)
    sql = (
        f"SELECT a_id, b_id, COUNT(*) OVER (), {flags} FROM ({pairs}) pairs GROUP BY a_id, b_id"  # noqa: S608
        " ORDER BY COUNT(*) DESC, b_id DESC, a_id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    if not rows:
        return DuplicatePage(pairs=[], total=likely_duplicate_pair_count(org=org) if offset else 0)
    ids = {pk for row in rows for pk in row[:2]}
    candidates = Candidate.objects.for_org(org).select_related("owner").in_bulk(ids)
    found = [
        DuplicatePair(
            first=candidates[a_id],
            second=candidates[b_id],
            reasons=tuple(reason for reason, flag in zip(REASONS, signals, strict=True) if flag),
        )
        for a_id, b_id, _total, *signals in rows
        if a_id in candidates and b_id in candidates  # one may have been merged meanwhile
    ]
    return DuplicatePage(pairs=found, total=rows[0][2])


def _similar_name(name: str) -> RawSQL:
    # On PostgreSQL `%` (pg_trgm's threshold, 0.3 by default) lets the trigram GIN index find
    # the few similar names; the exact similarity is checked afterwards.
    if connection.vendor == "postgresql":
        return RawSQL("search_name %% %s", [name], output_field=BooleanField())
    return RawSQL("similarity(search_name, %s) >= 0.3", [name], output_field=BooleanField())


def likely_duplicates_of(candidate: Candidate, *, limit: int = 5) -> list[Candidate]:
    """Other candidates of the same organisation that are likely the same person (for the banner).

    Two queries: one on the name (via the trigram index on PostgreSQL), one on the phone.
    """
    # for_org() takes the id as well, which spares loading the organisation.
    in_org = Candidate.objects.for_org(candidate.organization_id)
    others = in_org.exclude(pk=candidate.pk)
    found: dict[int, Candidate] = {}
    # An instance fresh from a service does not carry the search_name the database computed.
    name = candidate.search_name or in_org.filter(pk=candidate.pk).values_list("search_name", flat=True).first() or ""
    same_name = Q(search_name=name)
    signals = []
    if name and candidate.current_company:
        signals.append(Q(current_company__iexact=candidate.current_company, name_similarity__gte=SIMILAR_NAME))
    if name and candidate.city:
        signals.append(same_name & Q(city__iexact=candidate.city))
    local_part = candidate.email.partition("@")[0]
    if name and local_part:
        signals.append(same_name & Q(email__istartswith=f"{local_part}@"))
    if signals:
        named = (
            others.alias(
                name_prefilter=_similar_name(name),
                name_similarity=RawSQL("similarity(search_name, %s)", [name], output_field=FloatField()),
            )
            .filter(Q(name_prefilter=True) | same_name)
            .filter(reduce(operator.or_, signals))
            # Not by pk: "ORDER BY id LIMIT" tempts PostgreSQL to walk the primary key instead of
            # using the trigram index; the most similar names are the likeliest twins anyway.
            .order_by("-name_similarity", "pk")[:limit]
        )
        found.update((c.pk, c) for c in named)
    if candidate.phone:
        found.update((c.pk, c) for c in others.filter(phone=candidate.phone).order_by("pk")[:limit])
    return [found[pk] for pk in sorted(found)][:limit]
