"""What the timeline does about a reply's intent (messaging/replies reads it; these react to its events).

- not interested: the stage moves to "not interested" (from new, contacted, engaged or interested);
- later: a reminder for the owner on the day the candidate named ("ask me again in March"), or in six months;
- opt-out: the unsubscribe names the reply on the timeline and the owner gets a reminder saying so;
- a recruiter's correction: recorded on the timeline, and the stage and the "ask again" reminder follow it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from candidates.models import Candidate
from candidates.services import candidate_set_stage
from engagement.timeline.models import Reminder
from engagement.timeline.services import reminder_create
from messaging.models import Message, Thread
from talentcircles import events
from talentcircles.models import Organization, User

Stage = Candidate.Stage
Classification = Message.Classification
LABELS = dict(Classification.choices)
_NOT_INTERESTED_FROM = (Stage.NEW, Stage.CONTACTED, Stage.ENGAGED, Stage.INTERESTED)
_INTERESTED_FROM = (Stage.NEW, Stage.CONTACTED, Stage.ENGAGED)


def stage_after_reply(classification: str, stage: str) -> str | None:
    """The stage a written reply moves the candidate to, if any ("not interested" says it all)."""
    if classification == Classification.NOT_INTERESTED and stage in _NOT_INTERESTED_FROM:
        return Stage.NOT_INTERESTED
    return None


def owner_of(event: events.CandidateEvent) -> User | None:
    """Who hears about the reply: the candidate's owner, else the recruiter of the reply's thread."""
    owner_id = Candidate.objects.filter(pk=event.candidate_id).values_list("owner_id", flat=True).first()
    if owner_id is None and event.related.get("thread_id"):
        owner_id = Thread.objects.filter(pk=event.related["thread_id"]).values_list("recruiter_id", flat=True).first()
    return User.objects.filter(pk=owner_id).first() if owner_id else None


def _remind(event: events.CandidateEvent, *, due_at: datetime, note: str, origin: str) -> Reminder | None:
    owner = owner_of(event)
    org = Organization.objects.filter(pk=event.organization_id).first()
    if owner is None or org is None:
        return None
    try:
        reminder = reminder_create(
            org=org, candidate_id=event.candidate_id, recruiter=owner, due_at=due_at, note=note[:300], origin=origin
        )
    except ValidationError:  # the owner left the organisation: nobody to remind
        return None
    if event.related.get("message_id"):
        Reminder.objects.filter(pk=reminder.pk).update(message_id=event.related["message_id"])
    return reminder


def _morning_of(day: date, org_id: int) -> datetime:
    tz_name = Organization.objects.filter(pk=org_id).values_list("time_zone", flat=True).first() or "UTC"
    return datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(tz_name))


def later_reminder(event: events.CandidateEvent) -> Reminder | None:
    """ "Ask me again in March": a reminder for the owner on that day (the details carry it)."""
    on = event.details.get("ask_again_on")
    if not on:
        return None
    because = event.details.get("ask_again_because") or "later"
    phrase = event.details.get("classification_reason", "")
    note = f"Asked to be contacted again ({because})" + (f": {phrase}" if phrase else "")
    return _remind(
        event,
        due_at=_morning_of(date.fromisoformat(on), event.organization_id),
        note=note,
        origin=Reminder.Origin.LATER,
    )


def opt_out_summary(event: events.CandidateEvent) -> str | None:
    """The timeline line of an unsubscribe a reply asked for (None for other unsubscribes)."""
    via = event.details.get("via")
    if via not in ("reply", "correction"):
        return None
    phrase = event.details.get("phrase", "")
    if via == "correction":
        return "Unsubscribed from all messages: a recruiter read their reply as an opt-out"
    return "Unsubscribed from all messages: asked in their reply" + (f" {phrase}" if phrase else "")


def opt_out_notice(event: events.CandidateEvent) -> None:
    """Tell the owner, with a reminder due now, that the candidate asked to hear no more from us."""
    if event.details.get("via") != "reply":
        return
    phrase = event.details.get("phrase", "")
    note = "Opted out in a reply" + (f" ({phrase})" if phrase else "") + ": no more messages; only they can undo it."
    _remind(event, due_at=event.occurred_at, note=note, origin=Reminder.Origin.REPLY)


def _stage_after_correction(previous: str, classification: str, candidate: Candidate, since: datetime | None) -> str:
    target = stage_after_reply(classification, candidate.stage)
    if target:
        return target
    if classification == Classification.INTERESTED and candidate.stage in _INTERESTED_FROM:
        return Stage.INTERESTED
    moved_by_reply = since is None or candidate.stage_changed_at >= since
    if previous == Classification.NOT_INTERESTED and candidate.stage == Stage.NOT_INTERESTED and moved_by_reply:
        return Stage.INTERESTED if classification == Classification.INTERESTED else Stage.ENGAGED
    return ""


def reclassified_summary(event: events.CandidateEvent) -> str:
    previous, classification = event.details.get("previous", ""), event.details.get("classification", "")
    summary = f"Reply reclassified: {LABELS.get(previous, previous or 'none')} → {LABELS.get(classification)}"
    if previous == Classification.OPT_OUT:
        summary += " (still unsubscribed: only the candidate can undo it)"
    return summary


def on_reply_reclassified(event: events.CandidateEvent) -> None:
    """A recruiter's correction: the stage and the "ask again" reminder follow the new reading."""
    previous, classification = event.details.get("previous", ""), event.details.get("classification", "")
    candidate = Candidate.objects.select_related("organization").filter(pk=event.candidate_id).first()
    if candidate is None:
        return
    message_id = event.related.get("message_id", 0)
    received = Message.objects.filter(pk=message_id).values_list("received_at", flat=True).first()
    target = _stage_after_correction(previous, classification, candidate, received)
    if target:
        candidate_set_stage(
            candidate=candidate, actor=None, stage=target, reason=f"Reply reclassified as {LABELS.get(classification)}"
        )
    if previous == Classification.LATER and event.related.get("message_id"):
        Reminder.objects.filter(
            candidate_id=event.candidate_id, message_id=event.related["message_id"], done_at__isnull=True
        ).update(done_at=timezone.now())
    if classification == Classification.LATER:
        later_reminder(event)
