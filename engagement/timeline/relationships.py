"""Relationship strength kept current, and "going cold" detection.

`relationships_refresh` recomputes a batch of candidates in a fixed number of queries: a
task runs it when a scored activity arrives, and the nightly task runs it over every
candidate with activities, because strength also decays with time alone.

A relationship is going cold when its score falls below the organisation's threshold after
having been at or above it, or when the last two-way contact is older than the
organisation's `cold_after_days`. The candidate's owner then gets one reminder (origin
`going_cold`): never a second while one is open, nor again before there has been new
two-way contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline.models import Activity, Relationship, Reminder
from engagement.timeline.strength import (
    FREQUENCY_WINDOW,
    HISTORY_WINDOW,
    TOUCH_KINDS,
    StrengthInputs,
    relationship_strength,
)
from talentcircles.bulk import bulk_update_rows
from talentcircles.models import Membership

Kind = Activity.Kind
BATCH_SIZE = 1000


def _candidates_with_last_contact(ids: list[int], now: datetime) -> dict[int, dict]:
    """Per candidate: organisation settings, owner, and the time and kind of the last two-way contact."""
    last_two_way = Activity.objects.filter(
        candidate_id=OuterRef("pk"), kind__in=Activity.TWO_WAY_KINDS, occurred_at__lte=now
    ).order_by("-occurred_at", "-id")
    rows = (
        Candidate.objects.filter(pk__in=ids)
        .annotate(
            last_two_way_at=Subquery(last_two_way.values("occurred_at")[:1]),
            last_two_way_kind=Subquery(last_two_way.values("kind")[:1]),
        )
        .values(
            "pk",
            "organization_id",
            "owner_id",
            "last_two_way_at",
            "last_two_way_kind",
            "organization__cold_score_threshold",
            "organization__cold_after_days",
        )
    )
    return {row["pk"]: dict(row) for row in rows}


def _activity_counts(ids: list[int], now: datetime) -> dict[int, dict]:
    def count(**conditions) -> Count:
        return Count("pk", filter=Q(**conditions))

    rows = (
        Activity.objects.filter(candidate_id__in=ids, occurred_at__lte=now, occurred_at__gt=now - HISTORY_WINDOW)
        .values("candidate_id")
        .annotate(
            messages_out=count(kind=Kind.MESSAGE_OUT),
            replies_in=count(kind=Kind.REPLY_IN),
            calls=count(kind=Kind.CALL),
            meetings=count(kind=Kind.MEETING),
            recent_touches=count(kind__in=TOUCH_KINDS, occurred_at__gt=now - FREQUENCY_WINDOW),
        )
        .order_by()
    )
    return {row["candidate_id"]: {k: v for k, v in row.items() if k != "candidate_id"} for row in rows}


def strength_inputs(*, candidate_ids: Iterable[int], now: datetime) -> dict[int, StrengthInputs]:
    """What `relationship_strength` needs for each candidate (activities after `now` are ignored)."""
    ids = sorted(set(candidate_ids))
    candidates = _candidates_with_last_contact(ids, now)
    counts = _activity_counts(ids, now)
    return {pk: _inputs(row, counts.get(pk, {})) for pk, row in candidates.items()}


def _inputs(candidate: dict, counts: dict) -> StrengthInputs:
    return StrengthInputs(
        last_two_way_at=candidate["last_two_way_at"], last_two_way_kind=candidate["last_two_way_kind"] or "", **counts
    )


def _cold_reason(relationship: Relationship, previous_score: int, candidate: dict, now: datetime) -> str:
    threshold = candidate["organization__cold_score_threshold"]
    silent_for = now - relationship.last_two_way_at if relationship.last_two_way_at else None
    if silent_for is not None and silent_for > timedelta(days=candidate["organization__cold_after_days"]):
        return f"Going cold: no two-way contact for {silent_for.days} days"
    if previous_score >= threshold > relationship.score:
        return f"Going cold: relationship strength fell from {previous_score} to {relationship.score}"
    return ""


def _remind_owners(cold: list[tuple[Relationship, dict, str]], now: datetime) -> int:
    """One going-cold reminder per candidate and cold spell, for owners who are still members."""
    if not cold:
        return 0
    ids = [relationship.candidate_id for relationship, _, _ in cold]
    earlier = Reminder.objects.filter(candidate_id__in=ids, origin=Reminder.Origin.GOING_COLD).values_list(
        "candidate_id", "created_at", "done_at"
    )
    open_ids: set[int] = set()
    latest: dict[int, datetime] = {}
    for candidate_id, created_at, done_at in earlier:
        if done_at is None:
            open_ids.add(candidate_id)
        latest[candidate_id] = max(created_at, latest.get(candidate_id, created_at))
    members = set(
        Membership.objects.filter(
            user_id__in={row["owner_id"] for _, row, _ in cold},
            organization_id__in={row["organization_id"] for _, row, _ in cold},
        ).values_list("user_id", "organization_id")
    )
    reminders = []
    for relationship, row, reason in cold:
        pk = relationship.candidate_id
        if pk in open_ids or (row["owner_id"], row["organization_id"]) not in members:
            continue
        # Already reminded during this cold spell (since the last two-way contact): do not nag.
        if pk in latest and (relationship.last_two_way_at is None or latest[pk] >= relationship.last_two_way_at):
            continue
        reminders.append(
            Reminder(
                organization_id=row["organization_id"], recruiter_id=row["owner_id"], candidate_id=pk,
                due_at=now, note=reason, origin=Reminder.Origin.GOING_COLD, created_at=now,
            )
        )  # fmt: skip
    Reminder.objects.bulk_create(reminders)
    return len(reminders)


@transaction.atomic
def relationships_refresh(*, candidate_ids: Iterable[int], now: datetime | None = None) -> list[Relationship]:
    """Recompute the relationships of these candidates (deleted ones are skipped) and remind owners of cold ones.

    A fixed number of queries per call; callers pass at most a few thousand ids.
    """
    now = now or timezone.now()
    candidates = _candidates_with_last_contact(sorted(set(candidate_ids)), now)
    ids = sorted(candidates)
    if not ids:
        return []
    # Make sure every row exists, then lock them all: concurrent refreshes of a candidate take turns.
    Relationship.objects.bulk_create(
        [Relationship(organization_id=candidates[pk]["organization_id"], candidate_id=pk) for pk in ids],
        ignore_conflicts=True,
    )
    relationships = list(Relationship.objects.select_for_update().filter(candidate_id__in=ids).order_by("candidate_id"))
    counts = _activity_counts(ids, now)
    cold = []
    for relationship in relationships:
        row = candidates[relationship.candidate_id]
        inputs = _inputs(row, counts.get(relationship.candidate_id, {}))
        strength = relationship_strength(inputs, now=now)
        previous_score = relationship.score
        relationship.score, relationship.reasons = strength.score, strength.reasons
        relationship.last_two_way_at = inputs.last_two_way_at
        relationship.messages_out, relationship.replies_in = inputs.messages_out, inputs.replies_in
        relationship.computed_at = now
        reason = _cold_reason(relationship, previous_score, row, now) if row["owner_id"] else ""
        if reason:
            cold.append((relationship, row, reason))
    bulk_update_rows(
        relationships,
        ["score", "reasons", "last_two_way_at", "messages_out", "replies_in", "computed_at"],
        batch_size=BATCH_SIZE,
    )
    _remind_owners(cold, now)
    return relationships


def relationships_refresh_all(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """The nightly pass: every candidate with activities, in batches (one transaction each). Returns how many."""
    now = now or timezone.now()
    done, after = 0, 0
    while True:
        ids = list(
            Activity.objects.filter(candidate_id__gt=after)
            .order_by("candidate_id")
            .values_list("candidate_id", flat=True)
            .distinct()[:batch_size]
        )
        if not ids:
            return done
        relationships_refresh(candidate_ids=ids, now=now)
        done, after = done + len(ids), ids[-1]
