"""Writes of the engagement app: timeline activities and reminders.

`activity_record` is the one way any activity row is written: the event receivers
(`engagement.receivers`) call it for what other apps report, and `activity_log` for what
a recruiter logs (notes, calls, meetings). Services raise `ValidationError` with field
messages; anything slow (relationship strength) is queued with `transaction.on_commit`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline.models import Activity, Reminder
from engagement.timeline.strength import SCORED_KINDS
from talentcircles.bulk import copy_insert, copy_rows
from talentcircles.models import Membership, Organization, User

Kind = Activity.Kind
_KINDS = frozenset(Kind.values)  # `Kind.values` builds a new list on every use

CALL_OUTCOMES = [
    ("connected", "Connected"),
    ("voicemail", "Left a voicemail"),
    ("no_answer", "No answer"),
    ("busy", "Busy, call back"),
    ("wrong_number", "Wrong number"),
]
_OUTCOME_LABELS = dict(CALL_OUTCOMES)
MAX_CALL_MINUTES = 24 * 60
# A meeting further than this from today is more often a typo (2205 for 2025) than a plan.
FAR_DATE = timedelta(days=365)
# Clocks differ a little; a note "now" from a slightly fast browser is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
MAX_ATTENDEES = 30


# `relationships_refresh` takes at most a few thousand ids at a time.
STRENGTH_REFRESH_BATCH = 1000


def queue_strength_refresh(candidate_id: int) -> None:
    """Recompute the candidate's relationship strength once this transaction commits."""
    queue_strength_refresh_many([candidate_id])


def queue_strength_refresh_many(candidate_ids: Iterable[int]) -> None:
    """Recompute these candidates' relationship strength once this transaction commits: one task for the set."""
    from engagement.timeline import tasks  # tasks import the services; imported here to keep the graph acyclic

    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return
    # robust: a broker hiccup must not turn a saved note into an error page; the nightly run catches up.
    if len(ids) == 1:
        transaction.on_commit(lambda: tasks.relationship_refresh_task.delay(ids[0]), robust=True)
        return

    def enqueue() -> None:
        for start in range(0, len(ids), STRENGTH_REFRESH_BATCH):
            tasks.relationships_refresh_many_task.delay(ids[start : start + STRENGTH_REFRESH_BATCH])

    transaction.on_commit(enqueue, robust=True)


def activity_record(**fields) -> Activity:
    """Write one timeline row (arguments as `activity_build`). Every activity, whatever app it
    comes from, is written here or by `activities_record`, its bulk twin."""
    return activities_record([activity_build(**fields)])[0]


def activities_record(activities: list[Activity]) -> list[Activity]:
    """Save timeline rows built by `activity_build` in one statement; scored kinds update strength."""
    if len(activities) >= COPY_FROM_ROWS:
        copy_insert(activities)  # bulk_create outside PostgreSQL
    else:
        Activity.objects.bulk_create(activities, batch_size=1000)
    queue_strength_refresh_many(a.candidate_id for a in activities if a.kind in SCORED_KINDS)
    return activities


# From this many rows (an import writes one per candidate) COPY beats an INSERT with a parameter
# per cell and Django's conversion of each; fewer go the usual way, in one round trip.
COPY_FROM_ROWS = 100

# What `activities_record_rows` writes of each row; the other columns take their empty values.
ActivityRow = tuple[int, int, int | None, datetime, str, dict]  # organisation, candidate, actor, when, summary, details
_ROW_COLUMNS = (
    "organization_id",
    "candidate_id",
    "actor_id",
    "kind",
    "occurred_at",
    "summary",
    "body",
    "details",
    "created_at",
)


def activities_record_rows(*, kind: str, rows: Sequence[ActivityRow]) -> None:
    """Save timeline rows of one kind given as plain tuples, as `activities_record` would save them
    built by `activity_build` (no circle, post, message or body), without a model instance each.

    An import writes one row per candidate: building an `Activity` for each and converting its
    every field cost more than the COPY itself. Identical details are serialised once.
    """
    if kind not in _KINDS:
        raise ValueError(f"Unknown activity kind {kind!r}.")
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM_ROWS:
        activities_record(
            [
                activity_build(organization_id=org_id, candidate_id=candidate_id, actor_id=actor_id, kind=kind,
                               occurred_at=occurred_at, summary=summary, details=details)
                for org_id, candidate_id, actor_id, occurred_at, summary, details in rows
            ]
        )  # fmt: skip
        return
    now = timezone.now()
    serialised: dict[str, str] = {}

    def as_copied(row: ActivityRow) -> tuple:
        org_id, candidate_id, actor_id, occurred_at, summary, details = row
        key = repr(details)  # details are small dicts of plain values
        if key not in serialised:
            serialised[key] = json.dumps(details or {})
        return (org_id, candidate_id, actor_id, kind, occurred_at, summary[:300], "", serialised[key], now)

    with connection.cursor() as cursor:
        copy_rows(cursor, Activity._meta.db_table, _ROW_COLUMNS, (as_copied(row) for row in rows))
    if kind in SCORED_KINDS:
        queue_strength_refresh_many(candidate_id for _org, candidate_id, *_rest in rows)


