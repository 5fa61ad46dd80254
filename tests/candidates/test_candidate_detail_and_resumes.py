"""The candidate page and its résumés: upload, preview, download, refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Resume
from candidates.resumes import resume_attach
from tests.candidates.page_support import TINY_PDF, add_candidate, page_url
from tests.factories import docx_bytes

pytestmark = pytest.mark.django_db


def test_the_detail_page_shows_the_profile(acme):
    candidate = add_candidate(
        acme.org, "Ada", "Lovelace", email="ada@example.com", headline="Analytical engines",
        linkedin_url="linkedin.com/in/ada", skills=["Python"], tags=["Shortlist"], do_not_contact=True,
    )  # fmt: skip
    response = acme.client.get(page_url("candidate_detail", acme.org, candidate.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Ada Lovelace", "Analytical engines", "ada@example.com", "https://www.linkedin.com/in/ada",
                 "Python", "#Shortlist", "Marked “do not contact”", "The relationship timeline appears here",
                 "No résumé yet"):  # fmt: skip
        assert text in html, text
    assert 'id="duplicates-banner"' not in html


def test_a_pdf_resume_uploads_and_previews_inline_framed_only_by_us(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    upload = SimpleUploadedFile("Ada CV.pdf", TINY_PDF, content_type="application/pdf")
    response = acme.client.post(page_url("candidate_resume_upload", acme.org, candidate.pk), {"file": upload})
    assert response.status_code == 302
    resume = candidate.resumes.get()
    assert resume.kind == "pdf" and resume.original_name == "Ada CV.pdf"
    html = acme.client.get(page_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    preview_url = page_url("candidate_resume_preview", acme.org, candidate.pk, resume.pk)
    assert f'<iframe class="tc-resume-preview" src="{preview_url}"' in html
    preview = acme.client.get(preview_url)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(preview.streaming_content) == TINY_PDF


def test_a_docx_resume_is_previewed_as_its_text(acme, django_capture_on_commit_callbacks):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    upload = SimpleUploadedFile("cv.docx", docx_bytes("Designed the first algorithm for a machine."))
    with django_capture_on_commit_callbacks(execute=True):  # the extraction task runs after commit
        response = acme.client.post(page_url("candidate_resume_upload", acme.org, candidate.pk), {"file": upload})
    assert response.status_code == 302
    resume = candidate.resumes.get()
    assert resume.extraction_status == "done"
    assert resume.kind == "docx"
    html = acme.client.get(page_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    assert "Designed the first algorithm for a machine." in html
    assert acme.client.get(page_url("candidate_resume_preview", acme.org, candidate.pk, resume.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "is not a PDF or a Word (DOCX) document"),
        ("cv.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "the limit is 10 MB"),
        ("cv.pdf", b"", "The file is empty."),
        ("cv.docx", b"PK\x03\x04not really a zip", "is not a PDF or a Word (DOCX) document"),
    ],
    ids=["executable-renamed-pdf", "eleven-megabytes", "empty", "fake-docx"],
)
def test_a_bad_resume_is_rejected_with_a_message(acme, name, content, message):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    response = acme.client.post(
        page_url("candidate_resume_upload", acme.org, candidate.pk), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["upload_form"].errors["file"])
    assert "Ada Lovelace" in response.content.decode()  # the detail page again, with the error
    assert not Resume.objects.exists()


def test_an_upload_without_a_file_is_a_field_error(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    response = acme.client.post(page_url("candidate_resume_upload", acme.org, candidate.pk), {})
    assert response.status_code == 400 and "file" in response.context["upload_form"].errors


def test_a_resume_downloads_as_an_attachment_with_its_original_name(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = resume_attach(candidate=candidate, upload=SimpleUploadedFile("Ada's CV.pdf", TINY_PDF), actor=None)
    response = acme.client.get(page_url("candidate_resume_download", acme.org, candidate.pk, resume.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Ada" in response["Content-Disposition"] and "CV.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == TINY_PDF
    other = add_candidate(acme.org, "Grace", "Hopper")
    # A résumé is reached only through its own candidate.
    assert acme.client.get(page_url("candidate_resume_download", acme.org, other.pk, resume.pk)).status_code == 404
