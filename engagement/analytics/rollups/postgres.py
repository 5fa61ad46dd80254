"""The response-rate rebuild on PostgreSQL: stage, then write only what differs (issue 8).

`rollups_rebuild` in `engagement/rollups.py` calls this on PostgreSQL. The outreach rows are
computed from the messages into a temporary table with the same query as the generic rebuild,
then merged into `engagement_responseoutreach`: rows whose facts changed are updated, missing
ones inserted, stale ones deleted. Unchanged rows, nearly all of them on a nightly run, are not
written at all, so their index entries and foreign-key checks cost nothing. The roll-ups are then
summed in one pass per query with GROUPING SETS (every dimension at once) and merged the same way.
The result is exactly the generic rebuild's (tests/engagement/test_analytics_rollups.py runs on both).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

from django.db import connection, transaction

from engagement.analytics.models import Dimension, ResponseStat
from engagement.analytics.rollups.sql import OUTREACH_SELECT, UNSUBSCRIBED_RANKED_SQL, sql_parts
from engagement.analytics.rollups.store import COUNT_COLUMNS as _COUNT_COLUMNS
from engagement.analytics.rollups.store import StatKey, empty_stat, merge_stat_rows, stat_key

STAGE_TABLE = "rebuild_outreach"
ANALYZE_AFTER_ROWS = 100_000
# Facts the merge compares; `unsubscribed` is settled afterwards over the merged rows (it ranks outreach ids).
_FACTS = (
    "candidate_id", "first_sent_at", "day", "recruiter_id", "template_id", "sequence_id", "circle_id", "source",
    "industry", "steps_sent", "answered_at", "answer_bucket_hours", "answer_step_id", "bounced", "interested",
    "not_interested",
)  # fmt: skip
_STAGE_COLUMNS = ("organization_id", "thread_id", *_FACTS, "unsubscribed")

_MERGE_DELETE = f"""
DELETE FROM engagement_responseoutreach o
WHERE o.organization_id = %(org)s AND o.day >= %(since_day)s
  AND NOT EXISTS (SELECT 1 FROM {STAGE_TABLE} r WHERE r.thread_id = o.thread_id)
"""  # noqa: S608 (table and column names are this module's constants)
_MERGE_UPDATE = f"""
UPDATE engagement_responseoutreach o SET {", ".join(f"{c} = r.{c}" for c in _FACTS)}
FROM {STAGE_TABLE} r
WHERE o.thread_id = r.thread_id AND o.organization_id = %(org)s AND o.day >= %(since_day)s
  AND ({", ".join(f"o.{c}" for c in _FACTS)}) IS DISTINCT FROM ({", ".join(f"r.{c}" for c in _FACTS)})
"""  # noqa: S608 (table and column names are this module's constants)
_MERGE_INSERT = f"""
INSERT INTO engagement_responseoutreach ({", ".join(_STAGE_COLUMNS)})
SELECT {", ".join(f"r.{c}" for c in _STAGE_COLUMNS)} FROM {STAGE_TABLE} r
WHERE NOT EXISTS (SELECT 1 FROM engagement_responseoutreach o WHERE o.thread_id = r.thread_id)
ORDER BY r.thread_id
"""  # noqa: S608 (table and column names are this module's constants)
# Flip only the rows whose flag differs from "the candidate's latest outreach before they unsubscribed".
_UNSUBSCRIBED_MERGE = f"""
UPDATE engagement_responseoutreach o SET unsubscribed = NOT o.unsubscribed
WHERE o.organization_id = %(org)s AND o.day >= %(since_day)s
  AND o.unsubscribed <> (o.id IN ({UNSUBSCRIBED_RANKED_SQL}))
"""  # noqa: S608 (table and column names are this module's constants)

# Every dimension's key column; each is grouped alone (everyone) and with the recruiter (their own rows).
_KEY_COLUMNS = {
    Dimension.TEMPLATE: "template_id",
    Dimension.SEQUENCE: "sequence_id",
    Dimension.CIRCLE: "circle_id",
    Dimension.SOURCE: "source",
    Dimension.INDUSTRY: "industry",
}
_GROUPED = ("recruiter_id", *_KEY_COLUMNS.values())
_GROUPING_SETS = ", ".join(
    ["()", "(recruiter_id)"]
    + [f"({column})" for column in _KEY_COLUMNS.values()]
    + [f"(recruiter_id, {column})" for column in _KEY_COLUMNS.values()]
)
_COUNTS_SQL = f"""
SELECT day, GROUPING({", ".join(_GROUPED)}), {", ".join(_GROUPED)},
       COUNT(*), COUNT(*) FILTER (WHERE bounced), COUNT(answered_at), COUNT(*) FILTER (WHERE interested),
       COUNT(*) FILTER (WHERE not_interested), COUNT(*) FILTER (WHERE unsubscribed)
FROM engagement_responseoutreach
WHERE organization_id = %(org)s AND day >= %(since_day)s
GROUP BY day, GROUPING SETS ({_GROUPING_SETS})
"""  # noqa: S608 (table and column names are this module's constants)
_HOURS_SQL = f"""
SELECT day, GROUPING({", ".join(_GROUPED)}), {", ".join(_GROUPED)}, answer_bucket_hours, COUNT(*)
FROM engagement_responseoutreach
WHERE organization_id = %(org)s AND day >= %(since_day)s AND answered_at IS NOT NULL
GROUP BY day, answer_bucket_hours, GROUPING SETS ({_GROUPING_SETS})
"""  # noqa: S608 (table and column names are this module's constants)
# Steps: each outreach's `steps_sent` lists the steps whose message went out (the rebuild wrote it from
# the messages just before); answers are credited to `answer_step_id`.
_STEP_SENT_SQL = """
SELECT day, recruiter_id, step_id::bigint, COUNT(*)
FROM engagement_responseoutreach,
     unnest(string_to_array(trim(both ',' from steps_sent), ',')) AS step_id
