"""120 days of the demo team's outreach: who wrote to whom, when, how, and how it ended (a plan).

`outreach_plan` decides, deterministically, each conversation: its recruiter (each with their
own answer rate, one under LinkedIn's 13% line), its origin (one-to-one, bulk or one of the two
sequences, with follow-ups three and seven days later until answered), its sends and whether it
bounced or was answered (when, and how). `engagement.demo.history` writes the plan; answers then
arrive through the real inbound paths (`engagement.demo.replies`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from candidates.models import Candidate
from engagement.sequences.models import Sequence, SequenceStep
from messaging.models import MessageTemplate, Thread
from talentcircles.models import User

DAYS = 120
# Each recruiter's chance that a conversation is answered; Sam's sits under the 13% line on purpose.
ANSWER_RATES = {
    "recruiter@demo.talentcircles.test": 0.27,
    "sam.sourcer@demo.talentcircles.test": 0.08,
    "priya.partner@demo.talentcircles.test": 0.19,
    "jonas.lead@demo.talentcircles.test": 0.34,
    "admin@demo.talentcircles.test": 0.22,
}
SHARE_OF_SENDS = {"recruiter@": 30, "sam.sourcer@": 26, "priya.partner@": 20, "jonas.lead@": 18, "admin@": 6}
# People who get a conversation in the last 120 days, and people enrolled in a sequence this week.
CONVERSATIONS = 235
RUNNING = 24
BULK_SENDS = 9  # campaigns over the 120 days
BOUNCE_RATE = 0.035
AUTO_REPLY_RATE = 0.06
# How answers arrive, and what they say, with their weights. Opt-outs and "later" are fixed below.
ANSWER_KINDS = ("interested", "decline", "question", "click_interested", "click_decline")
ANSWER_WEIGHTS = (44, 24, 16, 9, 7)


@dataclass
class Send:
    at: datetime
    template: MessageTemplate | None
    step: SequenceStep | None = None
    automated: bool = False


@dataclass
class Answer:
    kind: str  # one of ANSWER_KINDS' kinds, "opt_out" or "later"
    at: datetime


@dataclass
class Conversation:
    candidate: Candidate
    recruiter: User
    origin: str
    sends: list[Send]
    sequence: Sequence | None = None
    steps: list[SequenceStep] = field(default_factory=list)  # the sequence's steps, in order
    answer: Answer | None = None
    auto_reply_at: datetime | None = None
    bounced: bool = False
    answered_back_at: datetime | None = None  # the recruiter's reply to the answer
    running_step: SequenceStep | None = None  # an enrolment still going: its next step
    next_run_at: datetime | None = None
    circle_id: int | None = None
    thread: Thread | None = field(default=None, repr=False)  # filled in by the writer


@dataclass(frozen=True)
class Fixtures:
    team: list[User]
    templates: dict[str, MessageTemplate]
    sequences: list[tuple[Sequence, list[SequenceStep]]]
    circle_ids: list[int]


def outreach_plan(*, people: list[Candidate], fixtures: Fixtures, now: datetime, seed: int) -> list[Conversation]:
    """The demo's conversations, oldest first: settled history, then this week's running enrolments."""
    rng = Random(seed)  # noqa: S311 (sample data)
    # Bulk sends go out as campaigns: many people at the same moment.
    campaigns = sorted(
        (now - timedelta(days=rng.uniform(1, DAYS))).replace(hour=10, minute=0) for _ in range(BULK_SENDS)
    )
    history = [
        _conversation(rng, person, first, fixtures, now, campaigns) for person, first in _who_and_when(rng, people, now)
    ]
    written_to = {c.candidate.pk for c in history}
    rest = rng.sample([p for p in people if p.pk not in written_to], RUNNING)
    running = [_running(rng, person, fixtures, now, index) for index, person in enumerate(rest)]
    _mark_special_answers(history, now)
    return sorted(history + running, key=lambda c: c.sends[0].at)


def _pick_recruiter(rng: Random, team: list[User]) -> User:
    weights = [next((w for k, w in SHARE_OF_SENDS.items() if u.email.startswith(k)), 5) for u in team]
    return rng.choices(team, weights=weights)[0]


def _who_and_when(rng: Random, people: list[Candidate], now: datetime) -> list[tuple[Candidate, datetime]]:
    """Sends spread evenly over the 120 days, each to someone who had joined by then (once each)."""
    moments = sorted(now - timedelta(days=DAYS * rng.random(), hours=2) for _ in range(CONVERSATIONS))
    free = sorted(people, key=lambda p: p.created_at)
    chosen = []
    for moment in moments:
        # Recruiters write in office hours (UTC here, near enough for a demo).
        moment = moment.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        joined = [p for p in free if p.created_at + timedelta(hours=6) < moment]
        if joined and moment < now - timedelta(hours=1):
            person = rng.choice(joined)
            free.remove(person)
            chosen.append((person, moment))
    return chosen


def _conversation(
    rng: Random, person: Candidate, first: datetime, fixtures: Fixtures, now: datetime, campaigns: list[datetime]
) -> Conversation:
    recruiter = _pick_recruiter(rng, fixtures.team)
    roll = rng.random()
    origin = Thread.Origin.SEQUENCE if roll < 0.3 else Thread.Origin.BULK if roll < 0.6 else Thread.Origin.ONE_TO_ONE
    open_campaigns = [at for at in campaigns if person.created_at + timedelta(hours=6) < at < now - timedelta(hours=2)]
    if origin == Thread.Origin.BULK and open_campaigns:
        first = min(open_campaigns, key=lambda at: abs(at - first))  # the campaign nearest the planned moment
    sequence, steps = rng.choice(fixtures.sequences) if origin == Thread.Origin.SEQUENCE else (None, [])
    conversation = Conversation(
        candidate=person, recruiter=recruiter, origin=origin, sends=[], sequence=sequence, steps=steps
    )
    if rng.random() < 0.1 and fixtures.circle_ids:
        conversation.circle_id = rng.choice(fixtures.circle_ids)
    conversation.bounced = rng.random() < BOUNCE_RATE
    rate = ANSWER_RATES.get(recruiter.email, 0.2) * (1.4 if sequence else 1.2 if origin == "one_to_one" else 1.0)
    answer_at = None
    if not conversation.bounced and rng.random() < rate:
        answer_at = first + timedelta(hours=min(rng.lognormvariate(math.log(18), 1.3), 24 * 25))
    if steps:
        for step, offset in zip(steps, _offsets(steps), strict=True):
            at = first + offset
            if at > now or (answer_at and answer_at < at) or (conversation.bounced and offset):
                break
            conversation.sends.append(Send(at=at, template=step.template, step=step, automated=True))
    else:
        template = rng.choice(list(fixtures.templates.values())) if origin == "bulk" or rng.random() < 0.6 else None
        conversation.sends.append(Send(at=first, template=template))
    if answer_at and answer_at <= now - timedelta(minutes=30):
        conversation.answer = Answer(kind=rng.choices(ANSWER_KINDS, weights=ANSWER_WEIGHTS)[0], at=answer_at)
        if rng.random() < 0.4 and answer_at + timedelta(hours=5) < now:
            conversation.answered_back_at = answer_at + timedelta(hours=rng.uniform(0.5, 4))
    if not conversation.bounced and rng.random() < AUTO_REPLY_RATE:
        conversation.auto_reply_at = first + timedelta(minutes=rng.randint(1, 9))
    return conversation


def _offsets(steps: list[SequenceStep]) -> list[timedelta]:
    """When each step goes out after the first, from the steps' own delays."""
    offsets, total = [], timedelta(0)
    for number, step in enumerate(steps):
        total += timedelta(hours=step.delay_hours) if number else timedelta(0)
        offsets.append(total)
    return offsets


