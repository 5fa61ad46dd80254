"""The demo community: ~300 people, six circles, two running sequences, 120 days of the team's outreach,
and five jobs with people interested in them.

`demo_community_seed` is what engagement's `AppConfig.seed_demo` runs (engagement sits at the top of
the import order, so it may use every app's services). Writes go through the services and the
inbound pipeline wherever they can; only the backdated sends are written in bulk (`history`), and
their consequences follow from the same events delivery emits. Idempotent: an organisation that
already has the demo's people is left as it is. The response-rate roll-ups are rebuilt at the end,
as the nightly task would.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from candidates.models import Candidate
from engagement.analytics.rollups.live import rollups_deferred
from engagement.analytics.rollups.rebuild import rollups_rebuild
from engagement.demo.community import circles_create
from engagement.demo.desk import famous_timeline, recruiters_work
from engagement.demo.history import history_write
from engagement.demo.jobs import jobs_create
from engagement.demo.outreach import Fixtures, outreach_plan
from engagement.demo.people import SEED, demo_people_exist, people_create
from engagement.demo.replies import replies_arrive
from engagement.demo.sequences import demo_sequences
from messaging.models import MessageTemplate, Thread
from talentcircles.models import Membership, Organization, User


def demo_community_seed(
    *, org: Organization, recruiter: User, say: Callable[[str], None] | None = None, small: bool = False
) -> bool:
    """Seed `org` with the demo community once; False (and nothing written) when it is there already.

    `small` seeds the circles, sequences and the famous five's timeline without the generated people
    and their outreach: what the browser tests were written against, in a fraction of the time."""
    if demo_people_exist(org):
        return False
    with rollups_deferred():  # one rebuild at the end instead of the live increments event by event
        if small:
            _seed_small(org=org, recruiter=recruiter)
        else:
            _seed(org=org, recruiter=recruiter, say=say)
    rollups_rebuild(org=org)
    if say:
        say("  analytics roll-ups rebuilt")
    return True


def _seed(*, org: Organization, recruiter: User, say: Callable[[str], None] | None) -> None:
    clock, now = time.perf_counter(), timezone.now()

    def step(name: str) -> None:
        nonlocal clock
        if say:
            say(f"  {name:<32} {time.perf_counter() - clock:5.2f} s")
        clock = time.perf_counter()

    team = [m.user for m in Membership.objects.for_org(org).select_related("user").order_by("pk")]
    people = people_create(org=org, team=team, now=now)
    step("people")
    circles = circles_create(org=org, recruiter=recruiter, people=people, now=now)
    step("circles, posts, event, RSVPs")
    templates = {t.name: t for t in MessageTemplate.objects.for_org(org)}
    sequences = demo_sequences(org=org, team=team, templates=templates)
    fixtures = Fixtures(team=team, templates=templates, sequences=sequences, circle_ids=[c.pk for c in circles])
    people = list(Candidate.objects.for_org(org).filter(pk__in=[p.pk for p in people]).prefetch_related("skills"))
    plan = outreach_plan(people=people, fixtures=fixtures, now=now, seed=SEED)
    messages = history_write(org=org, plan=plan, seed=SEED)
    step(f"outreach ({len(plan)} threads)")
    arrived = replies_arrive(plan, messages)
    step(f"replies and bounces ({arrived})")
    famous_timeline(org=org, recruiter=recruiter, now=now)
    recruiters_work(org=org, plan=plan, now=now)
    _stage_moves_dated_by_their_conversations(org=org, since=now)
    step("notes, reminders, stage moves")
    jobs_create(org=org, recruiter=recruiter)
    step("jobs and interest in them")


def _seed_small(*, org: Organization, recruiter: User) -> None:
    now = timezone.now()
    team = [m.user for m in Membership.objects.for_org(org).select_related("user").order_by("pk")]
    circles_create(org=org, recruiter=recruiter, people=[], now=now)
    demo_sequences(org=org, team=team, templates={t.name: t for t in MessageTemplate.objects.for_org(org)})
    famous_timeline(org=org, recruiter=recruiter, now=now)


def _stage_moves_dated_by_their_conversations(*, org: Organization, since) -> None:
    """The stage moves the seed made happened "now"; date each at its person's latest message instead, so
    the pipeline's "time in stage" reads days and weeks, as in a community with a history."""
    latest = Thread.objects.filter(candidate=OuterRef("pk")).order_by("-last_message_at").values("last_message_at")
    moved = Candidate.objects.for_org(org).filter(stage_changed_at__gte=since)
    moved.update(stage_changed_at=Coalesce(Subquery(latest[:1]), F("stage_changed_at")))
