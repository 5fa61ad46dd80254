"""Writing roll-up rows: merging a computed set into a table, and the weekly sums of the daily rows.

`ResponseStatWeek` holds, for each UTC week (starting on Monday), the sums of that week's
`ResponseStat` rows. The incremental handlers write both with the same deltas (engagement/rollups.py);
a rebuild recomputes the days, then the weeks from the days, with `weeks_rebuild`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from django.utils import timezone

from engagement.analytics.models import ResponseStat, ResponseStatWeek

RollupModel = TypeVar("RollupModel", ResponseStat, ResponseStatWeek)

COUNT_COLUMNS = ("sent", "bounced", "answered", "interested", "not_interested", "unsubscribed")
StatKey = tuple[date, int, str, str]  # (day, recruiter_id or 0, dimension, key)
MERGE_BATCH = 20_000


def stat_key(value) -> str:
    """A roll-up key: the id or value as text, "" for none."""
    return "" if value is None else str(value)


def week_of(day: date) -> date:
    """The Monday that starts `day`'s week."""
    return day - timedelta(days=day.weekday())


def empty_stat() -> dict:
    return {**dict.fromkeys(COUNT_COLUMNS, 0), "answer_hours": {}}


def fold_weeks(day_rows: Iterable[tuple]) -> dict[StatKey, dict]:
    """(day, recruiter_id, dimension, key, *COUNT_COLUMNS, answer_hours) rows, summed per week."""
    weeks: dict[StatKey, dict] = defaultdict(empty_stat)
    for day, recruiter_id, dimension, key, *counts, hours in day_rows:
        week = weeks[(week_of(day), recruiter_id, dimension, key)]
        for name, value in zip(COUNT_COLUMNS, counts, strict=True):
            week[name] += value
        summed = week["answer_hours"]
        for bucket, count in hours.items():
            summed[bucket] = summed.get(bucket, 0) + count
    return weeks


def weeks_rebuild(*, org_id: int, since_day: date) -> int:
    """Recompute the weeks from the week of `since_day` on from the daily rows; returns how many there are."""
    start = week_of(since_day)
    days = (
        ResponseStat.objects.filter(organization_id=org_id, day__gte=start)
        .values_list("day", "recruiter_id", "dimension", "key", *COUNT_COLUMNS, "answer_hours")
        .iterator(chunk_size=MERGE_BATCH)
    )
    weeks = fold_weeks(days)
    merge_stat_rows(ResponseStatWeek, org_id=org_id, since_day=start, stats=weeks)
    return len(weeks)


def merge_stat_rows(model: type[RollupModel], *, org_id: int, since_day: date, stats: dict[StatKey, dict]) -> None:
    """Make `model`'s rows of the organisation from `since_day` on equal `stats`, rewriting only those that differ.

    A row that changed is deleted and inserted again: one DELETE and one multi-row INSERT, where
    Django's bulk_update would send a CASE per field and row (minutes for a few hundred thousand rows).
    """
    fields = (*COUNT_COLUMNS, "answer_hours")
    existing = model.objects.filter(organization_id=org_id, day__gte=since_day)
    outdated, unchanged = [], set()
    for pk, *values in existing.values_list("pk", "day", "recruiter_id", "dimension", "key", *fields).iterator(
        chunk_size=MERGE_BATCH
    ):
        key, current = tuple(values[:4]), values[4:]
        fresh = stats.get(key)
        if fresh is not None and all(value == fresh[name] for name, value in zip(fields, current, strict=True)):
            unchanged.add(key)
        else:
            outdated.append(pk)
    for start in range(0, len(outdated), MERGE_BATCH):
        model.objects.filter(pk__in=outdated[start : start + MERGE_BATCH]).delete()
    now = timezone.now()
    model.objects.bulk_create(
        [
            model(organization_id=org_id, day=day, recruiter_id=rid, dimension=dim, key=key, updated_at=now, **values)
            for (day, rid, dim, key), values in stats.items()
            if (day, rid, dim, key) not in unchanged
        ],
        batch_size=5_000,
    )
