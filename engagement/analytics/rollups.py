"""Keeping the response-rate roll-ups: incremental updates from candidate events, and the rebuild.

`STATS_HANDLERS` maps an event kind to its handler; `engagement/receivers.py` (the one subscriber)
calls them inside the emitter's transaction. Each outreach is one `ResponseOutreach` row and every
"counted once" rule is a conditional update on it, so an event handled twice, or two workers at
once, never count twice; the `ResponseStat` counters move with F() increments, the answer-time
histogram under a row lock. `rollups_rebuild` recomputes both tables from the messages with
set-based SQL and must give exactly what the increments gave (tests/engagement/test_analytics_rollups.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from engagement.analytics.models import (
    Dimension,
    ResponseCounts,
    ResponseOutreach,
    ResponseStat,
    ResponseStatWeek,
    answer_bucket_hours,
)
from engagement.analytics.rollups_store import COUNT_COLUMNS, empty_stat, week_of, weeks_rebuild
from messaging.models import Message, Thread
from talentcircles import events

# Dimensions whose key comes from the outreach row (the step dimension is fed separately).
OUTREACH_DIMENSIONS = {
    Dimension.ALL: lambda o: "",
    Dimension.RECRUITER: lambda o: _key(o.recruiter_id),
    Dimension.TEMPLATE: lambda o: _key(o.template_id),
    Dimension.SEQUENCE: lambda o: _key(o.sequence_id),
    Dimension.CIRCLE: lambda o: _key(o.circle_id),
    Dimension.SOURCE: lambda o: o.source or "",
    Dimension.INDUSTRY: lambda o: o.industry or "",
}
ANSWER_CHANNELS = (Message.Channel.EMAIL, Message.Channel.PORTAL, Message.Channel.CLICK)

Target = tuple[int, str, str]  # (recruiter_id or 0, dimension, key)


def _key(value) -> str:
    return "" if value is None else str(value)


def _targets(outreach: ResponseOutreach) -> list[Target]:
    """Every roll-up row an outreach counts in: once for everyone, once more for its recruiter."""
    targets = [(0, dimension, key_of(outreach)) for dimension, key_of in OUTREACH_DIMENSIONS.items()]
    if outreach.recruiter_id:
        targets += [
            (outreach.recruiter_id, dimension, key_of(outreach))
            for dimension, key_of in OUTREACH_DIMENSIONS.items()
            if dimension != Dimension.RECRUITER
        ]
    return targets


def _step_targets(outreach: ResponseOutreach, step_id: int) -> list[Target]:
    targets = [(0, Dimension.STEP, str(step_id))]
    if outreach.recruiter_id:
        targets.append((outreach.recruiter_id, Dimension.STEP, str(step_id)))
    return targets


def _apply(*, organization_id: int, day: date, targets: list[Target], bucket: int | None = None, **deltas: int) -> None:
    """Add `deltas` to the rows of `targets` on `day` and in its week; `bucket` adds one answer."""
    _apply_to(ResponseStat, organization_id=organization_id, day=day, targets=targets, bucket=bucket, deltas=deltas)
    _apply_to(
        ResponseStatWeek, organization_id=organization_id, day=week_of(day), targets=targets, bucket=bucket,
        deltas=deltas,
    )  # fmt: skip


def _apply_to(
    model: type[ResponseCounts], *, organization_id: int, day: date, targets: list[Target], bucket: int | None, deltas
) -> None:
    """`_apply` on one table: the rows are created at zero first."""
    now = timezone.now()
    model.objects.bulk_create(
        [
            model(organization_id=organization_id, day=day, recruiter_id=rid, dimension=dim, key=key)
            for rid, dim, key in targets
        ],
        ignore_conflicts=True,
    )
    match = Q()
    for rid, dim, key in targets:
        match |= Q(recruiter_id=rid, dimension=dim, key=key)
    rows = model.objects.filter(match, organization_id=organization_id, day=day)
    if bucket is None:
        rows.update(updated_at=now, **{name: F(name) + delta for name, delta in deltas.items()})
        return
    # The histogram is JSON: lock the rows (in id order, so two writers cannot deadlock) and add in Python.
    locked = list(rows.select_for_update().order_by("pk"))
    for row in locked:
        row.answer_hours[str(bucket)] = row.answer_hours.get(str(bucket), 0) + 1
        for name, delta in deltas.items():
            setattr(row, name, getattr(row, name) + delta)
        row.updated_at = now
    model.objects.bulk_update(locked, ["answer_hours", "updated_at", *deltas])


# --- Incremental handlers -----------------------------------------------------------------------


def _outreach_for_send(message: Message, sent_at: datetime) -> tuple[ResponseOutreach, bool]:
    """The thread's outreach row, created by its first sent message."""
    existing = ResponseOutreach.objects.filter(thread_id=message.thread_id).first()
    if existing:
        return existing, False
    thread: Thread = message.thread
    from engagement.sequences.models import Enrollment

    sequence_id = (
        Enrollment.objects.filter(pk=thread.enrollment_id).values_list("sequence_id", flat=True).first()
        if thread.enrollment_id
        else None
    )
    candidate = thread.candidate
    try:
        with transaction.atomic():
            outreach = ResponseOutreach.objects.create(
                organization_id=message.organization_id,
                thread_id=thread.pk,
                candidate_id=thread.candidate_id,
                first_sent_at=sent_at,
                day=sent_at.astimezone(UTC).date(),
                recruiter_id=thread.recruiter_id,
                template_id=message.template_id,
                sequence_id=sequence_id,
                circle_id=thread.circle_id,
                source=candidate.source or "",
                industry=candidate.industry or "",
            )
    except IntegrityError:  # another worker created it first: that one counted the send
        return ResponseOutreach.objects.get(thread_id=thread.pk), False
    return outreach, True


