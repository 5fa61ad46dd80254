"""The demo's two running sequences, built with the sequence builder from the demo templates."""

from __future__ import annotations

from engagement.sequences.builder import sequence_create
from engagement.sequences.models import Sequence, SequenceStep
from messaging.models import MessageTemplate
from talentcircles.models import Organization, User

# name, owner's e-mail, steps as (template name, hours after the previous step)
SEQUENCES = [
    ("Backend engineers: warm introduction", "recruiter@demo.talentcircles.test",
     [("Warm introduction", 0), ("Checking back in", 72), ("Checking back in", 96)]),
    ("After the meetup", "priya.partner@demo.talentcircles.test",
     [("After a meetup", 0), ("Checking back in", 120)]),
]  # fmt: skip


def demo_sequences(
    *, org: Organization, team: list[User], templates: dict[str, MessageTemplate]
) -> list[tuple[Sequence, list[SequenceStep]]]:
    """Both sequences (created once) with their steps in order."""
    owners = {user.email: user for user in team}
    built = []
    for name, owner_email, steps in SEQUENCES:
        sequence = Sequence.objects.for_org(org).filter(name=name).first() or sequence_create(
            org=org,
            owner=owners.get(owner_email, team[0]),
            name=name,
            steps=[
                {"order": n, "kind": "email", "template": templates[t].pk, "delay_hours": hours}
                for n, (t, hours) in enumerate(steps, start=1)
            ],
        )
        built.append((sequence, list(sequence.steps.select_related("template").order_by("order"))))
    return built
