"""Engagement's subscriber to `talentcircles.events`: turns what other apps report into timeline rows.

Runs inside the emitter's transaction, so an activity is written exactly when the change it
records is; anything slow (relationship strength) is queued on commit by the services.
Subscribed from `EngagementConfig.ready()`, which also adds the higher parts' handlers with
`register_handlers`: the sequences' stop rules run before the timeline's own handler of a kind,
the circles' erasure and the response-rate roll-ups after it. The timeline imports none of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from typing import TypeVar

from django.db.models import Case, Value, When

from candidates.models import Candidate, ConsentRecord
from candidates.services import candidate_set_stage, candidates_set_stage
from engagement.timeline.deliverability import bounce_summary, complained
from engagement.timeline.models import Activity, Relationship, Reminder
from engagement.timeline.services import (
    activities_record,
    activities_record_rows,
    activity_build,
    queue_strength_refresh,
)
from talentcircles import events
from talentcircles.expressions import before, moved_forward
from talentcircles.models import Organization

Kind = Activity.Kind
Stage = Candidate.Stage
Handler = Callable[[events.CandidateEvent], None]
BatchHandler = Callable[[list[events.CandidateEvent]], None]  # called with a run (see `_runs`)

# Handlers added by the higher parts, by event kind (see `register_handlers`).
_before: dict[str, list[Handler]] = defaultdict(list)
_after: dict[str, list[Handler]] = defaultdict(list)
_after_batch: dict[str, list[BatchHandler]] = defaultdict(list)


def register_handlers(
    *,
    before: dict[str, Handler] | None = None,
    after: dict[str, Handler] | None = None,
    after_batch: dict[str, BatchHandler] | None = None,
) -> None:
    """Add a higher part's handlers: `before` the timeline's own handler of a kind (stop rules), or after
    it, called for each event (`after`) or once for each run of consecutive events of the kind (`after_batch`)."""
    _add_handlers(_before, before)
    _add_handlers(_after, after)
    _add_handlers(_after_batch, after_batch)


_H = TypeVar("_H", Handler, BatchHandler)


def _add_handlers(registry: dict[str, list[_H]], handlers: dict[str, _H] | None) -> None:
    for kind, handler in (handlers or {}).items():
        if handler not in registry[kind]:
            registry[kind].append(handler)


def _fields(names: list[str]) -> str:
    labels = [name.replace("_", " ") for name in names]
    return ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")


# While a batch of events is handled, timeline rows gather here and are saved in one statement.
_pending: ContextVar[list[Activity] | None] = ContextVar("pending_activities", default=None)


def _record(event: events.CandidateEvent, kind: str, summary: str, details: dict | None = None, body: str = "") -> None:
    activity = activity_build(
        organization_id=event.organization_id,
        candidate_id=event.candidate_id,
        kind=kind,
        summary=summary,
        actor_id=event.actor_id,
        occurred_at=event.occurred_at,
        details=details if details is not None else dict(event.details),
        body=body,
        message_id=event.related.get("message_id"),
    )
    pending = _pending.get()
    if pending is None:
        activities_record([activity])
    else:
        pending.append(activity)


def _created(event: events.CandidateEvent) -> None:
    source = event.details.get("source", "")
    label = Candidate.Source(source).label if source in Candidate.Source.values else ""
    _record(event, Kind.CREATED, f"Added to the community ({label.lower()})" if label else "Added to the community")


def _imported_summary(event: events.CandidateEvent) -> str:
    if event.details.get("outcome") == "updated":
        return f"Import filled in {_fields(event.details.get('fields', []))}"
    return "Imported"


def _imported(event: events.CandidateEvent) -> None:
    _record(event, Kind.IMPORT, _imported_summary(event))


def _imported_many(batch: Sequence[events.CandidateEvent]) -> None:
    """An import batch's timeline rows (the rows `_imported` gives each), in one write without a
    model instance per row; rows gathered before them are saved first, so the order holds."""
    _flush_pending()
    activities_record_rows(
        kind=Kind.IMPORT,
        rows=[
            (e.organization_id, e.candidate_id, e.actor_id, e.occurred_at, _imported_summary(e), dict(e.details))
            for e in batch
        ],
    )


def _updated(event: events.CandidateEvent) -> None:
    fields = event.details.get("fields", [])
    if not fields:  # saved without a change to the profile's fields: nothing worth a line
        return
    _record(event, Kind.PROFILE_CHANGE, f"Profile edited: {_fields(fields)}", {"fields": fields, "by_candidate": False})


def _profile_changed(event: events.CandidateEvent) -> None:
    """The candidate changed their own profile in the portal."""
    fields = event.details.get("fields", [])
    summary = f"Updated their profile: {_fields(fields)}" if fields else "Updated their profile"
    _record(event, Kind.PROFILE_CHANGE, summary, {"fields": fields, "by_candidate": True, **event.related})


def _consent_changed(event: events.CandidateEvent) -> None:
    purpose, source = event.details.get("purpose", ""), event.details.get("source", "")
    purposes, sources = dict(ConsentRecord.Purpose.choices), dict(ConsentRecord.Source.choices)
    what = purposes.get(purpose, purpose or "consent")
    verb = "given" if event.details.get("granted") else "withdrawn"
    summary = f"Consent “{what}” {verb}" + (f" ({sources.get(source, source).lower()})" if source else "")
    _record(event, Kind.CONSENT_CHANGE, summary, {**event.details, **event.related})


def _unsubscribed(event: events.CandidateEvent) -> None:
    sources = dict(ConsentRecord.Source.choices)
    source = event.details.get("source", "")
    summary = "Unsubscribed from all messages" + (f" ({sources.get(source, source).lower()})" if source else "")
    _record(event, Kind.UNSUBSCRIBE, summary)


def _erased(event: events.CandidateEvent) -> None:
    """Erasure on request: keep when and what kind of contact happened (anonymous counts), drop the content.

    Notes, call and meeting texts, summaries naming the person and structured details go;
    reminders (their notes name the person) and the derived relationship row are deleted.
    """
    labels = Case(*[When(kind=kind, then=Value(label)) for kind, label in Kind.choices], default=Value("Activity"))
    Activity.objects.filter(organization_id=event.organization_id, candidate_id=event.candidate_id).update(
        summary=labels, body="", details={}, edited_at=None
    )
    Reminder.objects.filter(organization_id=event.organization_id, candidate_id=event.candidate_id).delete()
    Relationship.objects.filter(candidate_id=event.candidate_id).delete()


def _stage_changed(event: events.CandidateEvent) -> None:
    details = event.details
    labels = dict(Candidate.Stage.choices)
    previous, stage = details.get("previous", ""), details.get("stage", "")
    summary = f"Stage: {labels.get(previous, previous)} → {labels.get(stage, stage)}"
    _record(event, Kind.STAGE_CHANGE, summary)


def _merged(event: events.CandidateEvent) -> None:
    """Move the merged record's history to the kept one; emitted while the merged record still exists."""
    merged_id = event.related["merged_candidate_id"]
    kept_id = event.candidate_id
    Activity.objects.filter(organization_id=event.organization_id, candidate_id=merged_id).update(candidate_id=kept_id)
    Reminder.objects.filter(organization_id=event.organization_id, candidate_id=merged_id).update(candidate_id=kept_id)
    Relationship.objects.filter(candidate_id=merged_id).delete()
    # Two open going-cold reminders for one person would nag twice: keep the earliest.
    cold = Reminder.objects.filter(
        candidate_id=kept_id, origin=Reminder.Origin.GOING_COLD, done_at__isnull=True
    ).order_by("due_at", "id")
    extra = list(cold.values_list("pk", flat=True)[1:])
    if extra:
        Reminder.objects.filter(pk__in=extra).update(done_at=event.occurred_at)
    merged = Candidate.objects.filter(pk=merged_id).values("first_name", "last_name").first()
    name = f"{merged['first_name']} {merged['last_name']}".strip() if merged else ""
    summary = f"Merged with {name} (#{merged_id})" if name else f"Merged with #{merged_id}"
    _record(event, Kind.MERGE, summary, {**event.details, "merged_candidate_id": merged_id, "merged_name": name})
    queue_strength_refresh(kept_id)


