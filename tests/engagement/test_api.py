"""The engagement API: timeline (cursor pages, kind filter), notes/calls/meetings, stage, reminders CRUD."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline import services
from engagement.timeline.models import Activity, Reminder
from talentcircles.services import api_token_create

pytestmark = pytest.mark.django_db
Kind = Activity.Kind


def token_client(tenant) -> Client:
    issued = api_token_create(membership=tenant.membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_the_timeline_is_cursor_paginated_newest_first(acme, candidate, record):
    Activity.objects.all().delete()
    now = timezone.now()
    for i in range(30):
        record(candidate, Kind.NOTE, now - timedelta(minutes=i), summary=f"n{i}")
    client = token_client(acme)
    first = client.get(f"/api/v1/candidates/{candidate.pk}/timeline/").json()
    assert [row["summary"] for row in first["results"]] == [f"n{i}" for i in range(25)]
    assert first["previous"] is None and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert [row["summary"] for row in second["results"]] == [f"n{i}" for i in range(25, 30)]
    assert second["next"] is None


def test_the_timeline_filters_by_kind_and_refuses_unknown_kinds(acme, candidate, record):
    record(candidate, Kind.CALL, timezone.now(), summary="Call · Connected", actor=acme.user)
    client = token_client(acme)
    rows = client.get(f"/api/v1/candidates/{candidate.pk}/timeline/?kind=call").json()["results"]
    assert [(r["kind"], r["actor"]["email"]) for r in rows] == [("call", acme.user.email)]
    bad = client.get(f"/api/v1/candidates/{candidate.pk}/timeline/?kind=telepathy")
    assert bad.status_code == 400 and "is not an activity kind" in bad.json()["kind"][0]


def test_a_call_is_logged_with_its_outcome_and_duration(acme, candidate):
    response = post(
        token_client(acme),
        f"/api/v1/candidates/{candidate.pk}/notes/",
        {"kind": "call", "body": "Open to offers", "outcome": "connected", "duration_minutes": 20},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["summary"], body["body"]) == ("call", "Call · Connected · 20 min", "Open to offers")
    assert body["details"] == {"outcome": "connected", "duration_minutes": 20}
    assert Activity.objects.get(pk=body["id"]).actor == acme.user


def test_notes_and_meetings_are_logged_too(acme, candidate):
    client = token_client(acme)
    note = post(client, f"/api/v1/candidates/{candidate.pk}/notes/", {"kind": "note", "body": "Likes Rust"})
    assert note.status_code == 201 and note.json()["summary"] == "Likes Rust"
    when = (timezone.now() + timedelta(days=3)).isoformat()
    meeting = post(
        client,
        f"/api/v1/candidates/{candidate.pk}/notes/",
        {"kind": "meeting", "occurred_at": when, "attendees": ["Jane Doe"], "body": "Coffee"},
    )
    assert meeting.status_code == 201 and meeting.json()["summary"] == "Meeting with Jane Doe"


def test_bad_log_input_is_a_400_with_field_messages(acme, candidate):
    client = token_client(acme)
    url = f"/api/v1/candidates/{candidate.pk}/notes/"
    far = (timezone.now() - timedelta(days=800)).isoformat()
    cases = [
        ({"kind": "bounce", "body": "x"}, "kind"),
        ({"kind": "note", "body": ""}, "body"),
        ({"kind": "call", "outcome": "", "duration_minutes": 20}, "outcome"),
        ({"kind": "call", "outcome": "connected", "duration_minutes": 99999}, "duration_minutes"),
        ({"kind": "meeting", "attendees": ["Jane"]}, "occurred_at"),
        ({"kind": "meeting", "occurred_at": far}, "occurred_at"),
    ]
    for payload, field in cases:
        response = post(client, url, payload)
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert "more than a year ago" in post(client, url, {"kind": "meeting", "occurred_at": far}).json()["occurred_at"][0]
    confirmed = post(client, url, {"kind": "meeting", "occurred_at": far, "confirm_far_date": True})
    assert confirmed.status_code == 201
    assert Activity.objects.filter(candidate=candidate, kind__in=Activity.LOGGED_KINDS).count() == 1


def test_the_stage_endpoint_moves_the_candidate_and_refuses_unknown_stages(acme, candidate):
    client = token_client(acme)
    url = f"/api/v1/candidates/{candidate.pk}/stage/"
    response = post(client, url, {"stage": "interested", "reason": "Replied to the post"})
    assert response.status_code == 200 and response.json()["stage"] == "interested"
    change = Activity.objects.get(candidate=candidate, kind="stage_change")
    assert change.details["reason"] == "Replied to the post" and change.actor == acme.user
    bad = post(client, url, {"stage": "keen"})
    assert bad.status_code == 400 and "“keen” is not a stage" in bad.json()["stage"][0]
    assert post(client, url, {}).status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).stage == "interested"


def test_reminders_crud_for_the_caller(acme, candidate):
    client = token_client(acme)
    due = (timezone.now() + timedelta(days=14)).isoformat()
    created = post(
        client, "/api/v1/reminders/", {"candidate": candidate.pk, "due_at": due, "note": "Ask about the offer"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["candidate"], body["candidate_name"], body["recruiter"]) == (candidate.pk, "Jane Doe", acme.user.pk)
    assert (body["origin"], body["done"], body["done_at"]) == ("recruiter", False, None)
    url = f"/api/v1/reminders/{body['id']}/"
    assert client.get(url).json()["note"] == "Ask about the offer"
    patched = client.patch(url, {"done": True}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["done"] is True and patched.json()["done_at"]
    reopened = client.patch(url, {"done": False, "note": "Ask again"}, content_type="application/json").json()
    assert (reopened["done"], reopened["note"]) == (False, "Ask again")
    moved = client.patch(url, {"candidate": candidate.pk + 1000}, content_type="application/json")
    assert moved.status_code == 400
    assert client.delete(url).status_code == 204
    assert not Reminder.objects.exists()


def test_reminders_filter_by_status(acme, candidate):
    now = timezone.now()

    def add(note, hours, done=False):
        reminder = services.reminder_create(
            org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=now + timedelta(hours=hours), note=note
        )
        if done:
            services.reminder_complete(reminder=reminder)

    add("overdue", -5)
    add("next month", 24 * 30)
    add("finished", -50, done=True)
    client = token_client(acme)

    def notes(status):
        response = client.get(f"/api/v1/reminders/?status={status}")
        assert response.status_code == 200, response.content
        return sorted(row["note"] for row in response.json()["results"])

    assert notes("overdue") == ["overdue"]
    assert "overdue" in notes("due") and "next month" not in notes("due")
    assert notes("done") == ["finished"]
    assert notes("open") == ["next month", "overdue"]
    assert notes("") == ["finished", "next month", "overdue"]
    assert client.get("/api/v1/reminders/?status=someday").status_code == 400


def test_a_reminder_for_another_organisations_candidate_or_member_is_refused(acme, globex, candidate, make_candidate):
    theirs = make_candidate(globex, "Other", email="other@example.com")
    client = token_client(acme)
    due = timezone.now().isoformat()
    response = post(client, "/api/v1/reminders/", {"candidate": theirs.pk, "due_at": due})
    assert response.status_code == 400
    assert response.json() == {"candidate": ["No such candidate in this organisation."]}
    response = post(
        client, "/api/v1/reminders/", {"candidate": candidate.pk, "due_at": due, "recruiter": globex.user.pk}
    )
    assert response.status_code == 400 and "recruiter" in response.json()
    assert not Reminder.objects.exists()


def test_a_reminder_can_be_for_a_colleague_who_then_owns_it(acme, candidate, colleague):
    client = token_client(acme)
    due = timezone.now().isoformat()
    response = post(
        client, "/api/v1/reminders/", {"candidate": candidate.pk, "due_at": due, "recruiter": colleague.user.pk}
    )
    assert response.status_code == 201
    reminder = Reminder.objects.get()
    assert (reminder.recruiter, reminder.created_by) == (colleague.user, acme.user)
    assert client.get(f"/api/v1/reminders/{reminder.pk}/").status_code == 404  # it is theirs now
    assert token_client(colleague).get(f"/api/v1/reminders/{reminder.pk}/").status_code == 200


def test_the_schema_documents_the_endpoints_with_examples(acme):
    schema = acme.client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/candidates/{id}/timeline/",
        "/api/v1/candidates/{id}/notes/",
        "/api/v1/candidates/{id}/stage/",
        "/api/v1/reminders/",
        "/api/v1/reminders/{id}/",
    ):
        assert path in paths, path
    notes = paths["/api/v1/candidates/{id}/notes/"]["post"]
    assert "ACall" in notes["requestBody"]["content"]["application/json"]["examples"]
