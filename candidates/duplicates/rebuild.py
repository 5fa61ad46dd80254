"""Rebuilding an organisation's pairs on PostgreSQL, in SQL: millions of pairs never pass through Python.

At a million seeded candidates the organisation has 4.5 million likely pairs (the seeded names
repeat at the same employers); building them as objects would take gigabytes. Instead, in the
caller's transaction:

1. the organisation's distinct names go into a temporary table with a trigram index, and the
   pairs of similar names (≥ SIMILAR_NAME) are found there: a few thousand names, not a million;
2. the pairs of every signal are grouped per pair (dismissed pairs left out) into a temporary table;
3. stored pairs no longer found are deleted, and new or changed ones upserted (unchanged rows are
   not rewritten, so a nightly rebuild that finds nothing new writes almost nothing).
"""

from __future__ import annotations

from django.db import connection

from candidates.duplicates import matching
from candidates.duplicates.models import REASONS
from talentcircles.models import Organization

_FOUND = "duplicates_found"
_NAMES = "duplicates_names"


def _similar_names(cursor, org: Organization) -> None:
    cursor.execute(
        f"CREATE TEMP TABLE {_NAMES} ON COMMIT DROP AS SELECT DISTINCT search_name AS name"  # noqa: S608
        " FROM candidates_candidate WHERE organization_id = %s AND erased_at IS NULL"
        " AND current_company <> '' AND search_name <> ''",
        [org.pk],
    )
    cursor.execute(f"CREATE INDEX ON {_NAMES} USING gin (name gin_trgm_ops)")
    cursor.execute(f"ANALYZE {_NAMES}")
    with matching.similar_names_only():  # `%` at the signal's threshold, answered by that index
        cursor.execute(
            f"CREATE TEMP TABLE {matching.SIMILAR_NAMES_TABLE} ON COMMIT DROP AS"  # noqa: S608
            f" SELECT n1.name AS name1, n2.name AS name2 FROM {_NAMES} n1 JOIN {_NAMES} n2"
            " ON n2.name %% n1.name WHERE similarity(n1.name, n2.name) >= %s",
            [matching.SIMILAR_NAME],
        )
    cursor.execute(f"ANALYZE {matching.SIMILAR_NAMES_TABLE}")


def _drop(cursor) -> None:
    # ON COMMIT DROP ends them with the transaction; a second rebuild in the same one needs them gone now.
    cursor.execute(f"DROP TABLE IF EXISTS {_NAMES}, {matching.SIMILAR_NAMES_TABLE}, {_FOUND}")


def rebuild_postgresql(org: Organization) -> int:
    """Make the organisation's stored pairs exactly those found now; returns their count. Call in a transaction."""
    pairs, params = matching._pairs_query(org, by_similar_names=True)
    with connection.cursor() as cursor:
        _drop(cursor)
        _similar_names(cursor, org)
        cursor.execute(
            f"CREATE TEMP TABLE {_FOUND} ON COMMIT DROP AS"  # noqa: S608 (constants only)
            " SELECT a_id, b_id, count(*) AS score,"
            " to_jsonb(array_agg(reason ORDER BY array_position(%s::text[], reason))) AS reasons"
            f" FROM ({pairs}) found"
            " WHERE NOT EXISTS (SELECT 1 FROM candidates_duplicatedismissal d"
            "   WHERE d.candidate_a_id = found.a_id AND d.candidate_b_id = found.b_id)"
            " GROUP BY a_id, b_id",
            [list(REASONS), *params],
        )
        cursor.execute(f"CREATE UNIQUE INDEX ON {_FOUND} (a_id, b_id)")
        cursor.execute(f"ANALYZE {_FOUND}")
        cursor.execute(
            "DELETE FROM candidates_duplicatepair p WHERE p.organization_id = %s"  # noqa: S608
            f" AND NOT EXISTS (SELECT 1 FROM {_FOUND} f WHERE f.a_id = p.candidate_a_id AND f.b_id = p.candidate_b_id)",
            [org.pk],
        )
        cursor.execute(
            "INSERT INTO candidates_duplicatepair (organization_id, candidate_a_id, candidate_b_id, score, reasons,"  # noqa: S608
            f" computed_at) SELECT %s, a_id, b_id, score, reasons, now() FROM {_FOUND} ORDER BY a_id, b_id"
            " ON CONFLICT (candidate_a_id, candidate_b_id) DO UPDATE"
            " SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, computed_at = EXCLUDED.computed_at"
            " WHERE candidates_duplicatepair.reasons IS DISTINCT FROM EXCLUDED.reasons",
            [org.pk],
        )
        cursor.execute(f"SELECT count(*) FROM {_FOUND}")  # noqa: S608 (constants only)
        count = cursor.fetchone()[0]
        _drop(cursor)
    return count