def _running(rng: Random, person: Candidate, fixtures: Fixtures, now: datetime, index: int) -> Conversation:
    """Enrolled lately and not answered yet: some steps sent, the next one due in the coming days."""
    sequence, steps = fixtures.sequences[index % len(fixtures.sequences)]
    done = 1 + (index // len(fixtures.sequences)) % max(len(steps) - 1, 1)
    offsets = _offsets(steps)
    first = now - offsets[done - 1] - timedelta(hours=rng.randint(2, 40))
    sends = [
        Send(at=first + offsets[n], template=steps[n].template, step=steps[n], automated=True) for n in range(done)
    ]
    following = steps[done] if done < len(steps) else None
    due = (now + timedelta(days=1 + index % 3)).replace(hour=9, minute=30, second=0, microsecond=0)
    return Conversation(
        candidate=person, recruiter=_pick_recruiter(rng, fixtures.team), origin=Thread.Origin.SEQUENCE,
        sends=sends, sequence=sequence, steps=steps, running_step=following, next_run_at=due if following else None,
    )  # fmt: skip


def _mark_special_answers(history: list[Conversation], now: datetime) -> None:
    """The few answers the demo must show once each: a written opt-out and a "not now, ask me later"."""
    emailed = [c for c in history if c.answer and not c.answer.kind.startswith("click")]
    recent = sorted(emailed, key=lambda c: c.answer.at if c.answer else now)[-6:]
    if len(recent) >= 3:
        assert recent[-1].answer and recent[-3].answer  # for the type checker: chosen among answered ones
        recent[-1].answer.kind = "opt_out"
        recent[-1].answered_back_at = None  # nobody writes back to "remove me"
        recent[-3].answer.kind = "later"
