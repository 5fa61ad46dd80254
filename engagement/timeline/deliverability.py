"""The timeline's lines for bounces and spam complaints, and who is told of a complaint.

A bounce says whether it was hard or soft, with the status code and the server's words. A spam
complaint is a line on the timeline and a reminder, due at once in "My day", for the candidate's
owner (else the recruiter who sent the reported message) and every admin of the organisation.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from candidates.models import Candidate
from engagement.timeline.models import Activity, Reminder
from engagement.timeline.services import reminder_create
from talentcircles import events
from talentcircles.models import Membership, Organization, User

Recorder = Callable[..., None]


def bounce_summary(details: dict) -> str:
    """ "Hard bounce (5.1.1): the address is now undeliverable — “User unknown”" and the like."""
    code = f" ({details['status']})" if details.get("status") else ""
    words = " ".join(str(details.get("diagnostic") or "").split())[:160]
    quoted = f" — “{words}”" if words else ""
    if "hard" not in details:  # an event from before hard and soft were told apart
        return "E-mail bounced: the address is now marked undeliverable" + quoted
    if details["hard"]:
        return f"Hard bounce{code}: the address is now marked undeliverable{quoted}"
    count, limit = details.get("soft_bounces"), details.get("limit")
    if details.get("undeliverable"):
        effect = f"{count} in a row, the address is now marked undeliverable" if count else "address undeliverable"
    elif count and limit:
        effect = f"{count} of {limit} in a row before the address counts as undeliverable"
    else:
        effect = "the address stays in use"
    return f"Soft bounce{code}: {effect}{quoted}"


def complaint_summary(details: dict) -> str:
    subject = details.get("subject", "")
    what = f"“{subject}”" if subject else "an e-mail"
    return f"Reported {what} as spam: unsubscribed from all mail and suppressed; the owner and admins were told"


def complaint_notify(event: events.CandidateEvent) -> list[Reminder]:
    """A reminder due now for the owner (else the sender) and each admin; one each, members only."""
    org = Organization.objects.filter(pk=event.organization_id).first()
    candidate = Candidate.objects.filter(pk=event.candidate_id).only("id", "first_name", "last_name", "owner_id")
    person = candidate.first()
    if org is None or person is None:
        return []
    user_ids = [person.owner_id or event.actor_id]
    user_ids += list(
        Membership.objects.filter(organization_id=org.pk, role=Membership.Role.ADMIN)
        .order_by("id")
        .values_list("user_id", flat=True)
    )
    name = f"{person.first_name} {person.last_name}".strip() or f"Candidate #{person.pk}"
    note = f"Spam complaint: {name} reported our e-mail as spam. They get no more mail of any kind."
    users = User.objects.in_bulk([user_id for user_id in user_ids if user_id])
    reminders = []
    for user_id in dict.fromkeys(user_ids):
        user = users.get(user_id) if user_id else None
        if user is None:
            continue
        try:
            reminder = reminder_create(
                org=org,
                candidate_id=person.pk,
                recruiter=user,
                due_at=event.occurred_at,
                note=note,
                origin=Reminder.Origin.COMPLAINT,
            )
        except ValidationError:  # no longer a member of the organisation
            continue
        reminders.append(reminder)
    return reminders


def complained(event: events.CandidateEvent, record: Recorder) -> None:
    record(event, Activity.Kind.COMPLAINT, complaint_summary(event.details))
    complaint_notify(event)
