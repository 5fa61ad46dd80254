"""The response-rate roll-ups kept as events happen: sends, answers, bounces, unsubscribes.

`STATS_HANDLERS` maps an event kind to its handler (`STATS_BATCH_HANDLERS` for runs of sends); the
timeline's receiver calls them inside the emitter's transaction (`EngagementConfig.ready()` adds
them). Each outreach is one `ResponseOutreach` row and every
"counted once" rule is a conditional update on it, so an event handled twice, or two workers at
once, never count twice; the `ResponseStat` counters move with F() increments, the answer-time
histogram under a row lock. `rollups.rebuild` recomputes both tables from the messages with
set-based SQL and must give exactly what the increments gave (tests/engagement/test_analytics_rollups.py).

Messaging's rows carry no engagement ids: an outreach's sequence is the enrollment of any
`SequenceMessage` in its thread, its circle the thread's `CircleOutreach`, a message's step its own
`SequenceMessage` (read in the same query as the message, through their reverse relations).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import wraps
from typing import NamedTuple, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
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
from engagement.analytics.rollups.store import stat_key, week_of
from engagement.sequences.models import SequenceMessage
from messaging.models import Message, Thread
from talentcircles import events

# Dimensions whose key comes from the outreach row (the step dimension is fed separately).
OUTREACH_DIMENSIONS = {
    Dimension.ALL: lambda o: "",
    Dimension.RECRUITER: lambda o: stat_key(o.recruiter_id),
    Dimension.TEMPLATE: lambda o: stat_key(o.template_id),
    Dimension.SEQUENCE: lambda o: stat_key(o.sequence_id),
    Dimension.CIRCLE: lambda o: stat_key(o.circle_id),
    Dimension.SOURCE: lambda o: o.source or "",
    Dimension.INDUSTRY: lambda o: o.industry or "",
}
ANSWER_CHANNELS = (Message.Channel.EMAIL, Message.Channel.PORTAL, Message.Channel.CLICK)

Target = tuple[int, str, str]  # (recruiter_id or 0, dimension, key)
_E = TypeVar("_E")


def _targets(outreach: ResponseOutreach) -> list[Target]:
    """Every roll-up row an outreach counts in: once for everyone, once more for its recruiter."""
    targets: list[Target] = [(0, dimension, key_of(outreach)) for dimension, key_of in OUTREACH_DIMENSIONS.items()]
    if outreach.recruiter_id:
        targets += [
            (outreach.recruiter_id, dimension, key_of(outreach))
            for dimension, key_of in OUTREACH_DIMENSIONS.items()
            if dimension != Dimension.RECRUITER
        ]
    return targets


def _step_targets(outreach: ResponseOutreach, step_id: int) -> list[Target]:
    targets: list[Target] = [(0, Dimension.STEP, str(step_id))]
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


def _thread_sequence() -> Subquery:
    """The sequence of the enrollment whose messages are in the thread (all of one enrollment), or NULL."""
    links = SequenceMessage.objects.filter(thread_id=OuterRef("thread_id")).order_by("enrollment_id")
    return Subquery(links.values("enrollment__sequence_id")[:1])


def _with_links(messages):
    """Messages with what engagement's link rows say of them: `step_id`, `sequence_id`, `circle_id`."""
    return messages.annotate(
        step_id=F("sequence_message__step_id"),
        sequence_id=_thread_sequence(),
        circle_id=F("thread__circle_outreach__circle_id"),
    )


def _outreach_for_send(message: Message, sent_at: datetime) -> tuple[ResponseOutreach, bool]:
    """The thread's outreach row, created by its first sent message (read through `_with_links`)."""
    existing = ResponseOutreach.objects.filter(thread_id=message.thread_id).first()
    if existing:
        return existing, False
    thread: Thread = message.thread
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
                # Annotated by `_with_links`, which every caller reads the message through.
                sequence_id=message.sequence_id,  # type: ignore[attr-defined]
                circle_id=message.circle_id,  # type: ignore[attr-defined]
                source=candidate.source or "",
                industry=candidate.industry or "",
            )
    except IntegrityError:  # another worker created it first: that one counted the send
        return ResponseOutreach.objects.get(thread_id=thread.pk), False
    return outreach, True


