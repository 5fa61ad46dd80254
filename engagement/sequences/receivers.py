"""Stop rules for running sequences, fed by candidate events (see talentcircles/events.py).

`SEQUENCE_HANDLERS` maps an event kind to its rule; the timeline's receiver runs them before its own
handler of the kind (`EngagementConfig.ready()` registers them). `on_merged` moves the enrollments of a
merged record. Every handler is idempotent: it only moves enrollments that are still running, so an
event handled twice changes nothing more. The dispatcher checks the same rules again at claim time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from candidates.models import Candidate, ConsentRecord
from engagement.sequences.lifecycle import (
    enrollments_postpone_for_candidate,
    enrollments_stop_for_candidate,
    reminder_for_owner,
)
from engagement.sequences.models import Enrollment
from engagement.timeline.models import Reminder
from talentcircles import events
from talentcircles.models import Organization

State = Enrollment.State


def enrollments_stop(event: events.CandidateEvent, reason: str, state: str = State.STOPPED) -> list[int]:
    return enrollments_stop_for_candidate(
        candidate_id=event.candidate_id, reason=reason, now=event.occurred_at, state=state
    )


def on_reply(event: events.CandidateEvent) -> None:
    """Any real reply (auto-replies arrive as another kind) ends the candidate's sequences."""
    enrollments_stop(event, "The candidate replied.", State.REPLIED)


def on_response_clicked(event: events.CandidateEvent) -> None:
    """ "Not interested" ends them; "Interested" too, and the owner is reminded to answer personally."""
    if event.details.get("classification") == "interested":
        stopped = enrollments_stop(event, "The candidate clicked “Interested”.", State.REPLIED)
        # One reminder per owner: several sequences of one recruiter make one task, not many.
        seen_owners: set[int | None] = set()
        for enrollment in Enrollment.objects.filter(pk__in=stopped).select_related(
            "sequence__owner", "enrolled_by", "organization"
        ):
            owner = enrollment.sequence.owner_id or enrollment.enrolled_by_id
            if owner in seen_owners:
                continue
            seen_owners.add(owner)
            reminder_for_owner(
                enrollment=enrollment,
                note=f"Interested: answer personally (from “{enrollment.sequence.name}”)",
                origin=Reminder.Origin.REPLY,
                due_at=event.occurred_at,
            )
    else:
        enrollments_stop(event, "The candidate clicked “Not interested”.", State.REPLIED)


def on_auto_reply(event: events.CandidateEvent) -> None:
    """Out of office: the next step waits the organisation's out-of-office delay, or until the day the
    reply says its writer is back (`return_on`), whichever is later. The number of enrollments moved
    goes into the event's details (`postponed`) for the timeline's line, which is written after this rule."""
    days = (
        Organization.objects.filter(pk=event.organization_id).values_list("out_of_office_delay_days", flat=True).first()
    )
    back_on = _date(event.details.get("return_on"))
    if days or back_on:
        moved = enrollments_postpone_for_candidate(
            candidate_id=event.candidate_id, days=days or 0, now=event.occurred_at, back_on=back_on
        )
        if back_on is not None:
            event.details["postponed"] = moved


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


SPAM_COMPLAINT_REASON = "The candidate reported our e-mail as spam."


def _by_complaint(event: events.CandidateEvent) -> bool:
    return event.details.get("source") == ConsentRecord.Source.SPAM_COMPLAINT


def on_unsubscribed(event: events.CandidateEvent) -> None:
    enrollments_stop(event, SPAM_COMPLAINT_REASON if _by_complaint(event) else "The candidate unsubscribed.")


def on_consent_changed(event: events.CandidateEvent) -> None:
    if event.details.get("purpose") == ConsentRecord.Purpose.MESSAGES and not event.details.get("granted"):
        # A spam complaint withdraws consent first: the stop says why.
        reason = SPAM_COMPLAINT_REASON if _by_complaint(event) else "The candidate withdrew consent to messages."
        enrollments_stop(event, reason)


def on_erased(event: events.CandidateEvent) -> None:
    enrollments_stop(event, "The candidate's data was erased.")


def on_bounced(event: events.CandidateEvent) -> None:
    """A hard bounce, or the soft one that reached the limit, ends them; an earlier soft bounce does not."""
    if event.details.get("undeliverable", True):
        enrollments_stop(event, "An e-mail to the candidate bounced.")


def on_complained(event: events.CandidateEvent) -> None:
    enrollments_stop(event, SPAM_COMPLAINT_REASON)


def on_stage_changed(event: events.CandidateEvent) -> None:
    stage = event.details.get("stage", "")
    if stage in Candidate.FINAL_STAGES:
        enrollments_stop(event, f"Stage moved to {Candidate.Stage(stage).label}.")


def on_merged(event: events.CandidateEvent) -> None:
    """Sequences follow the person; where both records ran the same sequence, the kept record's goes on."""
    merged_id, kept_id = event.related["merged_candidate_id"], event.candidate_id
    running = Enrollment.objects.filter(state__in=Enrollment.RUNNING_STATES)
    kept_sequences = running.filter(candidate_id=kept_id).values("sequence_id")
    running.filter(candidate_id=merged_id, sequence_id__in=kept_sequences).update(
        state=State.STOPPED,
        stop_reason="Merged into another record in the same sequence",
        stopped_at=event.occurred_at,
    )
    Enrollment.objects.filter(candidate_id=merged_id).update(candidate_id=kept_id)


SEQUENCE_HANDLERS: dict[str, Callable[[events.CandidateEvent], None]] = {
    events.REPLY_RECEIVED: on_reply,
    events.RESPONSE_CLICKED: on_response_clicked,
    events.AUTO_REPLY_RECEIVED: on_auto_reply,
    events.UNSUBSCRIBED: on_unsubscribed,
    events.CONSENT_CHANGED: on_consent_changed,
    events.ERASED: on_erased,
    events.BOUNCED: on_bounced,
    events.COMPLAINED: on_complained,
    events.STAGE_CHANGED: on_stage_changed,
}