def activity_build(
    *,
    candidate_id: int,
    kind: str,
    summary: str,
    org: Organization | None = None,
    organization_id: int | None = None,
    actor_id: int | None = None,
    occurred_at: datetime | None = None,
    details: dict | None = None,
    body: str = "",
    circle_id: int | None = None,
    post_id: int | None = None,
    message_id: int | None = None,
) -> Activity:
    """A validated, unsaved timeline row."""
    if org is not None and organization_id is None:
        organization_id = org.pk
    elif org is not None or organization_id is None:  # both, or neither
        raise TypeError("Pass exactly one of org or organization_id.")
    if kind not in _KINDS:
        raise ValueError(f"Unknown activity kind {kind!r}.")
    return Activity(
        organization_id=organization_id,
        candidate_id=candidate_id,
        actor_id=actor_id,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        summary=summary[:300],
        body=body,
        details=details or {},
        circle_id=circle_id,
        post_id=post_id,
        message_id=message_id,
    )


# --- Notes, calls and meetings logged by recruiters -------------------------------------------


def _clean_logged(
    kind: str,
    *,
    body: str,
    occurred_at: datetime | None,
    outcome: str,
    duration_minutes: int | None,
    attendees: list[str] | tuple[str, ...],
    confirm_far_date: bool,
    now: datetime,
) -> dict[str, Any]:
    """The row's fields for a logged activity, or a ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    details: dict[str, Any] = {}
    if kind not in Activity.LOGGED_KINDS:
        raise ValidationError({"kind": ["Recruiters log notes, calls and meetings; choose one of those."]})
    if occurred_at is not None and timezone.is_naive(occurred_at):
        errors["occurred_at"] = ["Give the time with its time zone."]
        occurred_at = None

    if kind == Kind.NOTE:
        if not body:
            errors["body"] = ["Write the note."]
        summary = body.splitlines()[0][:120] if body else ""
    elif kind == Kind.CALL:
        if outcome not in _OUTCOME_LABELS:
            errors["outcome"] = [f"Choose how the call went: {', '.join(_OUTCOME_LABELS)}."]
        if duration_minutes is not None and not 0 <= duration_minutes <= MAX_CALL_MINUTES:
            errors["duration_minutes"] = [f"Give the duration in minutes, from 0 to {MAX_CALL_MINUTES}."]
        details = {"outcome": outcome, "duration_minutes": duration_minutes}
        summary = f"Call · {_OUTCOME_LABELS.get(outcome, outcome)}"
        if duration_minutes:
            summary += f" · {duration_minutes} min"
    else:  # meeting
        names = [name.strip()[:120] for name in attendees if name and name.strip()]
        if len(names) > MAX_ATTENDEES:
            errors["attendees"] = [f"List at most {MAX_ATTENDEES} attendees."]
        if occurred_at is None and "occurred_at" not in errors:
            errors["occurred_at"] = ["Give the meeting's date and time."]
        elif occurred_at is not None and abs(occurred_at - now) > FAR_DATE and not confirm_far_date:
            when = "ago" if occurred_at < now else "from now"
            errors["occurred_at"] = [
                f"{occurred_at:%d %b %Y} is more than a year {when}. Check the date, or confirm it is right."
            ]
        details = {"attendees": names}
        summary = f"Meeting with {', '.join(names)}" if names else "Meeting"

    if kind != Kind.MEETING and occurred_at is not None and occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = [f"A {Kind(kind).label.lower()} cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    return {"body": body, "details": details, "summary": summary, "occurred_at": occurred_at or now}


@transaction.atomic
def activity_log(
    *,
    candidate: Candidate,
    actor: User,
    kind: str,
    body: str = "",
    occurred_at: datetime | None = None,
    outcome: str = "",
    duration_minutes: int | None = None,
    attendees: list[str] | tuple[str, ...] = (),
    confirm_far_date: bool = False,
    now: datetime | None = None,
) -> Activity:
    """A note, call or meeting a recruiter logs on a candidate's timeline.

    Calls need an outcome (`CALL_OUTCOMES`) and may give a duration; meetings need a date,
    and one more than a year away needs `confirm_far_date`. Notes and calls default to now
    and cannot be in the future.
    """
    fields = _clean_logged(
        kind, body=body, occurred_at=occurred_at, outcome=outcome, duration_minutes=duration_minutes,
        attendees=attendees, confirm_far_date=confirm_far_date, now=now or timezone.now(),
    )  # fmt: skip
    return activity_record(
        org=candidate.organization, candidate_id=candidate.pk, kind=kind, actor_id=actor.pk, **fields
    )


def _check_editable(activity: Activity, actor: User) -> None:
    # Views find the activity through `selectors.own_logged_activity` (404 otherwise); this guards other callers.
    if activity.kind not in Activity.LOGGED_KINDS or activity.actor_id != actor.pk:
        raise PermissionDenied("Only the author can change a note, call or meeting; other activities are immutable.")


@transaction.atomic
def activity_edit(
    *,
    activity: Activity,
    actor: User,
    body: str = "",
    occurred_at: datetime | None = None,
    outcome: str = "",
    duration_minutes: int | None = None,
    attendees: list[str] | tuple[str, ...] = (),
    confirm_far_date: bool = False,
    now: datetime | None = None,
) -> Activity:
    """Change one's own note, call or meeting (same rules as `activity_log`); its kind stays."""
    _check_editable(activity, actor)
    # A far date confirmed when the activity was logged stays confirmed while the date is unchanged.
    # (Forms send minutes: a date within the same minute is the same date.)
    unchanged_date = occurred_at is None or abs(occurred_at - activity.occurred_at) < timedelta(minutes=1)
    fields = _clean_logged(
        activity.kind, body=body, occurred_at=occurred_at or activity.occurred_at, outcome=outcome,
        duration_minutes=duration_minutes, attendees=attendees, confirm_far_date=confirm_far_date or unchanged_date,
        now=now or timezone.now(),
    )  # fmt: skip
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.edited_at = timezone.now()
    activity.save(update_fields=[*fields, "edited_at"])
    if activity.kind in SCORED_KINDS:
        queue_strength_refresh(activity.candidate_id)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User) -> None:
    _check_editable(activity, actor)
    candidate_id, kind = activity.candidate_id, activity.kind
    activity.delete()
    if kind in SCORED_KINDS:
        queue_strength_refresh(candidate_id)