def on_message_sent(event: events.CandidateEvent) -> None:
    """The first sent message of a recruiter-started thread makes an outreach; a step's first send counts for it."""
    message = (
        Message.objects.select_related("thread__candidate")
        .filter(pk=event.related.get("message_id"), direction=Message.Direction.OUT)
        .first()
    )
    if message is None or message.thread.started_by != Thread.StartedBy.RECRUITER:
        return
    sent_at = message.sent_at or event.occurred_at
    outreach, created = _outreach_for_send(message, sent_at)
    if created:
        _apply(organization_id=outreach.organization_id, day=outreach.day, targets=_targets(outreach), sent=1)
    step_id = message.sequence_step_id
    if step_id:
        marker = f",{step_id},"
        first_time = (
            ResponseOutreach.objects.filter(pk=outreach.pk)
            .exclude(steps_sent__contains=marker)
            .update(steps_sent=Concat(F("steps_sent"), Value(marker)))
        )
        if first_time:
            _apply(
                organization_id=outreach.organization_id,
                day=outreach.day,
                targets=_step_targets(outreach, step_id),
                sent=1,
            )


def _apply_counts(organization_id: int, counts: dict[tuple[date, Target], int]) -> None:
    """`_apply` for many rows at once: one insert, then one UPDATE per day and distinct increment."""
    by_increment: dict[tuple[date, int], list[Target]] = defaultdict(list)
    for (day, target), count in counts.items():
        by_increment[(day, count)].append(target)
    for (day, count), targets in by_increment.items():
        _apply(organization_id=organization_id, day=day, targets=targets, sent=count)


class _Send(NamedTuple):
    """What the roll-ups need of one sent message and its thread (read without building models)."""

    pk: int
    thread_id: int
    organization_id: int
    sent_at: datetime | None
    template_id: int | None
    sequence_step_id: int | None
    candidate_id: int
    recruiter_id: int | None
    circle_id: int | None
    enrollment_id: int | None
    source: str | None
    industry: str | None


_SEND_COLUMNS = (
    "pk", "thread_id", "organization_id", "sent_at", "template_id", "sequence_step_id", "thread__candidate_id",
    "thread__recruiter_id", "thread__circle_id", "thread__enrollment_id", "thread__candidate__source",
    "thread__candidate__industry",
)  # fmt: skip


