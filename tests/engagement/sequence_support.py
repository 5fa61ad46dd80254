"""Shared helpers for the sequence tests: an organisation on London time, sequences, enrolments."""

from __future__ import annotations

from datetime import UTC, datetime

from engagement.sequences.builder import sequence_create
from engagement.sequences.enrolment import enrollments_create
from engagement.sequences.models import SequenceMessage
from messaging.models import Message, MessageTemplate
from tests.factories import CandidateFactory, MessageTemplateFactory

# Monday 2 March 2026, 10:00 in London (GMT, so 10:00 UTC): inside the default 09:00-18:00 window.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def on_london_time(org, **fields):
    org.time_zone = "Europe/London"
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    return org


def template(tenant, **fields) -> MessageTemplate:
    return MessageTemplateFactory(organization=tenant.org, owner=tenant.user, **fields)


def three_steps(tenant, **first):
    """E-mail now, a same-thread e-mail 72 hours later, a task one business day after that."""
    return [
        {"order": 1, "kind": "email", "template": template(tenant, subject="Hello from {{ organization.name }}").pk,
         **first},
        {"order": 2, "kind": "email", "template": template(tenant, subject="Second").pk, "delay_hours": 72,
         "same_thread": True},
        {"order": 3, "kind": "task", "task_text": "Call them", "delay_business_days": 1},
    ]  # fmt: skip


def make_sequence(tenant, steps=None, **data):
    return sequence_create(
        org=tenant.org, owner=tenant.user, name=data.pop("name", "Backend 2026"), steps=steps or three_steps(tenant),
        **data,
    )  # fmt: skip


def candidate(tenant, **fields):
    fields.setdefault("current_title", "Backend Engineer")
    return CandidateFactory(organization=tenant.org, **fields)


def enrol(tenant, sequence, candidates, now=MONDAY_10):
    return enrollments_create(
        org=tenant.org, sequence=sequence, enrolled_by=tenant.user, candidate_ids=[c.pk for c in candidates], now=now
    )


def link_to_step(message: Message, enrollment, step) -> Message:
    """What the dispatcher writes with a step's message: its link to the enrollment and the step."""
    SequenceMessage.objects.create(
        message=message, thread_id=message.thread_id, enrollment=enrollment, step=step,
        organization_id=message.organization_id,
    )  # fmt: skip
    return message
