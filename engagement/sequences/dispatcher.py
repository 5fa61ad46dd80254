"""The follow-up dispatcher: claims due enrollments, writes their step's message, advances them.

Beat runs `dispatch_due` every minute (task `engagement.dispatch_followups`); `manage.py
dispatch_followups` runs one pass. Follow-ups are rows with a `next_run_at`, never Celery ETA
tasks, so nothing is lost when a worker or Redis restarts.

Claiming: on PostgreSQL a batch of due rows is locked with `SELECT … FOR UPDATE SKIP LOCKED` and
processed in that one transaction, so concurrent dispatchers take disjoint rows and a crash rolls
the whole batch back. Elsewhere (SQLite) each row is leased with a conditional UPDATE of
`claimed_until` and processed in its own transaction; an expired lease is taken again. Either
way the message is written with the idempotency key `enrollment:<id>:step:<id>`, so a step run
twice writes one message; messaging delivers it after commit and never sends a row twice. In the
same transaction each new message gets its `SequenceMessage` link (messaging keeps no engagement
ids): that is how the enrollment's conversation is found for the next same-thread step.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from candidates.models import Candidate
from engagement.sequences.dispatch_facts import Facts, batch_facts, recruiter_of
from engagement.sequences.enrolment_batches import ENROLL_SKIP_REASONS
from engagement.sequences.lifecycle import reminder_for_owner
from engagement.sequences.models import Enrollment, Sequence, SequenceMessage, SequenceStep
from engagement.sequences.timing import candidate_tz, next_day_opening, next_opening, schedule_step
from engagement.timeline.models import Reminder
from messaging.models import Thread
from messaging.outbox import OutgoingDraft, Written, messages_write_many
from messaging.rendering import TemplateError, render_message
from messaging.services import CANDIDATE_HEAVY_FIELDS
from talentcircles.models import Organization, User

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a batch takes; an expired lease means the dispatcher died
RETRY_AFTER = timedelta(minutes=15)  # an enrollment whose step crashed is tried again after this
PASS_SECONDS = 50.0  # one pass stops taking new batches after this, before beat's next minute

State = Enrollment.State
_ONE_MORE_STEP = F("steps_done") + 1  # one object, so grouping the batch's UPDATEs compares by identity


@dataclass
class DispatchResult:
    claimed: int = 0
    messages: int = 0  # e-mail steps written (queued for delivery)
    tasks: int = 0  # task steps turned into reminders
    completed: int = 0
    replied: int = 0
    stopped: int = 0
    postponed: int = 0  # outside the window, over a daily limit or bulk sends paused
    held: int = 0  # paused by the contact policy: the candidate is in a live conversation elsewhere
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
    mine = _lease(ids, now=now)
    if mine:
        _process(mine, now=now, result=result, row_transactions=True)
    return len(ids)


def _lease(ids: list[int], *, now: datetime) -> list[int]:
    """Lease the still-free due rows among `ids` in one conditional UPDATE … RETURNING (SQLite ≥ 3.35).

    Of two dispatchers only one leases each row. `_process` re-reads the rows (the sequence's status
    included) in its transaction before acting on them.
    """
    if not ids:
        return []
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET claimed_until = %s WHERE id IN ({marks}) AND state = %s "  # noqa: S608
        "AND next_run_at <= %s AND (claimed_until IS NULL OR claimed_until < %s) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now + LEASE), *ids, State.ACTIVE, adapt(now), adapt(now)])
        leased = {row[0] for row in cursor.fetchall()}
    return [pk for pk in ids if pk in leased]


# --- One batch ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What one enrollment's turn comes to, decided in memory before the batch writes anything."""

    enrollment: Enrollment
    fields: dict = field(default_factory=dict)  # the enrollment's UPDATE
    outcome: str = ""  # a DispatchResult counter to add one to: replied, stopped, completed, postponed
    task: SequenceStep | None = None  # a task step: remind the owner
    draft: OutgoingDraft | None = None  # an e-mail step: the message to write
    step: SequenceStep | None = None  # the step the draft is for
    cap_key: tuple[int, int | None] | None = None