def on_messages_sent(run: list[events.CandidateEvent]) -> None:
    """`on_message_sent` for a delivery batch, in a fixed number of queries whatever its size."""
    message_ids = [event.related.get("message_id") for event in run if event.related.get("message_id")]
    sends = [
        _Send(*row)
        for row in Message.objects.filter(
            pk__in=message_ids, direction=Message.Direction.OUT, thread__started_by=Thread.StartedBy.RECRUITER
        ).values_list(*_SEND_COLUMNS)
    ]
    if not sends:
        return
    sent_at = {event.related.get("message_id"): event.occurred_at for event in run}
    outreach = _outreach_for_sends(sends, sent_at)
    counts: dict[int, dict[tuple[date, Target], int]] = defaultdict(lambda: defaultdict(int))
    for row, created in outreach.values():
        if created:
            for target in _targets(row):
                counts[row.organization_id][(row.day, target)] += 1
    _count_step_sends(sends, outreach, counts)
    for organization_id, org_counts in counts.items():
        _apply_counts(organization_id, org_counts)


def _outreach_for_sends(sends: list[_Send], sent_at: dict[int, datetime]) -> dict[int, tuple[ResponseOutreach, bool]]:
    """Thread id → (its outreach row, whether this batch created it)."""
    from engagement.sequences.models import Enrollment

    thread_ids = {send.thread_id for send in sends}
    existing = set(ResponseOutreach.objects.filter(thread_id__in=thread_ids).values_list("thread_id", flat=True))
    firsts: dict[int, _Send] = {}
    for send in sorted(sends, key=lambda s: (s.sent_at or sent_at[s.pk], s.pk)):
        if send.thread_id not in existing:
            firsts.setdefault(send.thread_id, send)
    enrollment_ids = {send.enrollment_id for send in firsts.values() if send.enrollment_id}
    sequences = dict(Enrollment.objects.filter(pk__in=enrollment_ids).values_list("pk", "sequence_id"))
    new_rows = []
    for send in firsts.values():
        first_sent_at = send.sent_at or sent_at[send.pk]
        new_rows.append(
            ResponseOutreach(
                organization_id=send.organization_id,
                thread_id=send.thread_id,
                candidate_id=send.candidate_id,
                first_sent_at=first_sent_at,
                day=first_sent_at.astimezone(UTC).date(),
                recruiter_id=send.recruiter_id,
                template_id=send.template_id,
                sequence_id=sequences.get(send.enrollment_id),
                circle_id=send.circle_id,
                source=send.source or "",
                industry=send.industry or "",
            )
        )
    # A row another worker inserted meanwhile wins (ignore_conflicts); it counted that send, so ours
    # counts only where the stored first send is the one we wrote.
    ResponseOutreach.objects.bulk_create(new_rows, ignore_conflicts=True)
    stored = {row.thread_id: row for row in ResponseOutreach.objects.filter(thread_id__in=thread_ids)}
    written = {row.thread_id: row.first_sent_at for row in new_rows}
    return {
        thread_id: (row, thread_id in written and row.first_sent_at == written[thread_id])
        for thread_id, row in stored.items()
    }


def _count_step_sends(
    messages: list[_Send],
    outreach: dict[int, tuple[ResponseOutreach, bool]],
    counts: dict[int, dict[tuple[date, Target], int]],
) -> None:
    """A step counts its first send in each outreach (marked in `steps_sent`), as in `on_message_sent`."""
    by_step: dict[int, set[int]] = defaultdict(set)
    for message in messages:
        if message.sequence_step_id and message.thread_id in outreach:
            by_step[message.sequence_step_id].add(outreach[message.thread_id][0].pk)
    rows = {row.pk: row for row, _ in outreach.values()}
    for step_id, outreach_ids in by_step.items():
        marker = f",{step_id},"
        for pk in _mark_step_sent(outreach_ids, marker):
            row = rows[pk]
            for target in _step_targets(row, step_id):
                counts[row.organization_id][(row.day, target)] += 1


