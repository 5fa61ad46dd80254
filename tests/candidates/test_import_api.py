"""`/api/v1/imports/`: start an import by multipart upload, follow it, and never see another organisation's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from candidates.models import Candidate, ImportJob
from talentcircles.services import api_token_create

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _token_client(tenant) -> Client:
    issued = api_token_create(membership=tenant.membership, name="ATS sync")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def _post(client: Client, name: str, data: bytes, **fields):
    return client.post("/api/v1/imports/", {"file": SimpleUploadedFile(name, data), **fields})


def test_a_token_starts_an_import_and_follows_it_to_the_end(acme, django_capture_on_commit_callbacks):
    client = _token_client(acme)
    data = (FILES / "linkedin_connections.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "Connections.csv", data, format="linkedin", owner=acme.user.email.upper())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and body["format"] == "linkedin" and body["total"] == 5
    assert body["owner"] == acme.user.email
    assert body["mapping"]["URL"] == "linkedin_url"

    status = client.get(f"/api/v1/imports/{body['id']}/").json()
    assert status["status"] == "finished" and status["is_done"] is True
    assert (status["processed"], status["percent"], status["created"], status["failed"]) == (5, 100, 5, 0)
    assert Candidate.objects.for_org(acme.org).filter(owner=acme.user).count() == 5


def test_a_session_can_import_too_and_a_mapping_can_be_sent(acme, django_capture_on_commit_callbacks):
    long_name = "N" * 101
    data = f"Who,Mail,Employer,Notes\nAda Lovelace,ada@example.com,Engines Ltd,likes maths\n{long_name},,,\n".encode()
    mapping = {"Who": "full_name", "Mail": "email", "Employer": "current_company", "Notes": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(acme.client, "people.csv", data, format="csv", mapping=json.dumps(mapping))
    assert response.status_code == 201, response.json()
    status = acme.client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (status["created"], status["failed"]) == (1, 1)
    assert status["errors"] == [
        {
            "row": 3,
            "reason": "first_name: Ensure this value has at most 100 characters (it has 101).",
            "data": {"Who": long_name, "Mail": "", "Employer": "", "Notes": ""},
        }
    ]
    assert status["warnings"] == []
    ada = Candidate.objects.for_org(acme.org).get()
    assert (ada.last_name, ada.current_company) == ("Lovelace", "Engines Ltd")


def test_the_job_shows_rows_imported_with_warnings_and_rows_skipped_without_a_name(
    acme, django_capture_on_commit_callbacks
):
    data = (FILES / "linkedin_2018_connections.csv").read_bytes() + b',,,,,"5/5/18, 1:00 PM"\n'
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(_token_client(acme), "Connections.csv", data, format="auto")
    assert response.status_code == 201 and response.json()["format"] == "linkedin"
    status = acme.client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (status["created"], status["skipped"], status["failed"]) == (4, 1, 0)
    jules = {
        "First Name": "Jules", "Last Name": "Sansmail", "Email Address": "urn:li:member:987654321",
        "Company": "", "Position": "", "Connected On": "6/30/18, 4:20 PM",
    }  # fmt: skip
    nameless = {
        "First Name": "", "Last Name": "", "Email Address": "", "Company": "", "Position": "",
        "Connected On": "5/5/18, 1:00 PM",
    }  # fmt: skip
    assert status["warnings"] == [
        {
            "row": 4,
            "outcome": "created",
            "messages": ["email: “urn:li:member:987654321” is not a valid e-mail address. Left out."],
            "data": jules,
        },
        {
            "row": 6,
            "outcome": "skipped",
            "messages": ["No name: skipped (a new candidate needs a first or last name)."],
            "data": nameless,
        },
    ]
    assert Candidate.objects.for_org(acme.org).get(last_name="Sansmail").email == ""


def test_the_format_can_be_detected(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(acme.client, "resume.json", (FILES / "sample.resume.json").read_bytes(), format="auto")
    assert response.status_code == 201
    assert response.json()["format"] == "jsonresume"


@pytest.mark.parametrize(
    ("fields", "data", "field", "message"),
    [
        ({"format": "xml"}, b"Name\nAda\n", "format", "“xml” is not a format we import. Choose one of: auto, csv,"),
        ({}, b"Name\nAda\n", "format", "This field is required."),
        ({"format": "csv"}, b"Name,Email\n", "file", "The file has a header but no rows."),
        ({"format": "csv"}, b"\x00\x01binary", "file", "This file is binary (it contains NUL bytes)"),
        ({"format": "jsonresume"}, b"{nope", "file", "The file is not valid JSON: "),
        ({"format": "csv"}, b"Colour,Size\nred,L\n", "mapping", "None of the columns (Colour, Size) looks like"),
        ({"format": "csv", "mapping": '{"Salary": "email"}'}, b"Name\nAda\n", "mapping", "Not columns of this file"),
        ({"format": "csv", "mapping": "{not json"}, b"Name\nAda\n", "mapping", "Value must be valid JSON."),
        ({"format": "csv", "owner": "stranger@example.com"}, b"Name\nAda\n", "owner", "No member of this"),
    ],
)
def test_bad_requests_are_400_with_field_messages_and_store_nothing(acme, fields, data, field, message):
    response = _post(_token_client(acme), "f.csv", data, **fields)
    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)
    assert not ImportJob.objects.exists()


def test_the_file_is_required(acme):
    response = _token_client(acme).post("/api/v1/imports/", {"format": "csv"})
    assert response.status_code == 400
    assert "file" in response.json()


def test_another_organisations_job_is_404(acme, globex):
    response = _post(_token_client(acme), "p.csv", b"Name\nAda\n", format="csv")
    job_id = response.json()["id"]
    globex_client = _token_client(globex)
    assert globex_client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert globex.client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert globex_client.get("/api/v1/imports/").json()["count"] == 0
    assert _token_client(acme).get("/api/v1/imports/").json()["count"] == 1


def test_the_schema_documents_the_upload_with_examples(acme):
    schema = acme.client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/v1/imports/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert create["requestBody"]["content"]["multipart/form-data"]["examples"]
    assert set(create["responses"]) >= {"201", "400"}
    retrieve = schema["paths"]["/api/v1/imports/{id}/"]["get"]
    assert retrieve["responses"]["200"]["content"]["application/json"]["examples"]
    job = schema["components"]["schemas"]["ImportJob"]["properties"]
    assert "left out" in job["warnings"]["description"] and job["warnings"]["readOnly"] is True