def _process(ids: list[int], *, now: datetime, result: DispatchResult, row_transactions: bool) -> None:
    """Run one claimed batch: decide every enrollment, write all messages at once, advance all at once.

    A fixed number of statements for the batch (the facts, one bulk message write per organisation,
    one UPDATE per kind of change); a task step's reminder costs its own few. An unexpected error
    in one enrollment's turn leaves it for RETRY_AFTER without stopping the others.
    """
    enrollments = list(
        Enrollment.objects.filter(pk__in=ids)
        .select_related("candidate", "job")
        .defer(*CANDIDATE_HEAVY_FIELDS)
        .prefetch_related("candidate__skills")
        .order_by("next_run_at", "pk")
    )
    _share_related(enrollments)
    with transaction.atomic():
        if row_transactions:
            # Leased (SQLite): re-read in this transaction; paused or stopped since the claim means leave it.
            ours = set(_due(now).filter(pk__in=[e.pk for e in enrollments]).values_list("pk", "next_step_id"))
            enrollments = [e for e in enrollments if (e.pk, e.next_step_id) in ours]
        result.claimed += len(enrollments)
        facts = batch_facts(enrollments, now)
        plans: list[_Plan] = []
        failed: list[int] = []
        for enrollment in enrollments:
            try:
                plans.append(_plan(enrollment, facts=facts, now=now))
            except Exception:
                logger.exception("Enrollment %s: its step failed; trying again later", enrollment.pk)
                failed.append(enrollment.pk)
        plans = _write(plans, facts=facts, now=now, result=result, failed=failed)
        plans = _remind(plans, now=now, result=result, failed=failed)
        _apply(plans, now=now, result=result)
        if failed:
            Enrollment.objects.filter(pk__in=failed, state=State.ACTIVE).update(
                next_run_at=now + RETRY_AFTER, claimed_until=None
            )
            result.failed += len(failed)


def _share_related(enrollments: list[Enrollment]) -> None:
    """Attach organisations, sequences and users: a batch has a few of each, so one object apiece
    shared by its enrollments is cheaper than a copy per row from select_related."""
    orgs = Organization.objects.in_bulk({e.organization_id for e in enrollments})
    sequences = Sequence.objects.in_bulk({e.sequence_id for e in enrollments})
    user_ids = {e.enrolled_by_id for e in enrollments} | {s.owner_id for s in sequences.values()}
    users = User.objects.in_bulk(user_ids - {None})
    for sequence in sequences.values():
        sequence.organization = orgs[sequence.organization_id]
        sequence.owner = users.get(sequence.owner_id)
    for enrollment in enrollments:
        enrollment.organization = enrollment.candidate.organization = orgs[enrollment.organization_id]
        enrollment.sequence = sequences[enrollment.sequence_id]
        enrollment.enrolled_by = users.get(enrollment.enrolled_by_id)


def _end(plan: _Plan, now: datetime, *, state: str, reason: str) -> _Plan:
    plan.fields = {"state": state, "stop_reason": reason[:300], "stopped_at": now, "next_run_at": None}
    plan.outcome = "replied" if state == State.REPLIED else "stopped"
    plan.draft = plan.task = None
    return plan


def _postpone(plan: _Plan, until: datetime) -> _Plan:
    plan.fields, plan.outcome = {"next_run_at": until}, "postponed"
    return plan


