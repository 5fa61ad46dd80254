"""`/api/v1/sequences/`, `…/{id}/enrollments/`, `/api/v1/enrollments/` and `/api/v1/enrollment-jobs/`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from engagement.circles.models import CircleMembership
from engagement.sequences import enrolment, lifecycle
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep
from talentcircles.services import api_token_create
from tests.engagement.sequence_support import candidate, enrol, make_sequence, template
from tests.factories import CandidateFactory, CircleFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db


def _client(tenant) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(membership=tenant.membership, name='t').key}")
    return client


@pytest.fixture
def api(acme) -> APIClient:
    return _client(acme)


@pytest.fixture
def globex_api(globex) -> APIClient:
    return _client(globex)


def two_steps(tenant) -> list[dict]:
    return [
        {"order": 1, "kind": "email", "template": template(tenant).pk, "delay_hours": 0},
        {"order": 2, "kind": "email", "template": template(tenant).pk, "delay_hours": 72, "same_thread": True},
    ]


# --- CRUD ----------------------------------------------------------------------------------------


def test_it_creates_a_sequence_with_nested_steps(api, acme):
    steps = two_steps(acme)
    response = api.post("/api/v1/sequences/", {"name": "Backend 2026", "steps": steps}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    sequence = Sequence.objects.get(pk=body["id"])
    assert (sequence.organization, sequence.owner, sequence.status) == (acme.org, acme.user, "active")
    assert [(s["order"], s["template"], s["delay_hours"], s["same_thread"]) for s in body["steps"]] == [
        (1, steps[0]["template"], 0, True),
        (2, steps[1]["template"], 72, True),
    ]
    assert (body["owner"], body["step_count"], body["active_enrollments"], body["reply_rate"]) == (
        acme.user.pk,
        2,
        0,
        None,
    )


def test_it_reads_lists_and_updates_a_sequence(api, acme):
    sequence = make_sequence(acme)
    listed = api.get("/api/v1/sequences/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == sequence.pk
    body = api.get(f"/api/v1/sequences/{sequence.pk}/").json()
    assert [s["kind"] for s in body["steps"]] == ["email", "email", "task"]
    first, second, task = body["steps"]
    second["delay_hours"] = 96
    response = api.put(
        f"/api/v1/sequences/{sequence.pk}/", {"name": "Renamed", "steps": [first, second, task]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Renamed"
    assert SequenceStep.objects.get(pk=second["id"]).delay_hours == 96


def test_a_patch_without_steps_keeps_them_and_can_pause(api, acme):
    sequence = make_sequence(acme)
    step_ids = list(sequence.steps.values_list("pk", flat=True))
    response = api.patch(f"/api/v1/sequences/{sequence.pk}/", {"status": "paused"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paused"
    assert list(sequence.steps.values_list("pk", flat=True)) == step_ids


def test_delete_archives_and_stops_running_enrollments(api, acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    assert api.delete(f"/api/v1/sequences/{sequence.pk}/").status_code == 204
    sequence.refresh_from_db()
    enrollment.refresh_from_db()
    assert (sequence.status, enrollment.state) == ("archived", "stopped")
    assert api.get("/api/v1/sequences/").json()["count"] == 0
    assert api.get("/api/v1/sequences/?status=archived").json()["count"] == 1


def test_the_list_runs_a_fixed_number_of_queries(api, acme):
    make_sequence(acme, name="One")
    api.get("/api/v1/sequences/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/sequences/")
    for n in range(6):
        enrol(acme, make_sequence(acme, name=f"More {n}"), [candidate(acme)])
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/sequences/").json()["count"] == 7
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Bad input ------------------------------------------------------------------------------------


def test_a_step_without_a_template_is_a_400_on_that_step(api, acme):
    response = api.post("/api/v1/sequences/", {"name": "X", "steps": [{"order": 1, "kind": "email"}]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"steps": {"0": {"template": ["Choose the template this step sends."]}}}
    assert not Sequence.objects.exists()


def test_a_follow_up_without_a_delay_is_a_400_on_that_step(api, acme):
    steps = two_steps(acme)
    steps[1]["delay_hours"] = 0
    response = api.post("/api/v1/sequences/", {"name": "X", "steps": steps}, format="json")
    assert response.status_code == 400
    errors = response.json()["steps"]
    assert list(errors) == ["1"] and "needs a delay" in errors["1"]["delay_hours"][0]
    assert not Sequence.objects.exists()


def test_a_negative_delay_is_a_400(api, acme):
    steps = two_steps(acme)
    steps[1]["delay_hours"] = -5
    response = api.post("/api/v1/sequences/", {"name": "X", "steps": steps}, format="json")
    assert response.status_code == 400
    assert response.json()["steps"]["1"]["delay_hours"] == ["Ensure this value is greater than or equal to 0."]
    assert not Sequence.objects.exists()


def test_another_organisations_template_is_a_400(api, acme, globex):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    response = api.post(
        "/api/v1/sequences/", {"name": "X", "steps": [{"order": 1, "template": theirs.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert "template" in response.json()["steps"]["0"]
    assert not Sequence.objects.exists()


def test_a_missing_name_and_no_steps_are_400s(api):
    response = api.post("/api/v1/sequences/", {"name": "", "steps": []}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "name" in body
    response = api.post("/api/v1/sequences/", {"name": "Empty", "steps": []}, format="json")
    assert response.json() == {"steps": ["Add at least one step."]}


def test_a_bad_update_changes_nothing(api, acme):
    sequence = make_sequence(acme)
    body = api.get(f"/api/v1/sequences/{sequence.pk}/").json()
    body["steps"][1]["delay_hours"] = 0
    body["name"] = "Should not stick"
    response = api.put(f"/api/v1/sequences/{sequence.pk}/", body, format="json")
    assert response.status_code == 400
    sequence.refresh_from_db()
    assert sequence.name == "Backend 2026"
    assert sequence.steps.get(order=2).delay_hours == 72


# --- Enrolling ------------------------------------------------------------------------------------


def test_it_enrols_candidates_and_lists_those_skipped_with_reasons(api, acme):
    sequence = make_sequence(acme)
    ok = candidate(acme)
    gone = candidate(acme, unsubscribed_at=timezone.now())
    response = api.post(
        f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [ok.pk, gone.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [e["candidate"] for e in body["enrolled"]] == [ok.pk]
    assert body["enrolled"][0]["state"] == "active" and body["enrolled"][0]["next_run_at"]
    assert body["skipped"] == [
        {"candidate": gone.pk, "reason": "unsubscribed", "label": "Unsubscribed from all messages"}
    ]
    again = api.post(f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [ok.pk]}, format="json")
    assert again.json()["skipped"][0]["reason"] == "already_enrolled"


def test_it_enrols_a_circle(api, acme):
    sequence = make_sequence(acme)
    circle = CircleFactory(organization=acme.org)
    people = [candidate(acme) for _ in range(3)]
    for person in people:
        CircleMembership.objects.create(circle=circle, candidate=person)
    response = api.post(f"/api/v1/sequences/{sequence.pk}/enrollments/", {"circle": circle.pk}, format="json")
    assert response.status_code == 201
    assert sorted(e["candidate"] for e in response.json()["enrolled"]) == sorted(p.pk for p in people)


def test_a_large_enrolment_is_accepted_as_a_background_job(api, acme, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(enrolment, "BACKGROUND_ENROLMENT_THRESHOLD", 2)
    sequence = make_sequence(acme)
    people = [candidate(acme) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [p.pk for p in people]}, format="json"
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    job = EnrollmentJob.objects.get(pk=body["id"])
    assert body["progress_url"].endswith(f"/api/v1/enrollment-jobs/{job.pk}/")
    assert response["Location"] == body["progress_url"]
    progress = api.get(f"/api/v1/enrollment-jobs/{job.pk}/").json()
    assert (progress["status"], progress["processed"], progress["enrolled"]) == ("done", 3, 3)


def test_another_organisations_candidate_or_circle_is_a_400_naming_it(api, acme, globex):
    sequence = make_sequence(acme)
    mine, theirs = candidate(acme), CandidateFactory(organization=globex.org)
    response = api.post(
        f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [mine.pk, theirs.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"candidates": [f"No candidate with id {theirs.pk} in this organisation."]}
    their_circle = CircleFactory(organization=globex.org)
    response = api.post(f"/api/v1/sequences/{sequence.pk}/enrollments/", {"circle": their_circle.pk}, format="json")
    assert response.status_code == 400 and "circle" in response.json()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"candidates": []}, {"candidates": ["x"]}, {"candidates": [1], "circle": 1}, {"circle": 0}],
)
def test_a_malformed_enrolment_is_a_400(api, acme, body):
    sequence = make_sequence(acme)
    assert api.post(f"/api/v1/sequences/{sequence.pk}/enrollments/", body, format="json").status_code == 400


def test_enrolling_in_an_archived_sequence_is_a_400(api, acme):
    sequence = make_sequence(acme, status=Sequence.Status.ARCHIVED)
    response = api.post(
        f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [candidate(acme).pk]}, format="json"
    )
    assert response.status_code == 400
    assert "archived" in response.json()["sequence"][0]


def test_it_lists_a_sequences_enrollments_by_state(api, acme):
    sequence = make_sequence(acme)
    _a, b = enrol(acme, sequence, [candidate(acme), candidate(acme)]).enrolled
    lifecycle.enrollment_stop(enrollment=b)
    body = api.get(f"/api/v1/sequences/{sequence.pk}/enrollments/?state=stopped").json()
    assert [e["id"] for e in body["results"]] == [b.pk]
    assert api.get(f"/api/v1/sequences/{sequence.pk}/enrollments/").json()["count"] == 2


# --- One enrollment -------------------------------------------------------------------------------


def test_an_enrollment_is_read_paused_resumed_and_stopped(api, acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    body = api.get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert (body["sequence"], body["state"], body["steps_done"]) == (sequence.pk, "active", 0)
    assert api.post(f"/api/v1/enrollments/{enrollment.pk}/pause/").json()["state"] == "paused"
    assert api.post(f"/api/v1/enrollments/{enrollment.pk}/resume/").json()["state"] == "active"
    stopped = api.post(f"/api/v1/enrollments/{enrollment.pk}/stop/").json()
    assert (stopped["state"], stopped["next_run_at"]) == ("stopped", None)
    refused = api.post(f"/api/v1/enrollments/{enrollment.pk}/pause/")
    assert refused.status_code == 400 and "state" in refused.json()


def test_the_enrollments_list_filters(api, acme):
    first, second = make_sequence(acme), make_sequence(acme, name="Other")
    jane = candidate(acme)
    enrol(acme, first, [jane, candidate(acme)])
    enrol(acme, second, [jane])
    assert api.get("/api/v1/enrollments/").json()["count"] == 3
    assert api.get(f"/api/v1/enrollments/?sequence={first.pk}").json()["count"] == 2
    assert api.get(f"/api/v1/enrollments/?candidate={jane.pk}").json()["count"] == 2
    assert api.get("/api/v1/enrollments/?state=stopped").json()["count"] == 0


# --- Tenancy --------------------------------------------------------------------------------------


def test_another_organisations_objects_are_404(api, acme, globex):
    sequence = make_sequence(globex)
    enrollment = enrol(globex, sequence, [candidate(globex)]).enrolled[0]
    job = EnrollmentJob.objects.create(organization=globex.org, sequence=sequence, total=1)
    assert api.get(f"/api/v1/sequences/{sequence.pk}/").status_code == 404
    assert api.patch(f"/api/v1/sequences/{sequence.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/sequences/{sequence.pk}/").status_code == 404
    assert api.get(f"/api/v1/sequences/{sequence.pk}/enrollments/").status_code == 404
    mine = candidate(acme)
    assert (
        api.post(f"/api/v1/sequences/{sequence.pk}/enrollments/", {"candidates": [mine.pk]}, format="json").status_code
        == 404
    )
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 404
    for verb in ("pause", "resume", "stop"):
        assert api.post(f"/api/v1/enrollments/{enrollment.pk}/{verb}/").status_code == 404
    assert api.get(f"/api/v1/enrollment-jobs/{job.pk}/").status_code == 404
    assert api.get("/api/v1/sequences/").json()["count"] == 0
    assert api.get("/api/v1/enrollments/").json()["count"] == 0
    sequence.refresh_from_db()
    enrollment.refresh_from_db()
    assert (sequence.name, sequence.status, enrollment.state) == ("Backend 2026", "active", "active")


def test_anonymous_callers_are_refused(acme):
    assert APIClient().get("/api/v1/sequences/").status_code in (401, 403)


def test_the_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        "/api/v1/sequences/",
        "/api/v1/sequences/{id}/",
        "/api/v1/sequences/{sequence_pk}/enrollments/",
        "/api/v1/enrollments/{id}/pause/",
        "/api/v1/enrollment-jobs/{id}/",
    } <= set(paths)
