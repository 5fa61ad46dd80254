"""Which candidates of an organisation are likely the same person, and why.

A pair is likely the same person when:
- the names are very similar (trigram similarity ≥ 0.6 on `search_name`) at the same current
  company (case-insensitive, non-empty);
- the phone numbers are the same (both stored as E.164);
- the names are the same and so is the city; or
- the names are the same and so is the part of the e-mail address before the @
  (jane.doe@gmail.com and jane.doe@initech.com).

Same e-mail or same LinkedIn URL cannot occur inside an organisation: both are normalised by
the services and unique per organisation, and imports match on them instead of creating twins.
Erased candidates match nothing.

Two ways to find pairs, used by `duplicates.services`:
- `twins_of(candidate)`: one candidate's pairs, through the indexes (the trigram index on the
  name, with pg_trgm's threshold raised to 0.6 for the transaction, and the phone index). At a
  million candidates the default threshold of 0.3 read ~49,000 rows of a common name to keep 4.
- `organisation_pairs(org)`: every pair at once, as self-joins on a blocking key (company,
  phone or name), so only rows sharing that key are compared, never all pairs.

`similarity()` is pg_trgm's on PostgreSQL and the one candidates.sqlite_functions registers on
SQLite (where there is no trigram index: the slower, correct path reads the organisation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from candidates.duplicates.models import REASONS
from candidates.models import Candidate
from talentcircles.models import Organization

SIMILAR_NAME = 0.6
# A candidate's pairs found at most (per signal query): a phone shared by thousands of records
# (a switchboard) must not write millions of pairs. The strongest name matches come first.
MAX_TWINS = 100
# The fields a pair depends on: an edit that changes none of them leaves the pairs as they are.
MATCHING_FIELDS = frozenset({"first_name", "last_name", "email", "phone", "current_company", "city"})


@contextmanager
def similar_names_only() -> Iterator[None]:
    """Inside it, `%` (and so the trigram index) keeps only names ≥ SIMILAR_NAME; no-op on SQLite.

    Use inside `transaction.atomic`: the setting is transaction-local (SET LOCAL), and the value
    before is put back on the way out, so a search later in the same transaction (a test's, or
    a caller's) still uses its own threshold.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold', true)")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(SIMILAR_NAME)])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if before is None:  # pg_trgm not loaded in this session before: back to its default
                cursor.execute("SET LOCAL pg_trgm.similarity_threshold TO DEFAULT")
            else:
                cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [before])


def _similar_name(name: str) -> RawSQL:
    if connection.vendor == "postgresql":  # the GIN trigram index answers `%` at the raised threshold
        return RawSQL("search_name %% %s", [name], output_field=BooleanField())
    return RawSQL("similarity(search_name, %s) >= %s", [name, SIMILAR_NAME], output_field=BooleanField())


def _local_part(email: str) -> str:
    return email.partition("@")[0]


def _name_reasons(candidate: Candidate, other: dict) -> list[str]:
    reasons = []
    company = candidate.current_company.lower()
    if company and other["current_company"].lower() == company and other["name_similarity"] >= SIMILAR_NAME:
        reasons.append("name_company")
    if other["search_name"] == candidate.search_name:
        if candidate.city and other["city"].lower() == candidate.city.lower():
            reasons.append("name_city")
        local = _local_part(candidate.email)
        if local and _local_part(other["email"]) == local:
            reasons.append("name_email")
    return reasons


def _named_twins(candidate: Candidate, others) -> dict[int, list[str]]:
    name = candidate.search_name
    signals = []
    if candidate.current_company:
        signals.append(Q(current_company__iexact=candidate.current_company))
    if candidate.city:
        signals.append(Q(search_name=name, city__iexact=candidate.city))
    if local := _local_part(candidate.email):
        signals.append(Q(search_name=name, email__startswith=f"{local}@"))
    if not name.strip() or not signals:
        return {}
    query = Q()
    for signal in signals:
        query |= signal
    rows = (
        others.alias(similar=_similar_name(name))
        .filter(query, similar=True)
        .annotate(name_similarity=RawSQL("similarity(search_name, %s)", [name], output_field=FloatField()))
        # Not by pk: "ORDER BY id LIMIT" tempts PostgreSQL to walk the primary key instead of
        # using the trigram index; the most similar names are the likeliest twins anyway.
        .order_by("-name_similarity", "pk")
        .values("pk", "search_name", "current_company", "city", "email", "name_similarity")[:MAX_TWINS]
    )
    found = {}
    for other in rows:
        if reasons := _name_reasons(candidate, other):
            found[other["pk"]] = reasons
    return found


