"""Writing the outreach plan: threads, sent messages, enrolments and their link rows, in bulk.

Sent messages are backdated, which no send path does (they all send now), so the rows are written
here in a few bulk inserts; everything that follows from a send is then done by the app itself:
one batch of MESSAGE_SENT events (as delivery announces sends) gives the timeline entries, the
stage moves from new to contacted and the live roll-ups.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from engagement.circles.outreach import circle_outreach_record
from engagement.demo.outreach import Conversation, Send
from engagement.sequences.models import Enrollment, SequenceMessage
from messaging.models import Message, Thread
from messaging.rendering import render_message
from messaging.services import new_message_id_header
from talentcircles import events
from talentcircles.models import Organization

HANDWRITTEN = (
    "Hi {first},\n\nI came across your work as {title}{at} and it stood out: the team I hire for is solving "
    "a very similar problem. Would you be open to a 20-minute chat next week?\n\n{me}"
)
ANSWERED_BACK = (
    "Thanks, {first}! Great to hear from you. I've sent a calendar invitation for Thursday; "
    "I'll bring the hiring manager along.\n\n{me}"
)


def history_write(*, org: Organization, plan: list[Conversation], seed: int) -> list[Message]:
    """Write every planned conversation's thread, sends and enrolment; returns the sent messages."""
    rng = Random(seed)  # noqa: S311 (sample data)
    threads = Thread.objects.bulk_create([_thread(org, c) for c in plan], batch_size=500)
    for conversation, thread in zip(plan, threads, strict=True):
        conversation.thread = thread
    sent: list[tuple[Conversation, Send | None, Message]] = []
    for conversation in plan:
        sent += [(conversation, send, _message(org, conversation, send, rng)) for send in conversation.sends]
        if conversation.answered_back_at:
            back = _answer_back(org, conversation)
            sent.append((conversation, None, back))
    Message.objects.bulk_create([message for _c, _s, message in sent], batch_size=500)
    _enrolments_write(org, plan, sent)
    for circle_id in {c.circle_id for c in plan if c.circle_id}:
        circle_outreach_record(org, circle_id, [c.thread.pk for c in plan if c.circle_id == circle_id and c.thread])
    messages = sorted((message for _c, _s, message in sent), key=lambda m: (m.sent_at, m.pk))
    events.emit_many([_sent_event(message) for message in messages])
    return messages


def _thread(org: Organization, conversation: Conversation) -> Thread:
    first = conversation.sends[0]
    subject = _rendered(org, conversation, first)[0] if first.template else _handwritten_subject(conversation)
    last = max([s.at for s in conversation.sends] + [conversation.answered_back_at or first.at])
    return Thread(
        organization=org, candidate=conversation.candidate, recruiter=conversation.recruiter, subject=subject,
        origin=conversation.origin, created_at=first.at, last_message_at=last,
    )  # fmt: skip


def _handwritten_subject(conversation: Conversation) -> str:
    person = conversation.candidate
    return f"Your work at {person.current_company}" if person.current_company else "A role you might like"


def _rendered(org: Organization, conversation: Conversation, send: Send) -> tuple[str, str]:
    assert send.template is not None
    rendered = render_message(
        subject=send.template.subject, body=send.template.body, candidate=conversation.candidate,
        recruiter=conversation.recruiter, organization=org,
    )  # fmt: skip
    return rendered.subject, rendered.body


