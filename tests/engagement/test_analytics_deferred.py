"""A bulk writer (the demo seed) may defer the live roll-up updates and rebuild once at the end."""

from __future__ import annotations

import pytest

from engagement.analytics.models import ResponseOutreach, ResponseStat
from engagement.analytics.rollups.live import rollups_deferred
from engagement.analytics.rollups.rebuild import rollups_rebuild
from tests.engagement.analytics_support import build_scenario, snapshot

pytestmark = pytest.mark.django_db


def test_deferred_events_count_nothing_until_the_rebuild_counts_them_all(acme):
    with rollups_deferred():
        build_scenario(acme)
    assert not ResponseStat.objects.for_org(acme.org).exists()
    assert not ResponseOutreach.objects.for_org(acme.org).exists()

    rollups_rebuild(org=acme.org)
    daily, weekly, facts = snapshot(acme.org)
    assert daily and weekly and facts


def test_the_live_updates_resume_after_the_block(acme):
    with rollups_deferred():
        pass
    build_scenario(acme)
    live = snapshot(acme.org)
    assert live[0]
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org) == live