def twins_of(candidate: Candidate) -> dict[int, list[str]]:
    """The other candidates of its organisation likely the same person: id → reasons (REASONS order).

    `candidate` must carry `search_name` as stored (load it from the database); two queries.
    On PostgreSQL call it inside `similar_names_only()`, else the index reads far more rows.
    """
    if candidate.erased_at is not None:
        return {}
    others = Candidate.objects.for_org(candidate.organization_id).filter(erased_at=None).exclude(pk=candidate.pk)
    found = _named_twins(candidate, others)
    if candidate.phone:
        for pk in others.filter(phone=candidate.phone).order_by("pk").values_list("pk", flat=True)[:MAX_TWINS]:
            found.setdefault(pk, []).append("phone")
    return {pk: sorted(reasons, key=list(REASONS).index) for pk, reasons in found.items()}


def _email_local_part(alias: str) -> str:
    if connection.vendor == "postgresql":
        return f"split_part({alias}.email, '@', 1)"
    return f"substr({alias}.email, 1, instr({alias}.email, '@') - 1)"


# PostgreSQL's rebuild (candidates.duplicates.rebuild) finds similar names among the organisation's
# distinct names first (a temporary table with its own trigram index), then joins the candidates
# on them: blocking on the company alone compared every two people of a big employer (84,000
# at a million seeded candidates: 3.5 billion comparisons).
SIMILAR_NAMES_TABLE = "duplicates_similar_names"
_NAME_COMPANY_BY_NAMES = (
    "SELECT a.id AS a_id, b.id AS b_id, 'name_company' AS reason"  # noqa: S608 (constants only)
    f" FROM {SIMILAR_NAMES_TABLE} s"
    " JOIN candidates_candidate a ON a.organization_id = %s AND a.search_name = s.name1"
    " AND a.current_company <> '' AND a.erased_at IS NULL"
    " JOIN candidates_candidate b ON b.organization_id = %s AND b.search_name = s.name2 AND b.id > a.id"
    " AND lower(b.current_company) = lower(a.current_company) AND b.erased_at IS NULL"
)


def _pairs_query(org: Organization, *, by_similar_names: bool = False) -> tuple[str, list]:
    """SQL yielding (a_id, b_id, reason) with a_id < b_id, one row per signal a pair shows, and its params.

    `by_similar_names`: the name-and-company signal from SIMILAR_NAMES_TABLE (PostgreSQL's rebuild).
    """
    signals: list[tuple[str, str, str, list[float]]] = [
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
    selects: list[str] = []
    params: list[float] = []
    for reason, on, where, extra_params in signals:
        if reason == "name_company" and by_similar_names:
            selects.append(_NAME_COMPANY_BY_NAMES)
            params += [org.pk, org.pk]
            continue
        # Both sides filtered by organisation and a non-empty key (which also keeps PostgreSQL's
        # row estimates sane), joined on the blocking key: only rows sharing it are compared.
        selects.append(
            f"SELECT a.id AS a_id, b.id AS b_id, '{reason}' AS reason"  # noqa: S608 (constants only)
            " FROM candidates_candidate a JOIN candidates_candidate b"
            f" ON b.organization_id = %s AND b.id > a.id AND b.erased_at IS NULL AND {on}"
            f" WHERE a.organization_id = %s AND a.erased_at IS NULL AND {where}"
        )
        params += [org.pk, org.pk, *extra_params]
    return " UNION ALL ".join(selects), params


def organisation_pairs(org: Organization) -> dict[tuple[int, int], list[str]]:
    """Every likely pair of the organisation: (a_id, b_id) with a_id < b_id → reasons (REASONS order)."""
    pairs, params = _pairs_query(org)
    found: dict[tuple[int, int], list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(pairs, params)
        for a_id, b_id, reason in cursor.fetchall():
            found.setdefault((a_id, b_id), []).append(reason)
    return {pair: sorted(reasons, key=list(REASONS).index) for pair, reasons in found.items()}
