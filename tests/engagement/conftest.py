"""Fixtures for the engagement tests: candidates made through the real write path, activities, colleagues."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from candidates import services as candidate_services
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from talentcircles.models import Membership
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def make_candidate():
    def make(tenant: Tenant, first: str = "Jane", last: str = "Doe", **data):
        data.setdefault("owner", tenant.user)
        return candidate_services.candidate_create(
            org=tenant.org, actor=tenant.user, data={"first_name": first, "last_name": last, **data}
        )

    return make


@pytest.fixture
def candidate(acme, make_candidate):
    return make_candidate(acme, "Jane", "Doe", email="jane@example.com")


@pytest.fixture
def record():
    """`record(candidate, kind, when, **fields)`: an activity written through the one activity service."""

    def write(candidate, kind: str, occurred_at: datetime, *, actor=None, summary: str = "", **fields) -> Activity:
        return activity_record(
            org=candidate.organization,
            candidate_id=candidate.pk,
            kind=kind,
            summary=summary or f"A {kind}",
            occurred_at=occurred_at,
            actor_id=actor.pk if actor else None,
            **fields,
        )

    return write


@pytest.fixture
def colleague(acme) -> Tenant:
    """A second recruiter in acme, signed in."""
    user = UserFactory(email="colleague@example.com")
    membership = MembershipFactory(user=user, organization=acme.org, role=Membership.Role.RECRUITER)
    client = Client()
    client.force_login(user)
    return Tenant(org=acme.org, user=user, membership=membership, client=client)