def _plan(enrollment: Enrollment, *, facts: Facts, now: datetime) -> _Plan:
    org, candidate, sequence = enrollment.organization, enrollment.candidate, enrollment.sequence
    plan = _Plan(enrollment)
    tz_name = candidate_tz(candidate, org)
    window = {"window_start": sequence.send_window_start, "window_end": sequence.send_window_end}
    step = facts.steps.get(enrollment.next_step_id) if enrollment.next_step_id else None
    recruiter = recruiter_of(enrollment)

    # Stop rules, checked again now (the contact policy, purpose sequence_step): events may have been
    # missed or arrived after the claim.
    reasons = facts.reasons(candidate.pk)
    reason = facts.skip.get(candidate.pk)
    if reason:
        return _end(plan, now, state=State.STOPPED, reason=ENROLL_SKIP_REASONS[reason])
    if "final_stage" in reasons:
        label = Candidate.Stage(candidate.stage).label
        return _end(plan, now, state=State.STOPPED, reason=f"Stage moved to {label}.")
    answered = facts.answered_at.get(candidate.pk)
    if answered is not None and answered >= enrollment.enrolled_at:
        return _end(plan, now, state=State.REPLIED, reason="The candidate replied.")
    if step is None:
        plan.fields = {"state": State.COMPLETED, "completed_at": now, "next_run_at": None, "next_step": None}
        plan.outcome = "completed"
        return plan
    if "in_conversation" in reasons:  # a conversation outside this sequence: a person decides when to resume
        plan.fields = {"state": State.PAUSED, "stop_reason": f"Paused: {reasons['in_conversation'].detail}"[:300]}
        plan.outcome = "held"
        return plan

    # Timing and guardrails: a step that fell due outside the window (a resumed enrollment) waits.
    opening = next_opening(now, org=org, tz_name=tz_name, **window)
    if opening != now:
        return _postpone(plan, opening)
    if step.kind == SequenceStep.Kind.EMAIL:
        tomorrow = next_day_opening(now, org=org, tz_name=tz_name, sequence=sequence)
        if facts.bulk_sends_paused(org, recruiter):
            return _postpone(plan, tomorrow)
        cap_key = (org.pk, recruiter.pk if recruiter else None)
        if org.daily_send_cap and facts.sent_today[cap_key] >= org.daily_send_cap:
            return _postpone(plan, tomorrow)
        if facts.automated_limit_reached(org, candidate.pk):  # across all sequences: the next day
            return _postpone(plan, tomorrow)
        problem = _draft(plan, step=step, recruiter=recruiter, facts=facts)
        if problem:
            return _end(plan, now, state=State.STOPPED, reason=problem)
        # Counted now so the cap holds within the batch; a draft the writer refuses gives it back.
        facts.sent_today[cap_key] += 1
        facts.automated_planned[candidate.pk] += 1
        plan.cap_key = cap_key
    else:
        plan.task = step

    following = facts.following.get((sequence.pk, step.order + 1))
    if following is None:
        plan.fields = {"state": State.COMPLETED, "completed_at": now, "next_run_at": None, "next_step": None}
        plan.outcome = "completed"
    else:
        following.sequence = sequence
        plan.fields = {
            "next_step": following,
            "next_run_at": schedule_step(following, after=now, org=org, tz_name=tz_name),
        }
    plan.fields["steps_done"] = _ONE_MORE_STEP
    return plan


def _draft(plan: _Plan, *, step: SequenceStep, recruiter, facts: Facts) -> str:
    """Render the step's message for this candidate into `plan.draft`. Returns why it can't be, or ''."""
    enrollment = plan.enrollment
    org, candidate = enrollment.organization, enrollment.candidate
    template = step.template
    if template is None:
        return f"Step {step.order} has no template."
    job = enrollment.job  # what the enrolment is about, if anything: {{ job.title }} and the rest
    if job is not None:
        job.organization = org
    try:
        rendered = render_message(
            subject=template.subject, body=template.body, candidate=candidate, recruiter=recruiter, organization=org,
            extra={"job": job} if job is not None else None,
        )  # fmt: skip
    except TemplateError as error:
        return f"Step {step.order} could not be written for this candidate: {error}"[:300]
    previous = facts.last_thread.get(enrollment.pk) if step.same_thread else None
    if previous is not None:
        previous.organization, previous.candidate = org, candidate
    plan.draft = OutgoingDraft(
        candidate=candidate, sender=recruiter, subject="" if previous else rendered.subject, body=rendered.body,
        template=template, thread=previous, origin=Thread.Origin.SEQUENCE, automated=True,
        idempotency_key=idempotency_key(enrollment.pk, step.pk), topic=f"job:{job.pk}" if job is not None else "",
    )  # fmt: skip
    plan.step = step
    return ""


