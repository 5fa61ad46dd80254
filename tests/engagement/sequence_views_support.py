"""Shared by the tests/engagement/test_sequence_*.py page tests: URLs, flash messages, builder POST data."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from engagement.circles.models import CircleMembership
from tests.factories import CircleFactory


def url(name: str, tenant, *args) -> str:
    return reverse(name, args=[tenant.org.slug, *args])


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def step_rows(*rows: dict) -> dict:
    """POST data for the builder's steps formset."""
    data = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        defaults = {"kind": "email", "delay": "0", "delay_unit": "hours", "same_thread": "on"}
        for name, value in {**defaults, **row}.items():
            if value is not None:
                data[f"steps-{index}-{name}"] = value
    return data


def circle_with(tenant, *people):
    circle = CircleFactory(organization=tenant.org)
    for person in people:
        CircleMembership.objects.create(circle=circle, candidate=person)
    return circle
