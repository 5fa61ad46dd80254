"""Running enrollments paused, resumed, stopped and postponed; the owner reminded.

Stopping is idempotent: only enrollments still running move, so a rule applied twice changes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from engagement.sequences.models import Enrollment
from engagement.sequences.timing import candidate_tz, next_opening
from engagement.timeline.models import Reminder

State = Enrollment.State


# --- Pausing, resuming, stopping ----------------------------------------------------------------


def enrollments_stop(
    enrollments: QuerySet, *, reason: str, state: str = State.STOPPED, now: datetime | None = None
) -> int:
    now = now or timezone.now()
    return enrollments.filter(state__in=Enrollment.RUNNING_STATES).update(
        state=state, stop_reason=reason[:300], stopped_at=now, next_run_at=None, claimed_until=None, updated_at=now
    )


def _transition(enrollment: Enrollment, *, from_states: Iterable[str], message: str, **updates) -> Enrollment:
    now = updates.pop("now", None) or timezone.now()
    changed = Enrollment.objects.filter(pk=enrollment.pk, state__in=list(from_states)).update(updated_at=now, **updates)
    if not changed:
        raise ValidationError({"state": [message]})
    enrollment.refresh_from_db()
    return enrollment


@transaction.atomic
def enrollment_pause(*, enrollment: Enrollment) -> Enrollment:
    return _transition(
        enrollment, from_states=[State.ACTIVE], message="Only an active enrollment can be paused.", state=State.PAUSED
    )


@transaction.atomic
def enrollment_resume(*, enrollment: Enrollment) -> Enrollment:
    """Back to active; a step that fell due while paused runs at the next pass (inside the window)."""
    return _transition(
        enrollment, from_states=[State.PAUSED], message="Only a paused enrollment can be resumed.", state=State.ACTIVE
    )


@transaction.atomic
def enrollment_stop(*, enrollment: Enrollment, reason: str = "Stopped by a recruiter.", now=None) -> Enrollment:
    now = now or timezone.now()
    return _transition(
        enrollment, from_states=Enrollment.RUNNING_STATES, message="This enrollment is no longer running.",
        state=State.STOPPED, stop_reason=reason[:300], stopped_at=now, next_run_at=None, claimed_until=None, now=now,
    )  # fmt: skip


@transaction.atomic
def enrollments_stop_for_candidate(
    *, candidate_id: int, reason: str, now: datetime | None = None, state: str = State.STOPPED
) -> list[int]:
    """Stop every running enrollment of the candidate; returns the ids stopped (none twice)."""
    running = Enrollment.objects.select_for_update().filter(
        candidate_id=candidate_id, state__in=Enrollment.RUNNING_STATES
    )
    ids = list(running.values_list("pk", flat=True))
    enrollments_stop(Enrollment.objects.filter(pk__in=ids), reason=reason, state=state, now=now)
    return ids


@transaction.atomic
def enrollments_postpone_for_candidate(
    *, candidate_id: int, days: int = 0, now: datetime | None = None, back_on: date | None = None
) -> int:
    """Out of office: the candidate's next steps run no sooner than `days` days from `now`, or than
    the day they say they are back (`back_on`, from the start of that day in their time zone), in
    the send window. Returns how many moved. Idempotent: the same auto-reply handled twice moves
    nothing further; a step already due later stays where it is."""
    now = now or timezone.now()
    moved = 0
    running = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(candidate_id=candidate_id, state__in=Enrollment.RUNNING_STATES)
        .select_related("sequence", "organization", "candidate")
    )
    for enrollment in running:
        org = enrollment.organization
        tz_name = candidate_tz(enrollment.candidate, org)
        not_before = now + timedelta(days=days)
        if back_on is not None:
            not_before = max(not_before, datetime.combine(back_on, time.min, tzinfo=_zone(tz_name)))
        earliest = next_opening(
            not_before,
            org=org,
            tz_name=tz_name,
            window_start=enrollment.sequence.send_window_start,
            window_end=enrollment.sequence.send_window_end,
        )
        if enrollment.next_run_at is None or enrollment.next_run_at < earliest:
            Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=earliest, updated_at=now)
            moved += 1
    return moved


def _zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else timezone.get_default_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def reminder_for_owner(*, enrollment: Enrollment, note: str, origin: str, due_at: datetime) -> Reminder | None:
    """A reminder for the enrollment's owner (the sequence's, else who enrolled); None if neither is a member."""
    from engagement.timeline.services import reminder_create

    for recruiter in (enrollment.sequence.owner, enrollment.enrolled_by):
        if recruiter is None:
            continue
        try:
            return reminder_create(
                org=enrollment.organization, candidate_id=enrollment.candidate_id, recruiter=recruiter,
                due_at=due_at, note=note[:300], origin=origin,
            )  # fmt: skip
        except ValidationError:
            continue
    return None