# --- Messages (from `messaging`) ---------------------------------------------------------------

# A first message moves a new candidate to "contacted", a first answer to "engaged"; a one-click
# response says more. Stages further along (or final) are never moved back by a message.
_SENT_MOVES = {Stage.NEW: Stage.CONTACTED}
_ANSWER_MOVES = {Stage.NEW: Stage.ENGAGED, Stage.CONTACTED: Stage.ENGAGED}
_CLICK_MOVES = {
    "interested": {stage: Stage.INTERESTED for stage in (Stage.NEW, Stage.CONTACTED, Stage.ENGAGED)},
    "not_interested": {
        stage: Stage.NOT_INTERESTED for stage in (Stage.NEW, Stage.CONTACTED, Stage.ENGAGED, Stage.INTERESTED)
    },
}


def _touch(event: events.CandidateEvent, field: str, moves: dict, reason: str) -> None:
    """Bring the candidate's last-contacted / last-replied time forward and move the stage if due."""
    candidate = Candidate.objects.select_related("organization").filter(pk=event.candidate_id).first()
    if candidate is None:
        return
    Candidate.objects.filter(before(field, event.occurred_at), pk=candidate.pk).update(**{field: event.occurred_at})
    target = moves.get(candidate.stage)
    if target:
        candidate_set_stage(candidate=candidate, actor=None, stage=target, reason=reason)