# --- Reminders ----------------------------------------------------------------------------------


def _clean_reminder(org: Organization, *, recruiter: User | None, due_at: datetime | None, note: str) -> str:
    errors: dict[str, list[str]] = {}
    if recruiter is not None and not Membership.objects.for_org(org).filter(user=recruiter).exists():
        errors["recruiter"] = ["The reminder must be for a member of this organisation."]
    if due_at is not None and timezone.is_naive(due_at):
        errors["due_at"] = ["Give the time with its time zone."]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = ["Keep the note under 300 characters."]
    if errors:
        raise ValidationError(errors)
    return note


@transaction.atomic
def reminder_create(
    *,
    org: Organization,
    candidate_id: int,
    recruiter: User,
    due_at: datetime,
    note: str = "",
    created_by: User | None = None,
    origin: str = Reminder.Origin.RECRUITER,
) -> Reminder:
    """A reminder for `recruiter` about one of the organisation's candidates."""
    if not Candidate.objects.for_org(org).filter(pk=candidate_id).exists():
        raise ValidationError({"candidate": ["No such candidate in this organisation."]})
    note = _clean_reminder(org, recruiter=recruiter, due_at=due_at, note=note)
    return Reminder.objects.create(
        organization=org,
        candidate_id=candidate_id,
        recruiter=recruiter,
        due_at=due_at,
        note=note or "Follow up",
        origin=origin,
        created_by=created_by,
    )


_UNSET: Any = object()


@transaction.atomic
def reminder_update(
    *,
    reminder: Reminder,
    due_at: datetime = _UNSET,
    note: str = _UNSET,
    recruiter: User = _UNSET,
    done: bool = _UNSET,
) -> Reminder:
    """Change what is given: the due time, the note, whom it is for, or whether it is done."""
    changed: list[str] = []
    cleaned_note = _clean_reminder(
        reminder.organization,
        recruiter=None if recruiter is _UNSET else recruiter,
        due_at=None if due_at is _UNSET else due_at,
        note="" if note is _UNSET else note,
    )
    if due_at is not _UNSET:
        reminder.due_at = due_at
        changed.append("due_at")
    if note is not _UNSET:
        reminder.note = cleaned_note or "Follow up"
        changed.append("note")
    if recruiter is not _UNSET:
        reminder.recruiter = recruiter
        changed.append("recruiter")
    if done is not _UNSET and bool(reminder.done_at) != done:
        reminder.done_at = timezone.now() if done else None
        changed.append("done_at")
    if changed:
        reminder.save(update_fields=changed)
    return reminder


def reminder_complete(*, reminder: Reminder, now: datetime | None = None) -> Reminder:
    """Tick a reminder off; ticking it twice keeps the first time."""
    now = now or timezone.now()
    if Reminder.objects.filter(pk=reminder.pk, done_at__isnull=True).update(done_at=now):
        reminder.done_at = now
    else:
        reminder.refresh_from_db(fields=["done_at"])
    return reminder


SNOOZE_CHOICES = {1: "1 day", 7: "1 week"}


def reminder_snooze(*, reminder: Reminder, days: int, now: datetime | None = None) -> Reminder:
    """Move an open reminder `days` days from now (1 or 7)."""
    if days not in SNOOZE_CHOICES:
        raise ValidationError({"days": ["Snooze for 1 day or 1 week."]})
    if reminder.done_at:
        raise ValidationError({"days": ["This reminder is already done."]})
    reminder.due_at = (now or timezone.now()) + timedelta(days=days)
    reminder.save(update_fields=["due_at"])
    return reminder


def reminder_delete(*, reminder: Reminder) -> None:
    reminder.delete()