def _mark_step_sent(outreach_ids: set[int], marker: str) -> list[int]:
    """Add `marker` to the `steps_sent` of those rows that lack it; returns their ids (one conditional UPDATE,
    so of two workers marking the same row only one is told it was first)."""
    if not outreach_ids:
        return []
    table = connection.ops.quote_name(ResponseOutreach._meta.db_table)
    marks = ", ".join(["%s"] * len(outreach_ids))
    # Only placeholders and our own table name are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET steps_sent = steps_sent || %s "  # noqa: S608
        f"WHERE id IN ({marks}) AND steps_sent NOT LIKE %s RETURNING id"
    )
    pattern = f"%{marker}%"  # the marker is ",<step id>,": no LIKE wildcards in it
    with connection.cursor() as cursor:
        cursor.execute(sql, [marker, *outreach_ids, pattern])
        return [row[0] for row in cursor.fetchall()]


def on_answer(event: events.CandidateEvent) -> None:
    """The thread's first real answer after its first send is the outreach's answer; clicks set interest."""
    message = Message.objects.filter(pk=event.related.get("message_id"), direction=Message.Direction.IN).first()
    if message is None or message.is_auto_reply or message.channel not in ANSWER_CHANNELS:
        return
    outreach = ResponseOutreach.objects.filter(thread_id=message.thread_id).first()
    received_at = message.received_at or event.occurred_at
    if outreach is None or received_at < outreach.first_sent_at:
        return
    org_id, day = outreach.organization_id, outreach.day
    step_id = (
        Message.objects.filter(
            thread_id=message.thread_id,
            direction=Message.Direction.OUT,
            sent_at__isnull=False,
            sent_at__lte=received_at,
        )
        .order_by("-sent_at", "-id")
        .values_list("sequence_step_id", flat=True)
        .first()
    )
    bucket = answer_bucket_hours((received_at - outreach.first_sent_at).total_seconds())
    answer = {"answered_at": received_at, "answer_bucket_hours": bucket, "answer_step_id": step_id}
    unanswered = ResponseOutreach.objects.filter(pk=outreach.pk, answered_at=None)
    # A bounced outreach that is answered after all was delivered: it leaves "bounced".
    was_bounced = unanswered.filter(bounced=True).update(bounced=False, **answer)
    if was_bounced or unanswered.update(**answer):
        deltas = {"answered": 1, "bounced": -1} if was_bounced else {"answered": 1}
        _apply(organization_id=org_id, day=day, targets=_targets(outreach), bucket=bucket, **deltas)
        if step_id:
            _apply(organization_id=org_id, day=day, targets=_step_targets(outreach, step_id), bucket=bucket, answered=1)
    flag = message.classification
    interest = (Message.Classification.INTERESTED, Message.Classification.NOT_INTERESTED)
    # A click after a reply still says where the candidate stands: flagged once per outreach.
    if flag in interest and ResponseOutreach.objects.filter(pk=outreach.pk, **{flag: False}).update(**{flag: True}):
        _apply(organization_id=org_id, day=day, targets=_targets(outreach), **{flag: 1})


def on_bounced(event: events.CandidateEvent) -> None:
    """An unanswered outreach whose message bounced leaves the denominator."""
    thread_id = event.related.get("thread_id") or (
        Message.objects.filter(pk=event.related.get("message_id")).values_list("thread_id", flat=True).first()
    )
    outreach = ResponseOutreach.objects.filter(thread_id=thread_id).first()
    if outreach is None:
        return
    if ResponseOutreach.objects.filter(pk=outreach.pk, bounced=False, answered_at=None).update(bounced=True):
        _apply(organization_id=outreach.organization_id, day=outreach.day, targets=_targets(outreach), bounced=1)


def on_unsubscribed(event: events.CandidateEvent) -> None:
    """The candidate's latest outreach before the unsubscribe is the one that lost them."""
    from candidates.models import Candidate

    when = (
        Candidate.objects.filter(pk=event.candidate_id).values_list("unsubscribed_at", flat=True).first()
        or event.occurred_at
    )
    outreach = (
        ResponseOutreach.objects.filter(candidate_id=event.candidate_id, first_sent_at__lte=when)
        .order_by("-first_sent_at", "-id")
        .first()
    )
    if outreach and ResponseOutreach.objects.filter(pk=outreach.pk, unsubscribed=False).update(unsubscribed=True):
        _apply(organization_id=outreach.organization_id, day=outreach.day, targets=_targets(outreach), unsubscribed=1)