def on_message_sent(event: events.CandidateEvent) -> None:
    """The first sent message of a recruiter-started thread makes an outreach; a step's first send counts for it."""
    message = (
        _with_links(Message.objects.select_related("thread__candidate"))
        .filter(pk=event.related.get("message_id"), direction=Message.Direction.OUT)
        .first()
    )
    if message is None or message.thread.started_by != Thread.StartedBy.RECRUITER:
        return
    sent_at = message.sent_at or event.occurred_at
    outreach, created = _outreach_for_send(message, sent_at)
    if created:
        _apply(organization_id=outreach.organization_id, day=outreach.day, targets=_targets(outreach), sent=1)
    step_id = message.step_id
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
    step_id: int | None
    candidate_id: int
    recruiter_id: int | None
    circle_id: int | None
    sequence_id: int | None
    source: str | None
    industry: str | None


_SEND_COLUMNS = (
    "pk", "thread_id", "organization_id", "sent_at", "template_id", "step_id", "thread__candidate_id",
    "thread__recruiter_id", "circle_id", "sequence_id", "thread__candidate__source", "thread__candidate__industry",
)  # fmt: skip


def on_messages_sent(run: list[events.CandidateEvent]) -> None:
    """`on_message_sent` for a delivery batch, in a fixed number of queries whatever its size."""
    message_ids = [event.related.get("message_id") for event in run if event.related.get("message_id")]
    sends = [
        _Send(*row)
        for row in _with_links(Message.objects.all())
        .filter(pk__in=message_ids, direction=Message.Direction.OUT, thread__started_by=Thread.StartedBy.RECRUITER)
        .values_list(*_SEND_COLUMNS)
    ]
    if not sends:
        return
    sent_at = {event.related["message_id"]: event.occurred_at for event in run if "message_id" in event.related}
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
    thread_ids = {send.thread_id for send in sends}
    existing = set(ResponseOutreach.objects.filter(thread_id__in=thread_ids).values_list("thread_id", flat=True))
    firsts: dict[int, _Send] = {}
    for send in sorted(sends, key=lambda s: (s.sent_at or sent_at[s.pk], s.pk)):
        if send.thread_id not in existing:
            firsts.setdefault(send.thread_id, send)
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
                sequence_id=send.sequence_id,
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
        if message.step_id and message.thread_id in outreach:
            by_step[message.step_id].add(outreach[message.thread_id][0].pk)
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
    message = Message.objects.filter(pk=event.related.get("message_id", 0), direction=Message.Direction.IN).first()
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
        .values_list("sequence_message__step_id", flat=True)
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
        Message.objects.filter(pk=event.related.get("message_id", 0)).values_list("thread_id", flat=True).first()
    )
    outreach = ResponseOutreach.objects.filter(thread_id=thread_id).first() if thread_id else None
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


# A bulk writer that rebuilds the roll-ups when it is done (the demo seed) defers the live increments:
# the rebuild computes the same rows from the messages in a few statements, not a few per event.
_deferred: ContextVar[bool] = ContextVar("rollups_deferred", default=False)


@contextmanager
def rollups_deferred() -> Iterator[None]:
    """Skip the live roll-up updates inside the block; the caller must run `rollups_rebuild` afterwards."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def _unless_deferred(handler: Callable[[_E], None]) -> Callable[[_E], None]:
    @wraps(handler)
    def handle(arg: _E) -> None:
        if not _deferred.get():
            handler(arg)

    return handle


# Kinds whose consecutive events are counted together (a delivery batch's sends).
STATS_BATCH_HANDLERS: dict[str, Callable[[list[events.CandidateEvent]], None]] = {
    events.MESSAGE_SENT: _unless_deferred(on_messages_sent),
}
STATS_HANDLERS: dict[str, Callable[[events.CandidateEvent], None]] = {
    kind: _unless_deferred(handler)
    for kind, handler in {
        events.MESSAGE_SENT: on_message_sent,
        events.REPLY_RECEIVED: on_answer,
        events.RESPONSE_CLICKED: on_answer,
        events.BOUNCED: on_bounced,
        events.UNSUBSCRIBED: on_unsubscribed,
    }.items()
}
