"""Fixtures for the candidate page tests (list and bulk actions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import Candidate
from tests.candidates.page_support import add_candidate
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def varied(acme):
    """Four acme candidates that differ in every filterable way."""
    colleague = UserFactory(email="colleague@example.com", first_name="Carla", last_name="Colleague")
    MembershipFactory(user=colleague, organization=acme.org)
    now = timezone.now()
    ada = add_candidate(
        acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["Shortlist"],
        industry="Computer Software", city="London", country_code="GB", owner=acme.user, source="referral",
    )  # fmt: skip
    grace = add_candidate(
        acme.org, "Grace", "Hopper", email="grace@example.com", skills=["COBOL"], industry="Banking",
        city="Arlington", region="Virginia", country_code="US", owner=colleague, stage="contacted",
    )  # fmt: skip
    alan = add_candidate(acme.org, "Alan", "Turing", skills=["Python"], stage="engaged")  # no e-mail: not contactable
    katherine = add_candidate(acme.org, "Katherine", "Johnson", email="kj@example.com", do_not_contact=True)
    Candidate.objects.filter(pk=ada.pk).update(last_contacted_at=now - timedelta(days=40))
    Candidate.objects.filter(pk=grace.pk).update(last_contacted_at=now - timedelta(days=2))
    return {"colleague": colleague, "ada": ada, "grace": grace, "alan": alan, "katherine": katherine}