# Kinds whose consecutive events are counted together (a delivery batch's sends).
STATS_BATCH_HANDLERS: dict[str, Callable[[list[events.CandidateEvent]], None]] = {
    events.MESSAGE_SENT: on_messages_sent,
}
STATS_HANDLERS: dict[str, Callable[[events.CandidateEvent], None]] = {
    events.MESSAGE_SENT: on_message_sent,
    events.REPLY_RECEIVED: on_answer,
    events.RESPONSE_CLICKED: on_answer,
    events.BOUNCED: on_bounced,
    events.UNSUBSCRIBED: on_unsubscribed,
}


# --- Rebuild ------------------------------------------------------------------------------------


def _sql_parts() -> dict[str, str]:
    """The few expressions the two databases spell differently; everything else is standard SQL."""
    if connection.vendor == "postgresql":
        return {
            "day": "(f.sent_at AT TIME ZONE 'UTC')::date",
            "delay_us": "(EXTRACT(EPOCH FROM (a.answered_at - f.sent_at)) * 1000000)::bigint",
            "steps": "',' || string_agg(DISTINCT o.sequence_step_id::text, ',') || ','",
            "false": "false",
        }
    # SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC: whole seconds plus microseconds.
    micro = "CAST(COALESCE(NULLIF(substr({0}, 21, 6), ''), '0') AS INTEGER)"
    return {
        "day": "date(f.sent_at)",
        "delay_us": (
            "((CAST(strftime('%%s', a.answered_at) AS INTEGER) - CAST(strftime('%%s', f.sent_at) AS INTEGER)) * 1000000"
            f" + {micro.format('a.answered_at')} - {micro.format('f.sent_at')})"
        ),
        "steps": "',' || group_concat(DISTINCT o.sequence_step_id) || ','",
        "false": "0",
    }


_OUTREACH_SELECT = """
WITH outgoing AS (
    SELECT m.id, m.thread_id, m.sent_at, m.template_id, m.sequence_step_id, m.status,
           ROW_NUMBER() OVER (PARTITION BY m.thread_id ORDER BY m.sent_at, m.id) AS rn
    FROM messaging_message m
    WHERE m.organization_id = %(org)s AND m.direction = 'out' AND m.sent_at IS NOT NULL
),
firsts AS (
    SELECT o.thread_id, o.sent_at, o.template_id
    FROM outgoing o JOIN messaging_thread t ON t.id = o.thread_id
    WHERE o.rn = 1 AND t.started_by = 'recruiter' AND o.sent_at >= %(since)s
),
incoming AS (
    SELECT m.thread_id, m.id, m.received_at, m.classification
    FROM messaging_message m JOIN firsts f ON f.thread_id = m.thread_id
    WHERE m.organization_id = %(org)s AND m.direction = 'in' AND m.is_auto_reply = {false}
      AND m.channel IN ('email', 'portal', 'click') AND m.received_at >= f.sent_at
),
answers AS (
    SELECT thread_id, MIN(received_at) AS answered_at,
           MAX(CASE WHEN classification = 'interested' THEN 1 ELSE 0 END) AS interested,
           MAX(CASE WHEN classification = 'not_interested' THEN 1 ELSE 0 END) AS not_interested
    FROM incoming GROUP BY thread_id
),
answer_steps AS (
    SELECT thread_id, sequence_step_id FROM (
        SELECT o.thread_id, o.sequence_step_id,
               ROW_NUMBER() OVER (PARTITION BY o.thread_id ORDER BY o.sent_at DESC, o.id DESC) AS rn
        FROM outgoing o JOIN answers a ON a.thread_id = o.thread_id
        WHERE o.sent_at <= a.answered_at
    ) latest WHERE rn = 1
),
out_flags AS (
    SELECT o.thread_id, MAX(CASE WHEN o.status = 'bounced' THEN 1 ELSE 0 END) AS any_bounce, {steps} AS steps
    FROM outgoing o JOIN firsts f ON f.thread_id = o.thread_id
    GROUP BY o.thread_id
)
SELECT %(org)s, f.thread_id, t.candidate_id, f.sent_at, {day}, t.recruiter_id, f.template_id, e.sequence_id,
       t.circle_id, c.source, c.industry, COALESCE(x.steps, ''), a.answered_at,
       CASE WHEN a.answered_at IS NULL THEN NULL
            WHEN ({delay_us} + 3599999999) / 3600000000 <= 48 THEN ({delay_us} + 3599999999) / 3600000000
            ELSE 24 * (({delay_us} + 86399999999) / 86400000000) END,
       s.sequence_step_id,
       (x.any_bounce = 1 AND a.answered_at IS NULL),
       (COALESCE(a.interested, 0) = 1), (COALESCE(a.not_interested, 0) = 1), {false}
FROM firsts f
JOIN messaging_thread t ON t.id = f.thread_id
JOIN candidates_candidate c ON c.id = t.candidate_id
LEFT JOIN engagement_enrollment e ON e.id = t.enrollment_id
LEFT JOIN answers a ON a.thread_id = f.thread_id
LEFT JOIN answer_steps s ON s.thread_id = f.thread_id
LEFT JOIN out_flags x ON x.thread_id = f.thread_id
"""
OUTREACH_COLUMNS = (
    "organization_id, thread_id, candidate_id, first_sent_at, day, recruiter_id, template_id, sequence_id,"
    " circle_id, source, industry, steps_sent, answered_at, answer_bucket_hours, answer_step_id,"
    " bounced, interested, not_interested, unsubscribed"
)
_OUTREACH_SQL = f"INSERT INTO engagement_responseoutreach ({OUTREACH_COLUMNS}) {_OUTREACH_SELECT}"