def _quoted(subject: str) -> str:
    return f"“{subject}”" if subject else "a message"


def _message_sent(event: events.CandidateEvent) -> None:
    _messages_sent([event])


def _messages_sent(batch: Sequence[events.CandidateEvent]) -> None:
    """Sent messages (a delivery batch): their timeline rows, last-contacted times and new → contacted.

    A fixed number of statements for the batch, per organisation and distinct send time (a batch
    has one): a read of the candidates still `new`, one UPDATE moving them to `contacted` that also
    sets their last-contacted time (a candidate row is wide and heavily indexed: written once, not
    twice), and one UPDATE of the last-contacted time of the others.
    """
    for event in batch:
        _record(event, Kind.MESSAGE_OUT, f"Sent {_quoted(event.details.get('subject', ''))}")
    groups: dict[tuple[int, datetime], set[int]] = defaultdict(set)
    for event in batch:
        groups[(event.organization_id, event.occurred_at)].add(event.candidate_id)
    orgs = Organization.objects.in_bulk({org_id for org_id, _ in groups})
    for (org_id, occurred_at), candidate_ids in sorted(groups.items(), key=lambda item: item[0][1]):
        # Oldest first, so the latest send wins.
        moved: set[int] = set()
        if org_id in orgs:
            for stage, target in _SENT_MOVES.items():
                result = candidates_set_stage(
                    org=orgs[org_id],
                    candidates=Candidate.objects.filter(pk__in=candidate_ids, stage=stage),
                    stage=target,
                    actor=None,
                    reason="First message sent",
                    also={"last_contacted_at": moved_forward("last_contacted_at", occurred_at)},
                )
                moved.update(result.ids)
        Candidate.objects.filter(before("last_contacted_at", occurred_at), pk__in=candidate_ids - moved).update(
            last_contacted_at=occurred_at
        )


def _reply_received(event: events.CandidateEvent) -> None:
    channel = "in the portal" if event.details.get("channel") == "portal" else "by e-mail"
    _record(event, Kind.REPLY_IN, f"Replied {channel} to {_quoted(event.details.get('subject', ''))}")
    _touch(event, "last_replied_at", _ANSWER_MOVES, "Replied")


def _response_clicked(event: events.CandidateEvent) -> None:
    classification = event.details.get("classification", "")
    label = "Interested" if classification == "interested" else "Not interested"
    _record(event, Kind.REPLY_IN, f"Answered “{label}” with one click")
    _touch(event, "last_replied_at", _CLICK_MOVES.get(classification, {}), f"Clicked “{label}”")


