"""Building outreach for the response-rate tests: ORM rows at explicit times, then the roll-up handlers.

Each helper writes what messaging (and, for circles and sequences, engagement's link rows) would
have written and calls the handler the receiver calls (`engagement.rollups.STATS_HANDLERS`), so the
roll-up maths is tested without the delivery path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from candidates.models import Candidate
from engagement.analytics.models import ResponseOutreach, ResponseStat, ResponseStatWeek
from engagement.analytics.rollups.live import STATS_HANDLERS
from engagement.circles.models import CircleOutreach
from engagement.sequences.models import Enrollment, SequenceMessage
from messaging.models import Message, Thread
from talentcircles import events
from tests.factories import CandidateFactory, CircleFactory, MembershipFactory, MessageTemplateFactory, UserFactory

# Tuesday 31 March 2026, 12:00 UTC: "now" in the scenarios.
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
FEB_1 = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


def at(days: float = 0, *, base: datetime = FEB_1, seconds: int = 0) -> datetime:
    return base + timedelta(days=days, seconds=seconds)


def handle(kind: str, message: Message | None = None, *, candidate_id: int | None = None, when=None) -> None:
    event = events.CandidateEvent(
        organization_id=message.organization_id if message else Candidate.objects.get(pk=candidate_id).organization_id,
        candidate_id=message.candidate_id if message else candidate_id,
        kind=kind,
        occurred_at=when or (message.sent_at or message.received_at),
        related={"message_id": message.pk, "thread_id": message.thread_id} if message else {},
        details={"classification": message.classification} if message else {},
    )
    handler = STATS_HANDLERS.get(kind)
    if handler:
        handler(event)


def person(org, **fields) -> Candidate:
    fields.setdefault("source", "sourced")
    fields.setdefault("industry", "Software")
    return CandidateFactory(organization=org, **fields)


def thread(org, candidate, recruiter, *, started_by="recruiter", origin="one_to_one", circle=None) -> Thread:
    conversation = Thread.objects.create(
        organization=org, candidate=candidate, recruiter=recruiter, subject="Hello", started_by=started_by,
        origin=origin,
    )  # fmt: skip
    if circle is not None:
        CircleOutreach.objects.create(thread=conversation, circle=circle, organization=org)
    return conversation


def send(
    conversation: Thread,
    when: datetime,
    *,
    status: str = "sent",
    template=None,
    step=None,
    enrollment=None,
    body: str = "Hi",
) -> Message:
    """An outgoing message; a step's message is linked to `enrollment` (or the thread's, from its earlier steps)."""
    sent = status in ("sent", "bounced")
    message = Message.objects.create(
        organization_id=conversation.organization_id, thread=conversation, candidate_id=conversation.candidate_id,
        direction="out", status=status, subject="Hello", body_text=body, template=template, automated=bool(step),
        sender=conversation.recruiter, created_at=when, sent_at=when if sent else None,
    )  # fmt: skip
    if step is not None:
        enrollment_id = enrollment.pk if enrollment else _thread_enrollment_id(conversation)
        SequenceMessage.objects.create(
            message=message, thread=conversation, enrollment_id=enrollment_id, step=step,
            organization_id=conversation.organization_id,
        )  # fmt: skip
    if sent:
        handle(events.MESSAGE_SENT, message)
    return message


def _thread_enrollment_id(conversation: Thread) -> int:
    return SequenceMessage.objects.filter(thread=conversation).values_list("enrollment_id", flat=True)[0]


def outreach(
    org, recruiter, when: datetime, *, candidate=None, template=None, step=None, enrollment=None, **thread_fields
) -> Thread:
    conversation = thread(org, candidate or person(org), recruiter, **thread_fields)
    send(conversation, when, template=template, step=step, enrollment=enrollment)
    return conversation


def answer(
    conversation: Thread, when: datetime, *, channel: str = "email", classification: str = "neutral", auto=False
) -> Message:
    message = Message.objects.create(
        organization_id=conversation.organization_id, thread=conversation, candidate_id=conversation.candidate_id,
        direction="in", channel=channel, status="received", is_auto_reply=auto,
        classification="" if auto else classification, created_at=when, received_at=when,
    )  # fmt: skip
    if auto:
        kind = events.AUTO_REPLY_RECEIVED
    else:
        kind = events.RESPONSE_CLICKED if channel == "click" else events.REPLY_RECEIVED
    handle(kind, message)
    return message


def bounce(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(status="bounced")
    handle(events.BOUNCED, message, when=message.sent_at + timedelta(minutes=5))


def unsubscribe(candidate: Candidate, when: datetime) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(unsubscribed_at=when)
    handle(events.UNSUBSCRIBED, candidate_id=candidate.pk, when=when)


def _stat_rows(model, org) -> list[tuple]:
    return sorted(
        (
            row.day, row.recruiter_id, row.dimension, row.key, row.sent, row.bounced, row.answered,
            tuple(sorted((k, v) for k, v in row.answer_hours.items() if v)), row.interested, row.not_interested,
            row.unsubscribed,
        )
        for row in model.objects.for_org(org)
        if row.sent or row.answered or row.bounced
    )  # fmt: skip


def snapshot(org) -> tuple[list, list, list]:
    """Everything the roll-ups hold for `org`, comparable across an incremental run and a rebuild:
    the daily rows, the weekly rows and the outreach facts."""
    facts = sorted(
        ResponseOutreach.objects.for_org(org).values_list(
            "thread_id", "candidate_id", "first_sent_at", "day", "recruiter_id", "template_id", "sequence_id",
            "circle_id", "source", "industry", "answered_at", "answer_bucket_hours", "answer_step_id", "bounced",
            "interested", "not_interested", "unsubscribed",
        )
    )  # fmt: skip
    steps = sorted(
        (t, "".join(sorted(s.split(","))))
        for t, s in ResponseOutreach.objects.for_org(org).values_list("thread_id", "steps_sent")
    )
    return _stat_rows(ResponseStat, org), _stat_rows(ResponseStatWeek, org), facts + steps


def build_scenario(acme) -> dict:
    """The "every rule" scenario described in tests/engagement/test_analytics_metric.py."""
    org, me = acme.org, acme.user
    colleague = UserFactory(email=f"colleague@{acme.org.slug}.example.com", first_name="Col", last_name="League")
    MembershipFactory(user=colleague, organization=org)
    template = MessageTemplateFactory(organization=org, owner=me, name="Warm intro")
    from tests.engagement.sequence_support import make_sequence

    sequence = make_sequence(acme)
    step_1, step_2 = sequence.steps.order_by("order")[:2]
    t = {}
    t[1] = outreach(org, me, at(0), template=template)
    answer(t[1], at(1))
    t[2] = outreach(org, me, at(0))
    answer(t[2], at(0, seconds=3600), auto=True)
    unsubscribe(t[2].candidate, at(9))
    t[3] = outreach(org, me, at(0), template=template)
    answer(t[3], at(30))
    t[4] = outreach(org, me, at(0))
    answer(t[4], at(30, seconds=1), channel="portal")
    t[5] = thread(org, person(org), me)
    bounce(send(t[5], at(0)))
    t[6] = outreach(org, me, at(0))
    answer(t[6], at(4), channel="click", classification="not_interested")
    candidate_7 = person(org)
    enrollment = Enrollment.objects.create(organization=org, sequence=sequence, candidate=candidate_7, enrolled_by=me)
    t[7] = outreach(org, me, at(0), candidate=candidate_7, step=step_1, origin="sequence", enrollment=enrollment)
    send(t[7], at(3), step=step_2)
    answer(t[7], at(5))
    send(thread(org, person(org), me), at(0), status="queued")
    t[9] = thread(org, person(org), None, started_by="candidate", origin="portal")
    answer(t[9], at(0), channel="portal")
    t[10] = outreach(org, me, at(47))  # 20 March
    circle = CircleFactory(organization=org, name="Silver Medallists")
    t[11] = outreach(org, colleague, at(52), circle=circle)  # 25 March
    answer(t[11], at(53), channel="click", classification="interested")
    send(thread(org, person(org), me), at(0), status="failed")
    t[13] = outreach(org, me, at(0))
    answer(t[13], at(1))
    answer(t[13], at(2))
    return {
        "threads": t, "me": me, "colleague": colleague, "template": template, "steps": (step_1, step_2),
        "sequence": sequence, "circle": circle,
    }  # fmt: skip


@pytest.fixture
def stats_events():
    """Feed the roll-up handlers from real events, unless engagement/receivers.py already does."""
    import engagement.timeline.receivers as receivers

    if hasattr(receivers, "STATS_HANDLERS"):
        yield
        return

    def dispatch(batch) -> None:
        for event in batch:
            handler = STATS_HANDLERS.get(event.kind)
            if handler:
                handler(event)

    events.subscribe_batch(dispatch)
    yield
    events.unsubscribe(dispatch)