# The candidate's latest outreach before their unsubscribe (over all their outreach, kept or rebuilt).
_UNSUBSCRIBED_RANKED_SQL = """
SELECT id FROM (
    SELECT o.id, o.day,
           ROW_NUMBER() OVER (PARTITION BY o.candidate_id ORDER BY o.first_sent_at DESC, o.id DESC) AS rn
    FROM engagement_responseoutreach o JOIN candidates_candidate c ON c.id = o.candidate_id
    WHERE o.organization_id = %(org)s AND c.unsubscribed_at IS NOT NULL AND o.first_sent_at <= c.unsubscribed_at
) latest WHERE rn = 1 AND day >= %(since_day)s
"""
_UNSUBSCRIBED_SQL = (
    f"UPDATE engagement_responseoutreach SET unsubscribed = {{true}} WHERE id IN ({_UNSUBSCRIBED_RANKED_SQL})"  # noqa: S608
)

_STEP_SENT_SQL = """
SELECT o.day, o.recruiter_id, m.sequence_step_id, COUNT(DISTINCT m.thread_id)
FROM messaging_message m JOIN engagement_responseoutreach o ON o.thread_id = m.thread_id
WHERE m.organization_id = %(org)s AND o.organization_id = %(org)s AND o.day >= %(since_day)s
  AND m.direction = 'out' AND m.sent_at IS NOT NULL AND m.sequence_step_id IS NOT NULL
GROUP BY o.day, o.recruiter_id, m.sequence_step_id
"""

# Outreach columns per dimension (the key) for the GROUP BY statements.
_DIMENSION_COLUMNS = {
    Dimension.ALL: "''",
    Dimension.RECRUITER: "recruiter_id",
    Dimension.TEMPLATE: "template_id",
    Dimension.SEQUENCE: "sequence_id",
    Dimension.CIRCLE: "circle_id",
    Dimension.SOURCE: "source",
    Dimension.INDUSTRY: "industry",
}


