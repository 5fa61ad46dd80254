"""The recruiters' own work in the demo: notes, calls and meetings, reminders (some due today), stage moves.

All through the timeline's and the candidates' services, so each shows on the timeline, in "My day"
and in the pipeline as the recruiter's own action would.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from candidates.models import Candidate
from candidates.services import candidate_set_stage
from engagement.demo.outreach import Conversation
from engagement.timeline.models import Activity
from engagement.timeline.relationships import relationships_refresh
from engagement.timeline.services import activity_log, reminder_create
from talentcircles.models import Organization, User

# The famous five (added by the candidates app): a few hand-written touches.
FAMOUS_ACTIVITIES: list[tuple[str, str, int, dict[str, Any]]] = [
    ("grace.hopper@example.com", "note", 10, {"body": "Met at the compilers meetup; mentors junior engineers."}),
    ("grace.hopper@example.com", "call", 3,
     {"outcome": "connected", "duration_minutes": 25, "body": "Curious about the compiler team; prefers remote."}),
    ("margaret.hamilton@example.com", "meeting", 5,
     {"attendees": ["Margaret Hamilton", "Riley Recruiter"], "body": "Coffee chat about the reliability team."}),
    ("alan.turing@example.com", "note", 1, {"body": "Asked a colleague for an introduction."}),
]  # fmt: skip
GRACE_REMINDER = "Follow up with Grace about the compiler team"
NOTES = (
    "Strong fit for the platform team; wants to stay hands-on.",
    "Prefers remote, open to two days a month in London.",
    "Notice period three months; salary expectations in range.",
    "Referred by a former colleague; keen on distributed systems.",
)
REMINDER_NOTES = ("Send the job description", "Book a call with the hiring manager", "Check in after the offsite")


def famous_timeline(*, org: Organization, recruiter: User, now: datetime) -> None:
    people = {c.email: c for c in Candidate.objects.for_org(org).filter(email__in={e for e, *_ in FAMOUS_ACTIVITIES})}
    if Activity.objects.filter(candidate__in=people.values(), kind__in=Activity.LOGGED_KINDS).exists():
        return  # an older demo logged them already
    for email, kind, days_ago, fields in FAMOUS_ACTIVITIES:
        if email in people:
            activity_log(candidate=people[email], actor=recruiter, kind=kind,
                         occurred_at=now - timedelta(days=days_ago), **fields)  # fmt: skip
    grace = people.get("grace.hopper@example.com")
    if grace:
        reminder_create(org=org, candidate_id=grace.pk, recruiter=recruiter, due_at=now, note=GRACE_REMINDER)
    relationships_refresh(candidate_ids=[c.pk for c in people.values()], now=now)


def recruiters_work(*, org: Organization, plan: list[Conversation], now: datetime) -> None:
    """What the team did after the answers came in: notes and calls, reminders, pipeline moves."""
    answered = [c for c in plan if c.answer and c.answer.kind in ("interested", "click_interested", "question")]
    for number, conversation in enumerate(answered):
        person, me = conversation.candidate, conversation.recruiter
        assert conversation.answer is not None
        after = conversation.answer.at + timedelta(hours=3)
        if after < now and number % 2 == 0:
            activity_log(candidate=person, actor=me, kind="note", body=NOTES[number % len(NOTES)], occurred_at=after)
        if after + timedelta(days=1) < now and number % 3 == 0:
            activity_log(candidate=person, actor=me, kind="call", outcome="connected", duration_minutes=20 + number,
                         body="Walked through the team and the role; next step is the technical chat.",
                         occurred_at=after + timedelta(days=1))  # fmt: skip
        if number % 4 == 1:
            # Due today for most ("My day"), a couple overdue, the rest later this week.
            due = now.replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=(number % 12 - 2) // 4)
            reminder_create(org=org, candidate_id=person.pk, recruiter=me, due_at=due,
                            note=f"{REMINDER_NOTES[number % len(REMINDER_NOTES)]} ({person.first_name})")  # fmt: skip
    _pipeline_moves(answered)
    relationships_refresh(candidate_ids=[c.candidate.pk for c in plan], now=now)


def _pipeline_moves(answered: list[Conversation]) -> None:
    """Interested people move on: most to interested, some applied, two hired."""
    for number, conversation in enumerate(answered):
        person, me = conversation.candidate, conversation.recruiter
        person.refresh_from_db(fields=["stage", "stage_changed_at"])
        if person.stage in Candidate.FINAL_STAGES:
            continue
        stage = Candidate.Stage.INTERESTED
        if number % 3 == 1:
            stage = Candidate.Stage.APPLIED
        if number in (4, 13):
            stage = Candidate.Stage.HIRED
        candidate_set_stage(candidate=person, actor=me, stage=stage, reason="After a call with the hiring manager")
