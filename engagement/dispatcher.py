"""The follow-up dispatcher: claims due enrollments, writes their step's message, advances them.

Beat runs `dispatch_due` every minute (task `engagement.dispatch_followups`); `manage.py
dispatch_followups` runs one pass. Follow-ups are rows with a `next_run_at`, never Celery ETA
tasks, so nothing is lost when a worker or Redis restarts.

Claiming: on PostgreSQL a batch of due rows is locked with `SELECT … FOR UPDATE SKIP LOCKED` and
processed in that one transaction, so concurrent dispatchers take disjoint rows and a crash rolls
the whole batch back. Elsewhere (SQLite) each row is leased with a conditional UPDATE of
`claimed_until` and processed in its own transaction; an expired lease is taken again. Either
way the message is written with the idempotency key `enrollment:<id>:step:<id>`, so a step run
twice writes one message; messaging delivers it after commit and never sends a row twice.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from candidates.models import Candidate
from engagement.models import Reminder
from engagement.sequence_models import Enrollment, Sequence, SequenceStep
from engagement.sequences import (
    ENROLL_SKIP_REASONS,
    bulk_sends_paused,
    candidate_tz,
    local_day_start,
    next_day_opening,
    next_opening,
    reminder_for_owner,
    schedule_step,
)
from messaging.models import Message, Thread
from messaging.rendering import TemplateError, render_message
from messaging.services import MessagingError, message_reply, skip_reasons, thread_start

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a batch takes; an expired lease means the dispatcher died
RETRY_AFTER = timedelta(minutes=15)  # an enrollment whose step crashed is tried again after this
PASS_SECONDS = 50.0  # one pass stops taking new batches after this, before beat's next minute

State = Enrollment.State


@dataclass
class DispatchResult:
    claimed: int = 0
    messages: int = 0  # e-mail steps written (queued for delivery)
    tasks: int = 0  # task steps turned into reminders
    completed: int = 0
    replied: int = 0
    stopped: int = 0
    postponed: int = 0  # outside the window, over the daily cap or bulk sends paused
    failed: int = 0  # an unexpected error: tried again after RETRY_AFTER

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def idempotency_key(enrollment_id: int, step_id: int) -> str:
    return f"enrollment:{enrollment_id}:step:{step_id}"


def _due(now: datetime):
    return Enrollment.objects.filter(state=State.ACTIVE, sequence__status=Sequence.Status.ACTIVE, next_run_at__lte=now)


def dispatch_due(
    *, now: datetime | None = None, batch_size: int = 100, max_batches: int | None = None
) -> DispatchResult:
    """Run every due step once, batch by batch; returns what happened. Safe to run concurrently."""
    now = now or timezone.now()
    result = DispatchResult()
    started, batches = clock.monotonic(), 0
    while max_batches is None or batches < max_batches:
        if connection.vendor == "postgresql":
            taken = _locked_batch(now=now, batch_size=batch_size, result=result)
        else:
            taken = _leased_batch(now=now, batch_size=batch_size, result=result)
        batches += 1
        if taken < batch_size or clock.monotonic() - started > PASS_SECONDS:
            break
    return result


def _locked_batch(*, now: datetime, batch_size: int, result: DispatchResult) -> int:
    with transaction.atomic():
        ids = list(
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_run_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            _process(ids, now=now, result=result, row_transactions=False)
    return len(ids)


def _leased_batch(*, now: datetime, batch_size: int, result: DispatchResult) -> int:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ids = list(_due(now).filter(free).order_by("next_run_at", "pk").values_list("pk", flat=True)[:batch_size])
    mine = [pk for pk in ids if _due(now).filter(free, pk=pk).update(claimed_until=now + LEASE)]
    if mine:
        _process(mine, now=now, result=result, row_transactions=True)
    return len(ids)


# --- One batch ----------------------------------------------------------------------------------


@dataclass
class _Facts:
    """What a batch reads once for all its enrollments."""

    skip: dict[int, str]
    answered_at: dict[int, datetime]
    last_thread: dict[int, Thread]
    steps: dict[int, SequenceStep]
    following: dict[tuple[int, int], SequenceStep]
    sent_today: dict[tuple[int, int | None], int]


def _facts(enrollments: list[Enrollment], now: datetime) -> _Facts:
    by_org: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_org[enrollment.organization_id].append(enrollment)
    candidate_ids = [e.candidate_id for e in enrollments]
    skip: dict[int, str] = {}
    sent_today: dict[tuple[int, int | None], int] = defaultdict(int)
    for rows in by_org.values():
        org = rows[0].organization
        day_start = local_day_start(now, org=org)
        skip.update(skip_reasons(org=org, candidates=Candidate.objects.filter(pk__in=[e.candidate_id for e in rows])))
        counted = (
            Message.objects.filter(
                organization=org,
                direction=Message.Direction.OUT,
                sequence_step_id__isnull=False,
                created_at__gte=day_start,
                created_at__lt=day_start + timedelta(days=1),
                sender_id__in={_recruiter_id(e) for e in rows},
            )
            .exclude(status=Message.Status.CANCELLED)
            .values("sender_id")
            .annotate(n=Count("id"))
        )
        for row in counted:
            sent_today[(org.pk, row["sender_id"])] = row["n"]
    # Any real answer by the candidate, in any conversation (the dispatcher stops on "any reply").
    answered_at = dict(
        Message.objects.answers()
        .filter(candidate_id__in=candidate_ids)
        .values("candidate_id")
        .annotate(last=Max("created_at"))
        .values_list("candidate_id", "last")
    )
    last_thread: dict[int, Thread] = {}
    for thread in Thread.objects.filter(enrollment_id__in=[e.pk for e in enrollments]).order_by("created_at", "id"):
        last_thread[thread.enrollment_id] = thread
    steps = {
        s.pk: s
        for s in SequenceStep.objects.filter(sequence_id__in={e.sequence_id for e in enrollments}).select_related(
            "template"
        )
    }
    following = {(s.sequence_id, s.order): s for s in steps.values()}
    return _Facts(skip, answered_at, last_thread, steps, following, sent_today)


def _recruiter(enrollment: Enrollment):
    return enrollment.sequence.owner or enrollment.enrolled_by


def _recruiter_id(enrollment: Enrollment) -> int | None:
    return enrollment.sequence.owner_id or enrollment.enrolled_by_id


def _process(ids: list[int], *, now: datetime, result: DispatchResult, row_transactions: bool) -> None:
    enrollments = list(
        Enrollment.objects.filter(pk__in=ids)
        .select_related("organization", "sequence__owner", "enrolled_by", "candidate__organization")
        .prefetch_related("candidate__skills")
        .order_by("next_run_at", "pk")
    )
    result.claimed += len(enrollments)
    facts = _facts(enrollments, now)
    for enrollment in enrollments:
        try:
            with transaction.atomic():  # a savepoint on PostgreSQL, the row's own transaction elsewhere
                if row_transactions and not _still_ours(enrollment, now):
                    continue
                _run(enrollment, facts=facts, now=now, result=result)
        except Exception:
            logger.exception("Enrollment %s: its step failed; trying again later", enrollment.pk)
            Enrollment.objects.filter(pk=enrollment.pk, state=State.ACTIVE).update(
                next_run_at=now + RETRY_AFTER, claimed_until=None
            )
            result.failed += 1


def _still_ours(enrollment: Enrollment, now: datetime) -> bool:
    """Re-read under the row's transaction: paused or stopped since the claim means leave it."""
    return _due(now).filter(pk=enrollment.pk, next_step_id=enrollment.next_step_id).exists()


