"""Exports: the current list as streamed CSV, one candidate as a JSON Resume."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from candidates import exports, services
from candidates.models import Candidate
from candidates.selectors import CandidateFilters, candidate_list

pytestmark = pytest.mark.django_db


def _add(org, first, last, *, skills=(), tags=(), **data):
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills, tags=tags
    )


def _csv(response) -> list[dict]:
    assert response.streaming  # never built in memory
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def ada(acme):
    return _add(
        acme.org, "Ada", "Lovelace", email="Ada@Example.com", phone="+44 20 7946 0958", headline="Analytical engines",
        current_title="Analyst", current_company="Engines Ltd", industry="Computer Software", city="London",
        region="England", country_code="GB", linkedin_url="https://uk.linkedin.com/in/ada-lovelace/",
        links=["https://ada.example.com"], skills=["Python", "Maths"], tags=["Shortlist", "2025"],
        owner=acme.user, source="referral",
    )  # fmt: skip


def test_the_csv_export_has_every_column_and_the_candidates_values(acme, ada):
    response = acme.client.get(reverse("candidate_export_csv", args=[acme.org.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-candidates-')
    rows = _csv(response)
    assert list(rows[0]) == list(exports.CSV_COLUMNS)
    assert rows == [
        {
            "id": str(ada.pk), "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
            "phone": "+442079460958", "headline": "Analytical engines", "current_title": "Analyst",
            "current_company": "Engines Ltd", "industry": "Computer Software", "city": "London", "region": "England",
            "country_code": "GB", "linkedin_url": "https://www.linkedin.com/in/ada-lovelace", "skills": "Maths; Python",
            "tags": "2025; Shortlist", "source": "referral", "stage": "new", "owner_email": "acme@example.com",
            "created_at": ada.created_at.isoformat(),
        }
    ]  # fmt: skip


def test_the_csv_export_follows_the_current_filters_and_order(acme, globex, ada):
    _add(acme.org, "Grace", "Hopper", skills=["COBOL"])
    _add(acme.org, "Alan", "Turing", skills=["Python"])
    _add(globex.org, "Guido", "Van Rossum", skills=["Python"])
    url = reverse("candidate_export_csv", args=[acme.org.slug])
    assert [r["last_name"] for r in _csv(acme.client.get(url))] == ["Hopper", "Lovelace", "Turing"]
    assert [r["last_name"] for r in _csv(acme.client.get(url, {"skill": "python"}))] == ["Lovelace", "Turing"]
    assert [r["last_name"] for r in _csv(acme.client.get(url, {"q": "hopper"}))] == ["Hopper"]
    assert [r["last_name"] for r in _csv(acme.client.get(url, {"skill": "python", "sort": "-created"}))] == [
        "Turing",
        "Lovelace",
    ]


def test_the_list_links_to_the_export_with_its_filters(acme, ada):
    html = acme.client.get(reverse("candidate_list", args=[acme.org.slug]), {"skill": "python"}).content.decode()
    assert reverse("candidate_export_csv", args=[acme.org.slug]) + "?skill=python" in html


def test_the_csv_export_reads_in_chunks_with_a_query_per_chunk(acme, monkeypatch, django_assert_num_queries):
    for n in range(5):
        _add(acme.org, f"Person{n}", "Example", skills=[f"Skill {n}"], tags=["All"])
    monkeypatch.setattr(exports, "CHUNK", 2)
    candidates = candidate_list(org=acme.org, filters=CandidateFilters())
    with django_assert_num_queries(1 + 3 * 2):  # the rows, then skills and tags per chunk of 2
        rows = list(exports.csv_rows(candidates))
    assert len(rows) == 6
    assert [row[exports.CSV_COLUMNS.index("skills")] for row in rows[1:]] == [f"Skill {n}" for n in range(5)]
    assert all(row[exports.CSV_COLUMNS.index("tags")] == "All" for row in rows[1:])


def test_the_csv_export_neutralises_spreadsheet_formulas(acme):
    _add(acme.org, '=HYPERLINK("http://evil")', "@SUM(A1)", headline="-2+3", phone="+44 20 7946 0958")
    row = _csv(acme.client.get(reverse("candidate_export_csv", args=[acme.org.slug])))[0]
    assert row["first_name"] == '\'=HYPERLINK("http://evil")'
    assert row["last_name"] == "'@SUM(A1)"
    assert row["headline"] == "'-2+3"
    assert row["phone"] == "+442079460958"  # a phone number is no formula


def test_an_empty_export_is_just_the_header(acme):
    response = acme.client.get(reverse("candidate_export_csv", args=[acme.org.slug]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.strip() == ",".join(exports.CSV_COLUMNS)


def test_another_organisation_cannot_export_acmes_list(acme, globex, ada):
    assert globex.client.get(reverse("candidate_export_csv", args=[acme.org.slug])).status_code == 404
    assert _csv(globex.client.get(reverse("candidate_export_csv", args=[globex.org.slug]))) == []


def test_the_json_resume_export_follows_the_schema(acme, ada):
    response = acme.client.get(reverse("candidate_json_resume", args=[acme.org.slug, ada.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="ada-lovelace-{ada.pk}.resume.json"'
    resume = json.loads(response.content)
    assert resume["$schema"] == "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
    assert resume["basics"] == {
        "name": "Ada Lovelace",
        "label": "Analytical engines",
        "email": "ada@example.com",
        "phone": "+442079460958",
        "url": "https://ada.example.com",
        "location": {"city": "London", "region": "England", "countryCode": "GB"},
        "profiles": [
            {"network": "LinkedIn", "username": "ada-lovelace", "url": "https://www.linkedin.com/in/ada-lovelace"}
        ],
    }
    assert resume["work"] == [{"name": "Engines Ltd", "position": "Analyst"}]
    assert resume["skills"] == [{"name": "Maths"}, {"name": "Python"}]
    assert "lastModified" in resume["meta"]


def test_the_json_resume_of_a_sparse_profile_leaves_empty_fields_out(acme):
    candidate = _add(acme.org, "Grace", "")
    resume = exports.json_resume(Candidate.objects.get(pk=candidate.pk))
    assert resume["basics"] == {"name": "Grace"}
    assert "work" not in resume and "skills" not in resume


def test_the_json_resume_matches_the_shape_of_the_standard(acme, ada):
    """Checked against the parts of jsonresume.org schema v1.0.0 we write (types and formats)."""
    jsonschema = pytest.importorskip("jsonschema")
    string = {"type": "string"}
    schema = {
        "type": "object",
        "properties": {
            "basics": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": string, "label": string, "email": {"type": "string", "format": "email"},
                    "phone": string, "url": {"type": "string", "format": "uri"}, "summary": string,
                    "location": {
                        "type": "object", "additionalProperties": False,
                        "properties": {"address": string, "postalCode": string, "city": string,
                                       "countryCode": string, "region": string},
                    },
                    "profiles": {
                        "type": "array",
                        "items": {"type": "object", "additionalProperties": False, "properties": {
                            "network": string, "username": string, "url": {"type": "string", "format": "uri"}}},
                    },
                },
            },
            "work": {"type": "array", "items": {"type": "object", "properties": {"name": string, "position": string}}},
            "skills": {"type": "array", "items": {"type": "object", "properties": {"name": string}}},
            "meta": {"type": "object", "properties": {"lastModified": string}},
        },
    }  # fmt: skip
    jsonschema.validate(exports.json_resume(ada), schema, format_checker=jsonschema.FormatChecker())


def test_another_organisation_cannot_export_a_json_resume(acme, globex, ada):
    assert globex.client.get(reverse("candidate_json_resume", args=[globex.org.slug, ada.pk])).status_code == 404
    assert globex.client.get(reverse("candidate_json_resume", args=[acme.org.slug, ada.pk])).status_code == 404


def test_exporting_all_matching_from_the_bulk_bar_follows_the_filters_and_order(acme, globex, ada):
    _add(acme.org, "Alan", "Turing", skills=["Python"])
    _add(acme.org, "Grace", "Hopper", skills=["COBOL"])
    _add(globex.org, "Guido", "Van Rossum", skills=["Python"])
    data = {"action": "export", "all_matching": "on", "query": "skill=python&sort=-created"}
    response = acme.client.post(reverse("candidate_bulk", args=[acme.org.slug]), data)
    assert [r["last_name"] for r in _csv(response)] == ["Turing", "Lovelace"]