# Per dimension and scope (everyone, or per recruiter); names below come from _DIMENSION_COLUMNS only.
_COUNTS_SQL = (
    "SELECT day, {scope}, {column}, COUNT(*), SUM(CASE WHEN bounced = {true} THEN 1 ELSE 0 END), COUNT(answered_at),"
    " SUM(CASE WHEN interested = {true} THEN 1 ELSE 0 END), SUM(CASE WHEN not_interested = {true} THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN unsubscribed = {true} THEN 1 ELSE 0 END)"
    " FROM engagement_responseoutreach WHERE {where} GROUP BY 1, 2, 3"
)
_HOURS_SQL = (
    "SELECT day, {scope}, {column}, answer_bucket_hours, COUNT(*) FROM engagement_responseoutreach"
    " WHERE {where} AND answered_at IS NOT NULL GROUP BY 1, 2, 3, 4"
)


def _fold_stats(org_id: int, since_day: date) -> dict[tuple, dict]:
    """Roll-up rows keyed (day, recruiter_id, dimension, key), from the outreach table by GROUP BY."""
    true = "true" if connection.vendor == "postgresql" else "1"
    stats: dict[tuple, dict] = defaultdict(empty_stat)
    params = {"org": org_id, "since_day": connection.ops.adapt_datefield_value(since_day)}
    with connection.cursor() as cursor:
        for dimension, column in _DIMENSION_COLUMNS.items():
            scopes = ["0"] if dimension == Dimension.RECRUITER else ["0", "COALESCE(recruiter_id, 0)"]
            for scope in scopes:
                where = "organization_id = %(org)s AND day >= %(since_day)s"
                if scope != "0":
                    where += " AND recruiter_id IS NOT NULL"
                sql = _COUNTS_SQL.format(scope=scope, column=column, where=where, true=true)
                cursor.execute(sql, params)
                for day, rid, key, *counts in cursor.fetchall():
                    row = stats[(_as_date(day), int(rid), dimension, _key(key))]
                    for name, value in zip(COUNT_COLUMNS, counts, strict=True):
                        row[name] += int(value or 0)
                cursor.execute(_HOURS_SQL.format(scope=scope, column=column, where=where), params)
                for day, rid, key, bucket, count in cursor.fetchall():
                    hours = stats[(_as_date(day), int(rid), dimension, _key(key))]["answer_hours"]
                    hours[str(bucket)] = hours.get(str(bucket), 0) + int(count)
        # Steps: sends from the messages, answers credited to the step sent last before them.
        cursor.execute(_STEP_SENT_SQL, params)
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
    PostgreSQL it writes only the rows that differ, see `engagement/rollups_rebuild_postgres.py`),
    then sums the weeks from the days. Returns the number of daily roll-up rows the range holds.
    """
    since_day = since or date(1970, 1, 1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            from engagement.analytics.rollups_rebuild_postgres import (
                rebuild_postgresql,  # it builds on this module's SQL
            )

            rows = rebuild_postgresql(org=org, since_day=since_day)
        else:
            rows = _rebuild_portable(org=org, since_day=since_day)
        weeks_rebuild(org_id=org.pk, since_day=since_day)
    return rows


def _rebuild_portable(*, org, since_day: date) -> int:
    """The rebuild in SQL both databases speak (used on SQLite)."""
    since_at = datetime.combine(since_day, time.min, tzinfo=UTC)
    parts = _sql_parts()
    ResponseStat.objects.filter(organization=org, day__gte=since_day).delete()
    ResponseOutreach.objects.filter(organization=org, day__gte=since_day).delete()
    with connection.cursor() as cursor:
        since_param = connection.ops.adapt_datetimefield_value(since_at)
        cursor.execute(_OUTREACH_SQL.format(**parts), {"org": org.pk, "since": since_param})
        true = "true" if connection.vendor == "postgresql" else "1"
        day_param = connection.ops.adapt_datefield_value(since_day)
        cursor.execute(_UNSUBSCRIBED_SQL.format(true=true), {"org": org.pk, "since_day": day_param})
    now = timezone.now()
    rows = [
        ResponseStat(
            organization_id=org.pk, day=day, recruiter_id=rid, dimension=dim, key=key, updated_at=now, **values
        )
        for (day, rid, dim, key), values in _fold_stats(org.pk, since_day).items()
    ]
    ResponseStat.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
