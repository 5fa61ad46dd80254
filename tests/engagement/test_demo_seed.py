"""`manage.py seed_demo` builds the promised community, consistently, once.

One seeding per test module would need a database outside the test transaction; the shape and the
second run are checked in one test instead, so the (slow-ish) seed runs twice, not once per assert.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from candidates.models import Candidate
from engagement.analytics.models import Dimension, ResponseOutreach, ResponseStat, ResponseStatWeek
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.models import Circle, Post, Rsvp
from engagement.sequences.models import Enrollment, Sequence
from engagement.timeline.models import Activity, Reminder
from messaging.models import InboundEmail, Message, MessageTemplate, Thread
from talentcircles.models import Organization, User

pytestmark = pytest.mark.django_db


def snapshot(org: Organization) -> dict[str, int]:
    return {
        "candidates": Candidate.objects.for_org(org).count(),
        "threads": Thread.objects.for_org(org).count(),
        "messages": Message.objects.for_org(org).count(),
        "activities": Activity.objects.for_org(org).count(),
        "reminders": Reminder.objects.for_org(org).count(),
        "enrollments": Enrollment.objects.for_org(org).count(),
        "rsvps": Rsvp.objects.filter(post__organization=org).count(),
        "stats": ResponseStat.objects.filter(organization=org).count(),
        "circles": Circle.objects.for_org(org).count(),
        "templates": MessageTemplate.objects.for_org(org).count(),
        "jobs": Job.objects.for_org(org).count(),
        "job_interests": JobInterest.objects.for_org(org).count(),
    }


def assert_jobs(org: Organization) -> None:
    """Jobs in every status but one, shared to circles, with interest at every status of the board."""
    assert set(Job.objects.for_org(org).values_list("status", flat=True)) == {"draft", "open", "on_hold", "filled"}
    assert not Job.objects.for_org(org).filter(circles=None).exists()
    assert set(JobInterest.objects.for_org(org).values_list("status", flat=True)) == set(JobInterest.Status.values)
    assert JobInterest.objects.for_org(org).exclude(note="").exists()


def assert_people_and_community(org: Organization) -> None:
    people = Candidate.objects.for_org(org)
    assert 300 <= people.count() <= 310
    assert people.values("country_code").distinct().count() >= 10
    assert people.values("time_zone").distinct().count() >= 10
    assert people.values("industry").distinct().count() >= 5
    assert people.exclude(owner=None).values("owner").distinct().count() >= 4
    assert set(people.values_list("stage", flat=True)) >= {"new", "contacted", "interested", "applied", "hired"}
    # The pipeline's "time in stage" reads like a history: moves are dated by their conversations.
    moved = people.exclude(stage="new")
    long_ago = moved.filter(stage_changed_at__lt=timezone.now() - timedelta(days=1)).count()
    assert long_ago >= 0.8 * moved.count()
    assert Circle.objects.for_org(org).count() == 6
    assert Post.objects.filter(organization=org, kind="event").count() == 1
    assert Rsvp.objects.filter(post__organization=org, response="yes").count() >= 5
    assert MessageTemplate.objects.for_org(org).count() == 3


def assert_outreach_and_replies(org: Organization) -> None:
    outgoing = Message.objects.for_org(org).filter(direction="out")
    assert outgoing.values("sender").distinct().count() >= 4
    first, last = outgoing.order_by("sent_at").values_list("sent_at", flat=True)[:: outgoing.count() - 1]
    assert last - first > timedelta(days=100)
    incoming = Message.objects.for_org(org).filter(direction="in", is_auto_reply=False)
    kinds = Counter(incoming.values_list("classification", flat=True))
    assert {"interested", "not_interested", "opt_out", "later", "question"} <= set(kinds)
    assert incoming.filter(channel="click").exists()
    assert Message.objects.for_org(org).filter(is_auto_reply=True).exists()
    assert outgoing.filter(status="bounced").exists()
    assert InboundEmail.objects.filter(organization=org, status="bounce").exists()
    assert Candidate.objects.for_org(org).exclude(unsubscribed_at=None).exists()  # the written opt-out
    # The timeline says what the messages say.
    timeline = Counter(Activity.objects.for_org(org).values_list("kind", flat=True))
    assert timeline["message_out"] == outgoing.count()
    assert timeline["reply_in"] == incoming.count()  # clicks are answers on the timeline too
    assert {"import", "note", "call", "stage_change", "rsvp", "bounce", "auto_reply", "unsubscribe"} <= set(timeline)


def assert_sequences_reminders_and_rollups(org: Organization) -> None:
    assert Sequence.objects.for_org(org).filter(status="active").count() == 2
    running = Enrollment.objects.for_org(org).filter(state="active")
    assert running.values("steps_done").distinct().count() >= 2
    assert not running.filter(next_run_at__lte=timezone.now()).exists()  # nothing fires the moment it starts
    assert Enrollment.objects.for_org(org).filter(state="replied").exists()
    recruiter = User.objects.get(email="recruiter@demo.talentcircles.test")
    today = timezone.now().date()
    assert Reminder.objects.for_org(org).filter(recruiter=recruiter, due_at__date=today, done_at=None).exists()
    # The roll-ups are rebuilt and agree with the outreach; one recruiter is under the 13% line, one well over.
    assert ResponseStatWeek.objects.filter(organization=org).exists()
    everyone = ResponseStat.objects.filter(organization=org, recruiter_id=0, dimension=Dimension.ALL)
    assert everyone.aggregate(sent=Sum("sent"))["sent"] == ResponseOutreach.objects.filter(organization=org).count()
    rates = {
        row["key"]: row["answered"] / row["sent"]
        for row in ResponseStat.objects.filter(organization=org, recruiter_id=0, dimension=Dimension.RECRUITER)
        .values("key")
        .annotate(sent=Sum("sent"), answered=Sum("answered"))
        if row["sent"] >= 30
    }
    assert min(rates.values()) < 0.13 < 0.2 < max(rates.values())


def test_seed_demo_builds_the_community_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    org = Organization.objects.get(slug="demo")
    assert_people_and_community(org)
    assert_outreach_and_replies(org)
    assert_sequences_reminders_and_rollups(org)
    assert_jobs(org)
    grace = Candidate.objects.for_org(org).get(email="grace.hopper@example.com")
    assert Reminder.objects.filter(candidate=grace).count() == 1
    assert "Demo data ready in" in out.getvalue()

    before = snapshot(org)
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot(org) == before
    # The second organisation stays a bare one, to try the switcher (and the first-hour checklist) on.
    assert not Candidate.objects.filter(organization__slug="northwind").exists()


def test_the_small_demo_has_the_famous_five_their_circle_and_the_sequences_but_no_generated_people():
    out = io.StringIO()
    call_command("seed_demo", "--small", stdout=out)
    org = Organization.objects.get(slug="demo")
    assert Candidate.objects.for_org(org).count() == 5
    backend = Circle.objects.for_org(org).get(name="Backend Engineers")
    assert backend.memberships.count() == 5
    assert Post.objects.filter(circle=backend, kind="event").exists()
    assert Sequence.objects.for_org(org).count() == 2
    assert Activity.objects.filter(candidate__organization=org, kind__in=Activity.LOGGED_KINDS).exists()
    assert "Recruiter login:" in out.getvalue()
