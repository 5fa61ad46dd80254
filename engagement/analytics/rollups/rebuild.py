"""Rebuilding the response-rate roll-ups from the messages: the nightly safety net of the live updates."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.utils import timezone

from engagement.analytics.models import Dimension, ResponseOutreach, ResponseStat
from engagement.analytics.rollups.postgres import rebuild_postgresql
from engagement.analytics.rollups.sql import (
    COUNTS_SQL,
    DIMENSION_COLUMNS,
    HOURS_SQL,
    OUTREACH_SQL,
    STEP_SENT_SQL,
    UNSUBSCRIBED_SQL,
    sql_parts,
)
from engagement.analytics.rollups.store import COUNT_COLUMNS, empty_stat, stat_key, weeks_rebuild


def _fold_stats(org_id: int, since_day: date) -> dict[tuple, dict]:
    """Roll-up rows keyed (day, recruiter_id, dimension, key), from the outreach table by GROUP BY."""
    true = "true" if connection.vendor == "postgresql" else "1"
    stats: dict[tuple, dict] = defaultdict(empty_stat)
    params = {"org": org_id, "since_day": connection.ops.adapt_datefield_value(since_day)}
    with connection.cursor() as cursor:
        for dimension, column in DIMENSION_COLUMNS.items():
            scopes = ["0"] if dimension == Dimension.RECRUITER else ["0", "COALESCE(recruiter_id, 0)"]
            for scope in scopes:
                where = "organization_id = %(org)s AND day >= %(since_day)s"
                if scope != "0":
                    where += " AND recruiter_id IS NOT NULL"
                sql = COUNTS_SQL.format(scope=scope, column=column, where=where, true=true)
                cursor.execute(sql, params)
                for day, rid, key, *counts in cursor.fetchall():
                    row = stats[(_as_date(day), int(rid), dimension, stat_key(key))]
                    for name, value in zip(COUNT_COLUMNS, counts, strict=True):
                        row[name] += int(value or 0)
                cursor.execute(HOURS_SQL.format(scope=scope, column=column, where=where), params)
                for day, rid, key, bucket, count in cursor.fetchall():
                    hours = stats[(_as_date(day), int(rid), dimension, stat_key(key))]["answer_hours"]
                    hours[str(bucket)] = hours.get(str(bucket), 0) + int(count)
        # Steps: sends from the messages, answers credited to the step sent last before them.
        cursor.execute(STEP_SENT_SQL, params)
        for day, recruiter_id, step_id, count in cursor.fetchall():
            for rid in {0, recruiter_id or 0}:
                stats[(_as_date(day), rid, Dimension.STEP, str(step_id))]["sent"] += int(count)
        cursor.execute(
            "SELECT day, recruiter_id, answer_step_id, answer_bucket_hours, COUNT(*) FROM engagement_responseoutreach"
            " WHERE organization_id = %(org)s AND day >= %(since_day)s AND answer_step_id IS NOT NULL"
            " GROUP BY day, recruiter_id, answer_step_id, answer_bucket_hours",
            params,
        )
        for day, recruiter_id, step_id, bucket, count in cursor.fetchall():
            for rid in {0, recruiter_id or 0}:
                row = stats[(_as_date(day), rid, Dimension.STEP, str(step_id))]
                row["answered"] += int(count)
                row["answer_hours"][str(bucket)] = row["answer_hours"].get(str(bucket), 0) + int(count)
    return stats


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def rollups_rebuild(*, org, since: date | None = None) -> int:
    """Recompute `org`'s outreach rows and roll-ups for outreach first sent on or after `since` (UTC day).

    Idempotent: deletes the range and inserts it again from the messages, in one transaction (on
    PostgreSQL it writes only the rows that differ, see `rollups/postgres.py`),
    then sums the weeks from the days. Returns the number of daily roll-up rows the range holds.
    """
    since_day = since or date(1970, 1, 1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            rows = rebuild_postgresql(org=org, since_day=since_day)
        else:
            rows = _rebuild_portable(org=org, since_day=since_day)
        weeks_rebuild(org_id=org.pk, since_day=since_day)
    return rows


def _rebuild_portable(*, org, since_day: date) -> int:
    """The rebuild in SQL both databases speak (used on SQLite)."""
    since_at = datetime.combine(since_day, time.min, tzinfo=UTC)
    parts = sql_parts()
    ResponseStat.objects.filter(organization=org, day__gte=since_day).delete()
    ResponseOutreach.objects.filter(organization=org, day__gte=since_day).delete()
    with connection.cursor() as cursor:
        since_param = connection.ops.adapt_datetimefield_value(since_at)
        cursor.execute(OUTREACH_SQL.format(**parts), {"org": org.pk, "since": since_param})
        true = "true" if connection.vendor == "postgresql" else "1"
        day_param = connection.ops.adapt_datefield_value(since_day)
        cursor.execute(UNSUBSCRIBED_SQL.format(true=true), {"org": org.pk, "since_day": day_param})
    now = timezone.now()
    rows = [
        ResponseStat(
            organization_id=org.pk, day=day, recruiter_id=rid, dimension=dim, key=key, updated_at=now, **values
        )
        for (day, rid, dim, key), values in _fold_stats(org.pk, since_day).items()
    ]
    ResponseStat.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
