"""The demo's ~300 community members: varied countries, fields, titles, companies, owners and join dates.

Rows come from the same generator as `seed_scale` (`candidates.seeding.people.People`) with a
fixed seed and run id, so every demo has the same people. They start as "new": the outreach
written afterwards moves them along (contacted, engaged) through the timeline's receivers, as it
would in real use. Each gets an "Imported" timeline entry through the import's batch event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from candidates import search
from candidates.models import Candidate, Skill
from candidates.seeding.people import COLUMNS, People, skill_vocabulary
from candidates.services import labels_for
from talentcircles import events
from talentcircles.models import Organization, User

PEOPLE = 300
SEED = 19
RUN_ID = "demo19"  # goes into each e-mail: `<first>.<last>.demo19<i>@example.org`
DEMO_EMAIL_MARK = f".{RUN_ID}"
# Nobody joined in the last two days, so the newest members already have a first message.
NEWEST_JOIN = timedelta(days=2)


def demo_people_exist(org: Organization) -> bool:
    return Candidate.objects.for_org(org).filter(email__contains=DEMO_EMAIL_MARK).exists()


def people_create(*, org: Organization, team: list[User], now: datetime) -> list[Candidate]:
    """Create the demo's people (in bulk) and announce them as one import; returns them."""
    skills = labels_for(Skill, org, skill_vocabulary())
    generator = People(
        org_id=org.pk,
        run_id=RUN_ID,
        seed=SEED,
        owner_ids=[user.pk for user in team],
        skill_ids={skill.name: skill.pk for skill in skills},
    )
    rows = [generator.row(i) for i in range(PEOPLE)]
    people = Candidate.objects.bulk_create([_candidate(row, now) for row, _ in rows], batch_size=500)
    Through = Candidate.skills.through
    Through.objects.bulk_create(
        [Through(candidate_id=p.pk, skill_id=s) for p, (_, ids) in zip(people, rows, strict=True) for s in ids],
        batch_size=2000,
    )
    search.refresh([p.pk for p in people])
    events.emit_many(
        [
            events.CandidateEvent(
                organization_id=org.pk,
                candidate_id=person.pk,
                kind=events.IMPORTED,
                occurred_at=person.created_at,
                details={"source": person.source, "outcome": "created"},
            )
            for person in people
        ]
    )
    return people


def _candidate(row: tuple, now: datetime) -> Candidate:
    values = dict(zip(COLUMNS, row, strict=True))
    values["links"] = json.loads(values["links"])
    created = min(values["created_at"], now - NEWEST_JOIN)
    # Everyone starts new and reachable; outreach and the recruiters' moves decide the rest.
    values.update(
        stage=Candidate.Stage.NEW,
        stage_changed_at=created,
        last_contacted_at=None,
        do_not_contact=False,
        email_undeliverable=False,
        created_at=created,
        updated_at=created,
    )
    return Candidate(**values)


def joined_before(person: Candidate, when: datetime) -> bool:
    return person.created_at.astimezone(UTC) < when