def _write(
    plans: list[_Plan], *, facts: Facts, now: datetime, result: DispatchResult, failed: list[int]
) -> list[_Plan]:
    """Write every planned message through messaging's bulk writer, one call per organisation."""
    by_org: dict[int, list[_Plan]] = defaultdict(list)
    for plan in plans:
        if plan.draft is not None:
            by_org[plan.enrollment.organization_id].append(plan)
    broken: set[int] = set()
    for org_plans in by_org.values():
        org = org_plans[0].enrollment.organization
        try:
            with transaction.atomic():  # a savepoint: a failed write leaves none of these messages
                # The contactability facts were read in this transaction, at claim time.
                written = messages_write_many(org=org, drafts=[p.draft for p in org_plans if p.draft], skip=facts.skip)
                _link(org, org_plans, written)
        except Exception:
            logger.exception("Writing %s follow-ups failed; trying them again later", len(org_plans))
            broken.update(p.enrollment.pk for p in org_plans)
            continue
        for plan, outcome in zip(org_plans, written, strict=True):
            if outcome.problem is not None:  # not contactable (or bad input) since the facts were read
                if plan.cap_key is not None:
                    facts.sent_today[plan.cap_key] -= 1
                    facts.automated_planned[plan.enrollment.candidate_id] -= 1
                _end(plan, now, state=State.STOPPED, reason=str(outcome.problem.message))
            else:
                result.messages += 1
    failed.extend(broken)
    return [plan for plan in plans if plan.enrollment.pk not in broken]


def _link(org: Organization, plans: list[_Plan], written: list[Written]) -> None:
    """Each written message's link to its enrollment and step. A message written before with the same key
    (a repeated pass) was linked with it; ignore_conflicts keeps that link rather than failing."""
    links = [
        SequenceMessage(
            message_id=outcome.message.pk,
            thread_id=outcome.message.thread_id,
            enrollment_id=plan.enrollment.pk,
            step_id=plan.step.pk if plan.step else None,
            organization_id=org.pk,
        )
        for plan, outcome in zip(plans, written, strict=True)
        if outcome.message is not None
    ]
    SequenceMessage.objects.bulk_create(links, ignore_conflicts=True)


def _remind(plans: list[_Plan], *, now: datetime, result: DispatchResult, failed: list[int]) -> list[_Plan]:
    """Task steps: a reminder for the owner each (rare next to e-mails, so one by one)."""
    kept = []
    for plan in plans:
        if plan.task is not None:
            try:
                with transaction.atomic():
                    reminder_for_owner(
                        enrollment=plan.enrollment, note=plan.task.task_text, origin=Reminder.Origin.SEQUENCE,
                        due_at=now,
                    )  # fmt: skip
            except Exception:
                logger.exception("Enrollment %s: its task step failed; trying again later", plan.enrollment.pk)
                failed.append(plan.enrollment.pk)
                continue
            result.tasks += 1
        kept.append(plan)
    return kept


def _column(name: str, value):
    """The enrollment column and value an UPDATE writes for `name`: a step is written by its id."""
    if name == "next_step":
        return "next_step_id", value.pk if value is not None else None
    return name, value


def _apply(plans: list[_Plan], *, now: datetime, result: DispatchResult) -> None:
    """Every enrollment's UPDATE: one statement per set of columns, values that differ by CASE on the id."""
    groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    ids: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for plan in plans:
        if plan.outcome:
            setattr(result, plan.outcome, getattr(result, plan.outcome) + 1)
        columns = dict(_column(name, value) for name, value in plan.fields.items())
        key = tuple(sorted(columns))
        groups[key].append(columns)
        ids[key].append(plan.enrollment.pk)
    for key, rows in groups.items():
        pks = ids[key]
        update = {}
        for column in key:
            values = [row[column] for row in rows]
            if all(value is values[0] or value == values[0] for value in values):
                update[column] = values[0]
            else:
                # next_run_at (each candidate's own time zone and window) differs from one to the next.
                output = Enrollment._meta.get_field(column)  # by column name: next_step_id is the foreign key
                if isinstance(output, models.ForeignKey):
                    output = output.target_field  # the id's own type
                assert isinstance(output, models.Field)  # a concrete column, not a reverse relation
                update[column] = Case(
                    *[When(pk=pk, then=Value(value)) for pk, value in zip(pks, values, strict=True)],
                    default=F(column),
                    output_field=output,
                )
        Enrollment.objects.filter(pk__in=pks).update(claimed_until=None, updated_at=now, **update)
