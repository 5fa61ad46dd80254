"""What recruiters and candidates see of résumé extraction (pending, failed and why), the rows htmx polls
and their tenancy, the per-user upload rate limit (pages, portal, API, imports), and hostile import files."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from candidates.models import ImportJob, Resume
from candidates.resumes import resume_attach
from candidates.tasks import resume_text_extract_task
from tests.candidates import hostile_files
from tests.candidates.page_support import add_candidate, page_url
from tests.factories import CandidateFactory, UserFactory, docx_bytes

pytestmark = pytest.mark.django_db

IMPORT_CSV = b"first_name,last_name,email\nAda,Lovelace,ada@example.com\n"


def _attach(candidate, data: bytes, name: str = "cv.docx") -> Resume:
    return resume_attach(candidate=candidate, upload=SimpleUploadedFile(name, data), actor=None)


def _portal_member(org, email: str):
    user = UserFactory(email=email)
    candidate = CandidateFactory(organization=org, user=user, email=email)
    client = Client()
    client.force_login(user)
    return candidate, client


# --- What people see ------------------------------------------------------------------------------


def test_the_candidate_page_shows_extracting_and_polls_until_done(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, docx_bytes("Engine notes"))
    status_url = page_url("candidate_resume_status", acme.org, candidate.pk, resume.pk)
    html = acme.client.get(page_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    assert "Extracting text…" in html and f'hx-get="{status_url}"' in html

    resume_text_extract_task(resume.pk)
    row = acme.client.get(status_url)
    assert row.status_code == 200
    row_html = row.content.decode()
    assert "Engine notes" in row_html and "hx-get" not in row_html and "Extracting" not in row_html


def test_a_refused_file_shows_text_not_extracted_and_why_to_the_recruiter_and_the_candidate(acme):
    candidate, client = _portal_member(acme.org, "ada@example.org")
    resume = _attach(candidate, hostile_files.billion_laughs_docx())
    resume_text_extract_task(resume.pk)
    recruiter_html = acme.client.get(page_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    portal_html = client.get(reverse("portal_profile", args=[acme.org.slug])).content.decode()
    for html in (recruiter_html, portal_html):
        assert "Text not extracted:" in html
        assert "declares a DTD or entities, which documents never need." in html
        assert "The file is kept as it is." in html


def test_the_portal_row_polls_while_pending(acme):
    candidate, client = _portal_member(acme.org, "ada@example.org")
    resume = _attach(candidate, docx_bytes("Mine"))
    status_url = reverse("portal_resume_status", args=[acme.org.slug, resume.pk])
    assert f'hx-get="{status_url}"' in client.get(reverse("portal_profile", args=[acme.org.slug])).content.decode()
    resume_text_extract_task(resume.pk)
    html = client.get(status_url).content.decode()
    assert "cv.docx" in html and "hx-get" not in html


def test_the_api_reports_the_extraction(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    upload = SimpleUploadedFile("cv.docx", hostile_files.many_parts_docx())
    response = acme.client.post(f"/api/v1/candidates/{candidate.pk}/resume/", {"file": upload})
    assert response.status_code == 201
    assert (response.json()["extraction_status"], response.json()["extraction_reason"]) == ("pending", "")
    resume_text_extract_task(response.json()["id"])
    listed = acme.client.get(f"/api/v1/candidates/{candidate.pk}/").json()["resumes"][0]
    assert listed["extraction_status"] == "failed"
    assert listed["extraction_reason"] == "The document has 2,017 parts; at most 1,000 are read."


# --- Tenancy of the polled rows -------------------------------------------------------------------


def test_it_rejects_other_organisations_on_the_recruiter_row(acme, globex):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, docx_bytes("Private"))
    url = page_url("candidate_resume_status", acme.org, candidate.pk, resume.pk)
    assert acme.client.get(url).status_code == 200
    assert globex.client.get(url).status_code == 404
    # Through globex's own address, with acme's ids: still not found.
    theirs = add_candidate(globex.org, "Grace", "Hopper")
    assert (
        globex.client.get(page_url("candidate_resume_status", globex.org, candidate.pk, resume.pk)).status_code == 404
    )
    assert globex.client.get(page_url("candidate_resume_status", globex.org, theirs.pk, resume.pk)).status_code == 404
    # A résumé is reached only through its own candidate.
    other = add_candidate(acme.org, "Alan", "Turing")
    assert acme.client.get(page_url("candidate_resume_status", acme.org, other.pk, resume.pk)).status_code == 404


def test_it_rejects_other_candidates_and_organisations_on_the_portal_row(acme, globex):
    ada, _ada_client = _portal_member(acme.org, "ada@example.org")
    resume = _attach(ada, docx_bytes("Private"))
    _grace, grace_client = _portal_member(acme.org, "grace@example.org")
    _bob, bob_client = _portal_member(globex.org, "bob@example.org")
    assert grace_client.get(reverse("portal_resume_status", args=[acme.org.slug, resume.pk])).status_code == 404
    assert bob_client.get(reverse("portal_resume_status", args=[globex.org.slug, resume.pk])).status_code == 404
    # Not a member of acme's community: sent to its join page, learning nothing about the résumé.
    response = bob_client.get(reverse("portal_resume_status", args=[acme.org.slug, resume.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("community_join", args=[acme.org.slug])


# --- Rate limit -----------------------------------------------------------------------------------


@pytest.fixture
def two_per_window(settings):
    settings.UPLOAD_RATE_LIMIT = 2
    settings.UPLOAD_RATE_WINDOW = 600


def test_a_recruiter_is_limited_on_the_page_and_the_api_together(acme, two_per_window):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    page = page_url("candidate_resume_upload", acme.org, candidate.pk)
    api = f"/api/v1/candidates/{candidate.pk}/resume/"
    assert acme.client.post(page, {"file": SimpleUploadedFile("a.docx", docx_bytes("a"))}).status_code == 302
    assert acme.client.post(api, {"file": SimpleUploadedFile("b.docx", docx_bytes("b"))}).status_code == 201

    refused = acme.client.post(page, {"file": SimpleUploadedFile("c.docx", docx_bytes("c"))})
    assert refused.status_code == 429
    assert "You have uploaded 2 files in the last 10 minutes" in refused.context["upload_form"].errors["file"][0]
    throttled = acme.client.post(api, {"file": SimpleUploadedFile("d.docx", docx_bytes("d"))})
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/json"
    assert throttled.json()["detail"].startswith("You have uploaded 2 files in the last 10 minutes")
    assert 0 < int(throttled["Retry-After"]) <= 600
    assert Resume.objects.count() == 2


def test_each_user_has_their_own_count(acme, two_per_window):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    _member, member_client = _portal_member(acme.org, "ada@example.org")
    portal = reverse("portal_resume_upload", args=[acme.org.slug])
    for name in ("a.docx", "b.docx"):
        assert member_client.post(portal, {"file": SimpleUploadedFile(name, docx_bytes("x"))}).status_code == 302
    refused = member_client.post(portal, {"file": SimpleUploadedFile("c.docx", docx_bytes("x"))})
    assert refused.status_code == 429
    assert "the most we accept" in refused.context["upload_form"].errors["file"][0]
    # The recruiter's own uploads are counted apart.
    page = page_url("candidate_resume_upload", acme.org, candidate.pk)
    assert acme.client.post(page, {"file": SimpleUploadedFile("r.docx", docx_bytes("x"))}).status_code == 302


def test_imports_count_as_uploads(acme, two_per_window):
    page = f"/o/{acme.org.slug}/candidates/imports/new/"
    for _ in range(2):
        upload = SimpleUploadedFile("people.csv", IMPORT_CSV)
        assert acme.client.post(page, {"file": upload, "format": "auto"}).status_code == 302
    refused = acme.client.post(page, {"file": SimpleUploadedFile("people.csv", IMPORT_CSV), "format": "auto"})
    assert refused.status_code == 429 and "the most we accept" in refused.context["form"].errors["file"][0]
    throttled = acme.client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("people.csv", IMPORT_CSV), "format": "auto"}
    )
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert ImportJob.objects.count() == 2


def test_uploads_go_on_when_the_cache_is_down(acme, two_per_window, monkeypatch):
    def down(*_args, **_kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "incr", down)
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    page = page_url("candidate_resume_upload", acme.org, candidate.pk)
    for number in range(3):
        upload = SimpleUploadedFile(f"{number}.docx", docx_bytes("x"))
        assert acme.client.post(page, {"file": upload}).status_code == 302
    assert Resume.objects.count() == 3


# --- Hostile import files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.xlsx", hostile_files.zip_bomb_docx(unpacked_mb=5), "This file is a zip archive"),
        ("people.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("people.csv", ",".join(f"c{n}" for n in range(100_000)).encode() + b"\nx\n", "100,000 columns; at most 500"),
    ],
    ids=["zip-bomb-as-xlsx", "json-100000-deep", "csv-100000-columns"],
)
def test_a_hostile_import_file_is_refused_with_a_reason(acme, name, data, message):
    fields = {"file": SimpleUploadedFile(name, data), "format": "auto"}
    page = acme.client.post(f"/o/{acme.org.slug}/candidates/imports/new/", fields)
    assert page.status_code == 400 and message in page.context["form"].errors["file"][0]
    api = acme.client.post("/api/v1/imports/", {"file": SimpleUploadedFile(name, data), "format": "auto"})
    assert api.status_code == 400 and message in api.json()["file"][0]
    assert not ImportJob.objects.exists()