def _update(enrollment: Enrollment, now: datetime, **fields) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(claimed_until=None, updated_at=now, **fields)


def _end(enrollment: Enrollment, now: datetime, *, state: str, reason: str, result: DispatchResult) -> None:
    _update(enrollment, now, state=state, stop_reason=reason[:300], stopped_at=now, next_run_at=None)
    if state == State.REPLIED:
        result.replied += 1
    else:
        result.stopped += 1


def _postpone(enrollment: Enrollment, now: datetime, until: datetime, result: DispatchResult) -> None:
    _update(enrollment, now, next_run_at=until)
    result.postponed += 1


def _run(enrollment: Enrollment, *, facts: _Facts, now: datetime, result: DispatchResult) -> None:
    org, candidate, sequence = enrollment.organization, enrollment.candidate, enrollment.sequence
    tz_name = candidate_tz(candidate, org)
    window = {"window_start": sequence.send_window_start, "window_end": sequence.send_window_end}
    step = facts.steps.get(enrollment.next_step_id)
    recruiter = _recruiter(enrollment)

    # Stop rules, checked again now: events may have been missed or arrived after the claim.
    reason = facts.skip.get(candidate.pk)
    if reason:
        return _end(enrollment, now, state=State.STOPPED, reason=ENROLL_SKIP_REASONS[reason], result=result)
    if candidate.stage in Candidate.FINAL_STAGES:
        label = Candidate.Stage(candidate.stage).label
        return _end(enrollment, now, state=State.STOPPED, reason=f"Stage moved to {label}.", result=result)
    answered = facts.answered_at.get(candidate.pk)
    if answered is not None and answered >= enrollment.enrolled_at:
        return _end(enrollment, now, state=State.REPLIED, reason="The candidate replied.", result=result)
    if step is None:
        _update(enrollment, now, state=State.COMPLETED, completed_at=now, next_run_at=None, next_step=None)
        result.completed += 1
        return

    # Timing and guardrails: a step that fell due outside the window (a resumed enrollment) waits.
    opening = next_opening(now, org=org, tz_name=tz_name, **window)
    if opening != now:
        return _postpone(enrollment, now, opening, result)
    if step.kind == SequenceStep.Kind.EMAIL:
        tomorrow = next_day_opening(now, org=org, tz_name=tz_name, sequence=sequence)
        if bulk_sends_paused(org, recruiter):
            return _postpone(enrollment, now, tomorrow, result)
        cap_key = (org.pk, recruiter.pk if recruiter else None)
        if org.daily_send_cap and facts.sent_today[cap_key] >= org.daily_send_cap:
            return _postpone(enrollment, now, tomorrow, result)
        problem = _write_message(enrollment, step=step, recruiter=recruiter, facts=facts)
        if problem:
            return _end(enrollment, now, state=State.STOPPED, reason=problem, result=result)
        facts.sent_today[cap_key] += 1
        result.messages += 1
    else:
        reminder_for_owner(enrollment=enrollment, note=step.task_text, origin=Reminder.Origin.SEQUENCE, due_at=now)
        result.tasks += 1

    following = facts.following.get((sequence.pk, step.order + 1))
    if following is None:
        _update(
            enrollment, now, state=State.COMPLETED, completed_at=now, next_run_at=None, next_step=None,
            steps_done=F("steps_done") + 1,
        )  # fmt: skip
        result.completed += 1
    else:
        following.sequence = sequence
        _update(
            enrollment, now, next_step=following, steps_done=F("steps_done") + 1,
            next_run_at=schedule_step(following, after=now, org=org, tz_name=tz_name),
        )  # fmt: skip