def _message(org: Organization, conversation: Conversation, send: Send, rng: Random) -> Message:
    assert conversation.thread is not None
    person, me = conversation.candidate, conversation.recruiter
    if send.template:
        subject, body = _rendered(org, conversation, send)
    else:
        at = f" at {person.current_company}" if person.current_company else ""
        subject = conversation.thread.subject
        body = HANDWRITTEN.format(first=person.first_name, title=person.current_title or "an engineer", at=at, me=me)
    if send is not conversation.sends[0]:
        subject = f"Re: {conversation.thread.subject}"
    return Message(
        organization_id=org.pk, thread=conversation.thread, candidate=person, direction=Message.Direction.OUT,
        channel=Message.Channel.EMAIL, sender=me, to_email=person.email, subject=subject[:200], body_text=body,
        template=send.template, personalisation_score=rng.randint(62, 96) if send.template else rng.randint(80, 100),
        status=Message.Status.SENT, message_id_header=new_message_id_header(), attempts=1,
        automated=send.automated, created_at=send.at, sent_at=send.at,
    )  # fmt: skip


def _answer_back(org: Organization, conversation: Conversation) -> Message:
    assert conversation.thread is not None and conversation.answered_back_at is not None
    person = conversation.candidate
    return Message(
        organization_id=org.pk, thread=conversation.thread, candidate=person, direction=Message.Direction.OUT,
        channel=Message.Channel.EMAIL, sender=conversation.recruiter, to_email=person.email,
        subject=f"Re: {conversation.thread.subject}"[:200],
        body_text=ANSWERED_BACK.format(first=person.first_name, me=conversation.recruiter),
        status=Message.Status.SENT, message_id_header=new_message_id_header(), attempts=1,
        created_at=conversation.answered_back_at, sent_at=conversation.answered_back_at,
    )  # fmt: skip


def _enrolment(org: Organization, conversation: Conversation) -> Enrollment:
    """Still running unless every step went out unanswered; answers and bounces stop it when they arrive."""
    sends = conversation.sends
    steps = conversation.steps
    finished = len(sends) == len(steps) and not conversation.answer and not conversation.bounced
    following = conversation.running_step or (steps[len(sends)] if len(sends) < len(steps) else None)
    return Enrollment(
        organization=org, sequence=conversation.sequence, candidate=conversation.candidate,
        enrolled_by=conversation.recruiter, enrolled_at=sends[0].at, updated_at=sends[-1].at, steps_done=len(sends),
        state=Enrollment.State.COMPLETED if finished else Enrollment.State.ACTIVE,
        completed_at=sends[-1].at if finished else None,
        next_step=None if finished or conversation.answer or conversation.bounced else following,
        next_run_at=conversation.next_run_at or _next_run(conversation, steps, following, finished),
    )  # fmt: skip


def _next_run(conversation: Conversation, steps: list, following, finished: bool) -> datetime | None:
    """A history enrolment that is still waiting for its next step (sent in the last days) runs then."""
    if finished or following is None or conversation.answer or conversation.bounced:
        return None
    waits = [timedelta(hours=step.delay_hours) for step in steps[1 : steps.index(following) + 1]]
    return conversation.sends[0].at + sum(waits, timedelta(0))


def _enrolments_write(org: Organization, plan: list[Conversation], sent: list) -> None:
    sequenced = [c for c in plan if c.sequence]
    enrolments = Enrollment.objects.bulk_create([_enrolment(org, c) for c in sequenced], batch_size=500)
    of_thread = {c.thread.pk: e for c, e in zip(sequenced, enrolments, strict=True) if c.thread}
    SequenceMessage.objects.bulk_create(
        [
            SequenceMessage(
                message=message,
                thread_id=message.thread_id,
                enrollment=of_thread[message.thread_id],
                step=send.step,
                organization_id=org.pk,
            )
            for _c, send, message in sent
            if send is not None and send.step is not None
        ],
        batch_size=500,
    )


def _sent_event(message: Message) -> events.CandidateEvent:
    return events.CandidateEvent(
        organization_id=message.organization_id,
        candidate_id=message.candidate_id,
        kind=events.MESSAGE_SENT,
        occurred_at=message.sent_at or message.created_at,
        actor_id=message.sender_id,
        related={"message_id": message.pk, "thread_id": message.thread_id},
        details={"subject": message.subject, "origin": message.thread.origin, "template_id": message.template_id},
    )