def _auto_reply_received(event: events.CandidateEvent) -> None:
    summary = f"Automatic reply: {_quoted(event.details.get('subject', ''))}"
    return_on = event.details.get("return_on")
    if return_on:
        summary += f"; back on {_day(return_on)}"
        # Set by the sequences' rule, which runs before this handler.
        if event.details.get("postponed"):
            summary += ": the next sequence step waits until then"
    _record(event, Kind.AUTO_REPLY, summary)


def _day(iso: str) -> str:
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def _bounced(event: events.CandidateEvent) -> None:
    _record(event, Kind.BOUNCE, bounce_summary(event.details))


def _complained(event: events.CandidateEvent) -> None:
    complained(event, _record)


_HANDLERS: dict[str, Callable[[events.CandidateEvent], None]] = {
    events.CREATED: _created,
    events.IMPORTED: _imported,
    events.UPDATED: _updated,
    events.STAGE_CHANGED: _stage_changed,
    events.MERGED: _merged,
    events.PROFILE_CHANGED: _profile_changed,
    events.CONSENT_CHANGED: _consent_changed,
    events.UNSUBSCRIBED: _unsubscribed,
    events.ERASED: _erased,
    events.MESSAGE_SENT: _message_sent,
    events.REPLY_RECEIVED: _reply_received,
    events.RESPONSE_CLICKED: _response_clicked,
    events.AUTO_REPLY_RECEIVED: _auto_reply_received,
    events.BOUNCED: _bounced,
    events.COMPLAINED: _complained,
    # DELETED: the candidate's activities, reminders and relationship go with it (on_delete=CASCADE).
}


# Kinds whose events are handled together, one call for a run of consecutive events of the kind
# (a delivery batch's MESSAGE_SENT): a few statements instead of a few per event. Add a kind here
# and in `_HANDLERS` (its one-event form) alike.
_BATCH_HANDLERS: dict[str, Callable[[Sequence[events.CandidateEvent]], None]] = {
    events.MESSAGE_SENT: _messages_sent,
    events.IMPORTED: _imported_many,
}
# These handlers read or rewrite the candidate's timeline: the rows gathered so far are saved first.
_FLUSH_BEFORE = frozenset({events.ERASED, events.MERGED})


def _runs(batch: Sequence[events.CandidateEvent]) -> list[list[events.CandidateEvent]]:
    """The batch cut where the kind changes; events of kinds without a batch handler stay alone."""
    runs: list[list[events.CandidateEvent]] = []
    for event in batch:
        if runs and event.kind in _BATCH_HANDLERS and runs[-1][0].kind == event.kind:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def _flush_pending() -> None:
    pending = _pending.get()
    if pending:
        activities_record(list(pending))
        pending.clear()


def on_candidate_events(batch: Sequence[events.CandidateEvent]) -> None:
    """Dispatch the events by kind, in order; their timeline rows are written together at the end.

    A run of consecutive events of a kind in `_BATCH_HANDLERS` is handled by one call, after the
    stop rules of each of its events. Events emitted while handling (a stage move) join the batch
    being handled: their timeline rows are written with its rows.
    """
    nested = _pending.get() is not None
    gathered: list[Activity] = []
    token = None if nested else _pending.set(gathered)
    try:
        for run in _runs(batch):
            kind = run[0].kind
            # Stop rules first: a "Not interested" click ends an enrollment as replied before the
            # timeline handler's stage move would stop it for the final stage.
            for stop_rule in _before.get(kind, ()):
                for event in run:
                    stop_rule(event)
            if kind in _FLUSH_BEFORE:
                _flush_pending()
            if len(run) > 1:
                _BATCH_HANDLERS[kind](run)
            else:
                handler = _HANDLERS.get(kind)
                if handler is not None:
                    handler(run[0])
            # Then the higher parts: the circles' erasure, the response-rate roll-ups (sends, answers, ...).
            for batch_handler in _after_batch.get(kind, ()):
                batch_handler(run)
            for handler in _after.get(kind, ()):
                for event in run:
                    handler(event)
        if nested:
            return
    finally:
        if token is not None:
            _pending.reset(token)
    activities_record(gathered)