WHERE organization_id = %(org)s AND day >= %(since_day)s AND steps_sent <> ''
GROUP BY day, recruiter_id, step_id
"""
_STEP_HOURS_SQL = """
SELECT day, recruiter_id, answer_step_id, answer_bucket_hours, COUNT(*) FROM engagement_responseoutreach
WHERE organization_id = %(org)s AND day >= %(since_day)s AND answer_step_id IS NOT NULL
GROUP BY day, recruiter_id, answer_step_id, answer_bucket_hours
"""


def rebuild_postgresql(*, org, since_day: date) -> int:
    """`rollups_rebuild` on PostgreSQL; returns the number of roll-up rows the range holds."""
    since_at = datetime.combine(since_day, time.min, tzinfo=UTC)
    params = {"org": org.pk, "since": since_at, "since_day": since_day}
    with transaction.atomic(), connection.cursor() as cursor:
        # The staging query sorts every outgoing message of the organisation: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        _stage_outreach(cursor, params)
        written = 0
        for statement in (_MERGE_DELETE, _MERGE_UPDATE, _MERGE_INSERT, _UNSUBSCRIBED_MERGE):
            cursor.execute(statement, params)
            written += max(cursor.rowcount, 0)
        if written > ANALYZE_AFTER_ROWS:  # a first build or a big repair: plan the sums on fresh statistics
            cursor.execute("ANALYZE engagement_responseoutreach")
        cursor.execute(f"DROP TABLE {STAGE_TABLE}")
        stats = _fold_stats(cursor, params)
        merge_stat_rows(ResponseStat, org_id=org.pk, since_day=since_day, stats=stats)
    return len(stats)


def _stage_outreach(cursor, params: dict) -> None:
    """The outreach rows the messages give, in a temporary table the merge reads."""
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
    select = OUTREACH_SELECT.format(**sql_parts())
    columns = ", ".join(_STAGE_COLUMNS)
    # The planner cannot see through the query's CTEs (it guessed 1,600 first sends for 5.7 million) and
    # chose nested loops with an index probe per thread and candidate; hash and merge joins scan each once.
    cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_TABLE} ({columns}) ON COMMIT DROP AS {select}", params)
    cursor.execute("SET LOCAL enable_nestloop = on")
    cursor.execute(f"CREATE UNIQUE INDEX ON {STAGE_TABLE} (thread_id)")
    cursor.execute(f"ANALYZE {STAGE_TABLE}")


def _grouping_targets() -> dict[int, list[tuple[str, bool, int | None]]]:
    """GROUPING() bitmask → the roll-up rows that group feeds: (dimension, per recruiter?, key column index).

    A bit is 1 where the column is not grouped; bit order follows `_GROUPED` (recruiter first, highest bit).
    """
    width = len(_GROUPED)

    def mask(*grouped: str) -> int:
        return sum(1 << (width - 1 - i) for i, column in enumerate(_GROUPED) if column not in grouped)

    targets: dict[int, list[tuple[str, bool, int | None]]] = {
        mask(): [(Dimension.ALL, False, None)],
        # Grouped by recruiter alone: the recruiter dimension's rows, and each recruiter's own "all" row.
        mask("recruiter_id"): [(Dimension.RECRUITER, False, 0), (Dimension.ALL, True, None)],
    }
    for dimension, column in _KEY_COLUMNS.items():
        index = _GROUPED.index(column)
        targets[mask(column)] = [(dimension, False, index)]
        targets[mask("recruiter_id", column)] = [(dimension, True, index)]
    return targets


def _fold_stats(cursor, params: dict) -> dict[StatKey, dict]:
    """Roll-up rows keyed (day, recruiter_id, dimension, key) for the range, from the merged outreach."""
    stats: dict[StatKey, dict] = defaultdict(empty_stat)
    targets = _grouping_targets()

    def rows_of(day, bits: int, values: tuple):
        recruiter_id = values[0]
        for dimension, per_recruiter, index in targets[bits]:
            if per_recruiter and recruiter_id is None:
                continue  # outreach without a recruiter counts only in the everyone rows
            key = "" if index is None else stat_key(values[index])
            yield stats[(day, recruiter_id if per_recruiter else 0, dimension, key)]

    width = len(_GROUPED)
    cursor.execute(_COUNTS_SQL, params)
    for day, bits, *rest in cursor.fetchall():
        values, counts = rest[:width], rest[width:]
        for row in rows_of(day, bits, values):
            for name, value in zip(_COUNT_COLUMNS, counts, strict=True):
                row[name] += value
    cursor.execute(_HOURS_SQL, params)
    for day, bits, *rest in cursor.fetchall():
        values, (bucket, count) = rest[:width], rest[width:]
        for row in rows_of(day, bits, values):
            row["answer_hours"][str(bucket)] = row["answer_hours"].get(str(bucket), 0) + count
    cursor.execute(_STEP_SENT_SQL, params)
    for day, recruiter_id, step_id, count in cursor.fetchall():
        for rid in {0, recruiter_id or 0}:
            stats[(day, rid, Dimension.STEP, str(step_id))]["sent"] += count
    cursor.execute(_STEP_HOURS_SQL, params)
    for day, recruiter_id, step_id, bucket, count in cursor.fetchall():
        for rid in {0, recruiter_id or 0}:
            row = stats[(day, rid, Dimension.STEP, str(step_id))]
            row["answered"] += count
            row["answer_hours"][str(bucket)] = row["answer_hours"].get(str(bucket), 0) + count
    return stats
