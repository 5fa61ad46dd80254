"""Hostile input and failures on /api/: every answer is JSON with the right status, never an HTML 500."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from rest_framework import exceptions

from candidates.importing.readers import MAX_BYTES as IMPORT_MAX_BYTES
from candidates.resumes import MAX_BYTES as RESUME_MAX_BYTES
from talentcircles.api_fallbacks import MULTIPART_LIMIT
from talentcircles.api_parsers import JSONParser, PayloadTooLarge
from talentcircles.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(acme) -> Client:
    key = api_token_create(membership=acme.membership, name="bounds").key
    return Client(HTTP_AUTHORIZATION=f"Token {key}", raise_request_exception=False)


def _is_json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


def test_json_nested_100000_deep_is_a_400(api):
    body = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/v1/candidates/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in _is_json(response)["detail"]


def test_a_20_mb_json_body_is_a_413_before_it_is_read(api):
    body = b'{"first_name": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = api.post("/api/v1/candidates/", body, content_type="application/json")
    assert response.status_code == 413
    assert "at most 2,621,440 bytes" in _is_json(response)["detail"]


def test_the_parser_stops_reading_at_the_limit_whatever_the_headers_said(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(PayloadTooLarge):
        JSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 200 + b'"}'))
    assert JSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}
    with pytest.raises(exceptions.ParseError):
        JSONParser().parse(io.BytesIO(b'{"a": NaN}'))


def test_a_garbage_content_length_is_a_json_400(api):
    response = api.post("/api/v1/candidates/", b"{}", content_type="application/json", CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert "Content-Length" in _is_json(response)["detail"]


def test_multipart_fields_over_the_memory_limit_are_a_json_413(api, acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/imports/", {"mapping": "x" * 5000})
    assert response.status_code == 413
    _is_json(response)


def test_the_multipart_limit_leaves_room_for_the_largest_upload():
    assert max(IMPORT_MAX_BYTES, RESUME_MAX_BYTES) < MULTIPART_LIMIT


def test_an_unknown_api_path_is_a_json_404_and_a_page_keeps_its_html_404(api, acme):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert _is_json(response) == {"detail": "Not found."}
    response = api.get("/api/v1/enrollments/not-a-number/")
    assert response.status_code == 404
    _is_json(response)
    page = acme.client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_method_not_allowed_is_json(api):
    response = api.delete("/api/v1/organization/")
    assert response.status_code == 405
    assert "not allowed" in _is_json(response)["detail"]


@pytest.mark.urls("tests.talentcircles.api_fault_urls")
def test_a_bug_outside_drf_is_a_json_500_on_the_api_and_html_elsewhere(api):
    response = api.get("/api/v1/_test/bug/")
    assert response.status_code == 500
    assert _is_json(response) == {"detail": "A server error occurred."}
    page = api.get("/_test/bug/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.urls("tests.talentcircles.api_fault_urls")
@pytest.mark.parametrize("path", ["/api/v1/_test/db-down/", "/api/v1/_test/plain-db-down/"])
def test_the_database_being_unreachable_is_a_json_503_with_retry_after(api, path):
    response = api.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "database" in _is_json(response)["detail"]


@pytest.mark.urls("tests.talentcircles.api_fault_urls")
def test_a_page_keeps_its_html_error_when_the_database_is_unreachable(api):
    page = api.get("/_test/db-down/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_json_errors_keep_their_shape_for_field_messages(api):
    response = api.post("/api/v1/candidates/", json.dumps({"first_name": ""}), content_type="application/json")
    assert response.status_code == 400
    assert "first_name" in _is_json(response) or "non_field_errors" in response.json()


HUGE = 2**64  # past any 64-bit id: SQLite raised OverflowError on these (a 500)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", f"/api/v1/enrollments/?sequence={HUGE}", None, "sequence"),
        ("get", f"/api/v1/enrollments/?candidate={HUGE}", None, "candidate"),
        ("get", "/api/v1/enrollments/?candidate=abc", None, "candidate"),
        ("get", "/api/v1/enrollments/?state=sideways", None, "state"),
        ("get", f"/api/v1/stats/funnel/?recruiter={HUGE}", None, "recruiter"),
        ("get", f"/api/v1/stats/response-rate/?recruiter={HUGE}", None, "recruiter"),
        (
            "post",
            "/api/v1/reminders/",
            {"candidate": 1, "recruiter": HUGE, "due_at": "2030-01-01T09:00:00Z"},
            "recruiter",
        ),
        ("post", "/api/v1/reminders/", {"candidate": HUGE, "due_at": "2030-01-01T09:00:00Z"}, "candidate"),
        ("post", "/api/v1/threads/bulk/", {"candidates": [HUGE], "template": 1}, "candidates"),
        ("post", "/api/v1/threads/bulk/", {"circle": HUGE, "template": HUGE}, "circle"),
    ],
)
def test_an_id_past_64_bits_is_a_400_naming_the_field(api, method, path, body, field):
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == 400
    assert field in _is_json(response)


def test_an_id_past_64_bits_in_a_circles_member_list_is_a_400(api, acme):
    from engagement.circles.models import Circle

    circle = Circle.objects.create(organization=acme.org, name="Backend", slug="backend")
    response = api.post(
        f"/api/v1/circles/{circle.pk}/members/", json.dumps({"candidates": [HUGE]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "candidates" in _is_json(response)


def test_another_organisations_enrollments_stay_out_of_sight_with_the_id_filters(api, globex):
    from tests.factories import CandidateFactory

    theirs = CandidateFactory(organization=globex.org)
    response = api.get("/api/v1/enrollments/", {"candidate": theirs.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0
