"""Another organisation's candidates, activities and reminders are 404 on every page and endpoint, untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline import services
from engagement.timeline.models import Activity, Reminder
from talentcircles.services import api_token_create
from tests.engagement.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_objects(acme, candidate):
    note = services.activity_log(candidate=candidate, actor=acme.user, kind="note", body="Acme's secret note")
    reminder = services.reminder_create(
        org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=timezone.now(), note="Acme's reminder"
    )
    return candidate, note, reminder


def _snapshot():
    return (
        list(Activity.objects.order_by("pk").values_list("pk", "body", "edited_at")),
        list(Reminder.objects.order_by("pk").values_list("pk", "due_at", "done_at", "note")),
        list(Candidate.objects.order_by("pk").values_list("pk", "stage")),
    )


def _pages(org_slug: str, candidate, note, reminder) -> list[tuple[str, str, dict]]:
    def url(name, *args):
        return reverse(name, args=[org_slug, *args])

    c, a = candidate.pk, note.pk
    return [
        ("get", url("candidate_timeline", c), {}),
        ("get", url("candidate_timeline", c) + "?part=items", {}),
        ("post", url("timeline_log", c, "note"), {"note-body": "Sneaky"}),
        ("post", url("timeline_log", c, "call"), {"call-outcome": "connected"}),
        ("post", url("timeline_stage", c), {"stage-stage": "hired"}),
        ("post", url("timeline_reminder", c), {"reminder-when": "1"}),
        ("get", url("timeline_activity", c, a), {}),
        ("get", url("timeline_activity_edit", c, a), {}),
        ("post", url("timeline_activity_edit", c, a), {f"edit-{a}-body": "Changed"}),
        ("post", url("timeline_activity_delete", c, a), {}),
        ("post", url("pipeline_move", c), {"stage": "hired"}),
        ("post", url("reminder_done", reminder.pk), {}),
        ("post", url("reminder_snooze", reminder.pk), {"days": "7"}),
    ]


def test_every_page_is_404_for_another_organisations_objects(acme, globex, acme_objects):
    before = _snapshot()
    for method, url, data in _pages(globex.org.slug, *acme_objects):
        for headers in ({}, HTMX):
            response = getattr(globex.client, method)(url, data, headers=headers)
            assert response.status_code == 404, (method, url, response.status_code)
    assert _snapshot() == before


def test_every_page_of_an_organisation_is_404_to_non_members(acme, globex, acme_objects):
    before = _snapshot()
    pages = _pages(acme.org.slug, *acme_objects)
    pages += [
        ("get", reverse("pipeline", args=[acme.org.slug]), {}),
        ("get", reverse("my_day", args=[acme.org.slug]), {}),
    ]
    for method, url, data in pages:
        assert getattr(globex.client, method)(url, data).status_code == 404, url
    assert _snapshot() == before


def test_the_board_and_my_day_show_only_the_organisations_own(acme, globex, acme_objects, make_candidate):
    make_candidate(globex, "Globex", "Person", email="g@example.com")
    board = globex.client.get(reverse("pipeline", args=[globex.org.slug])).content.decode()
    assert "Jane Doe" not in board and "Globex Person" in board
    day = globex.client.get(reverse("my_day", args=[globex.org.slug])).content.decode()
    assert "Acme's reminder" not in day


def test_every_endpoint_is_404_for_another_organisations_objects(acme, globex, acme_objects):
    candidate, _, reminder = acme_objects
    before = _snapshot()
    issued = api_token_create(membership=globex.membership, name="tests")
    for client in (Client(HTTP_AUTHORIZATION=f"Token {issued.key}"), globex.client):
        c = candidate.pk
        calls = [
            client.get(f"/api/v1/candidates/{c}/timeline/"),
            client.post(
                f"/api/v1/candidates/{c}/notes/", {"kind": "note", "body": "x"}, content_type="application/json"
            ),
            client.post(f"/api/v1/candidates/{c}/stage/", {"stage": "hired"}, content_type="application/json"),
            client.get(f"/api/v1/reminders/{reminder.pk}/"),
            client.patch(f"/api/v1/reminders/{reminder.pk}/", {"done": True}, content_type="application/json"),
            client.put(
                f"/api/v1/reminders/{reminder.pk}/",
                {"candidate": c, "due_at": (timezone.now() + timedelta(days=1)).isoformat()},
                content_type="application/json",
            ),
            client.delete(f"/api/v1/reminders/{reminder.pk}/"),
        ]
        assert [response.status_code for response in calls] == [404] * len(calls)
        assert client.get("/api/v1/reminders/").json()["results"] == []
    assert _snapshot() == before


def test_naming_another_organisation_in_the_api_is_404(acme, globex, acme_objects):
    candidate, _, _ = acme_objects
    response = globex.client.get(f"/api/v1/candidates/{candidate.pk}/timeline/", headers={"X-Organization": "acme"})
    assert response.status_code == 404
