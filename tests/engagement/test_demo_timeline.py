"""The demo data gets a few timeline activities and a reminder, through the services, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from engagement.timeline.models import Activity, Relationship, Reminder
from talentcircles.models import Organization, User

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_the_demo_timeline_once():
    for _ in range(2):
        call_command("seed_demo", stdout=io.StringIO())
    demo = Organization.objects.get(slug="demo")
    recruiter = User.objects.get(email="recruiter@demo.talentcircles.test")
    logged = Activity.objects.for_org(demo).filter(kind__in=Activity.LOGGED_KINDS)
    assert logged.count() == 4 and set(logged.values_list("actor", flat=True)) == {recruiter.pk}
    assert Activity.objects.for_org(demo).filter(kind=Activity.Kind.CREATED).count() == 5
    reminder = Reminder.objects.for_org(demo).get()
    assert (reminder.recruiter, reminder.candidate.first_name) == (recruiter, "Grace")
    assert Relationship.objects.for_org(demo).get(candidate__first_name="Grace").score > 0