def _write_message(enrollment: Enrollment, *, step: SequenceStep, recruiter, facts: _Facts) -> str:
    """Write the step's message (queued; delivered after commit). Returns why it can't be, or ''."""
    org, candidate = enrollment.organization, enrollment.candidate
    template = step.template
    if template is None:
        return f"Step {step.order} has no template."
    try:
        rendered = render_message(
            subject=template.subject, body=template.body, candidate=candidate, recruiter=recruiter, organization=org
        )
    except TemplateError as error:
        return f"Step {step.order} could not be written for this candidate: {error}"[:300]
    key = idempotency_key(enrollment.pk, step.pk)
    previous = facts.last_thread.get(enrollment.pk)
    try:
        if step.same_thread and previous is not None:
            previous.organization, previous.candidate = org, candidate
            message = message_reply(
                thread=previous, sender=recruiter, body=rendered.body, template=template,
                idempotency_key=key, sequence_step_id=step.pk,
            )  # fmt: skip
        else:
            message = thread_start(
                org=org, candidate=candidate, recruiter=recruiter, subject=rendered.subject, body=rendered.body,
                template=template, origin=Thread.Origin.SEQUENCE, enrollment_id=enrollment.pk,
                sequence_step_id=step.pk, idempotency_key=key,
            )  # fmt: skip
            facts.last_thread[enrollment.pk] = message.thread
    except MessagingError as error:  # NotContactable included
        return str(error.message)[:300]
    return ""
