"""Résumé text is read by a worker task after cheap checks: hostile files are refused with a reason
and kept, normal ones are read, the task is idempotent and the sweep recovers lost work."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from candidates import document_checks, resume_text
from candidates.models import Resume
from candidates.resumes import resume_attach
from candidates.tasks import resume_extraction_sweep_task, resume_text_extract_task
from tests.candidates import hostile_files
from tests.candidates.page_support import add_candidate
from tests.factories import docx_bytes

pytestmark = pytest.mark.django_db


def _attach(candidate, name: str, data: bytes) -> Resume:
    """Store a résumé without running its task (no commit in a test transaction)."""
    return resume_attach(candidate=candidate, upload=SimpleUploadedFile(name, data), actor=None)


@pytest.fixture
def parsers_must_not_run(monkeypatch):
    """Call it once the file is built: from then on the test fails if python-docx or pypdf is asked to parse."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a hostile file reached the document parser")

    def arm() -> None:
        monkeypatch.setattr("docx.Document", refuse)
        monkeypatch.setattr("pypdf.PdfReader.pages", property(refuse))

    return arm


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (hostile_files.zip_bomb_docx, "compressed 342 times (at most 100): it looks like a zip bomb"),
        (hostile_files.huge_image_docx, "unpacks to 61 MB; at most 50 MB are read"),
        (hostile_files.many_parts_docx, "has 2,017 parts; at most 1,000 are read"),
        (hostile_files.billion_laughs_docx, "declares a DTD or entities"),
        (hostile_files.deeply_nested_docx, "nests elements more than 100 deep"),
        (hostile_files.broken_xml_docx, "is not well-formed XML"),
    ],
    ids=["zip-bomb", "60-mb-unpacked", "2000-parts", "billion-laughs", "5000-deep", "broken-xml"],
)
def test_a_hostile_docx_is_kept_with_its_text_not_extracted_and_why(acme, parsers_must_not_run, build, reason):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.docx", build())
    parsers_must_not_run()
    assert resume.extraction_status == Resume.ExtractionStatus.PENDING
    assert resume_text_extract_task(resume.pk) == "failed"
    resume.refresh_from_db()
    assert (resume.extraction_status, resume.text) == ("failed", "")
    assert reason in resume.extraction_reason
    assert resume.file.size == resume.size  # the file itself is kept


def test_xml_beyond_the_budget_is_refused_even_when_it_packs_badly(acme, parsers_must_not_run):
    random_text = os.urandom(3 * 2**20).hex().encode()  # 6 MB of text that does not compress 100 times
    data = hostile_files.rebuilt_docx(document=lambda xml: xml.replace(b"<w:t>", b"<w:t>" + random_text, 1))
    parsers_must_not_run()
    with pytest.raises(document_checks.DocumentRefused, match="XML unpacks to more than 4 MB"):
        resume_text.check_document("docx", data)


def test_too_many_elements_are_refused(monkeypatch):
    monkeypatch.setattr(document_checks, "MAX_XML_ELEMENTS", 10)
    data = hostile_files.rebuilt_docx(document=lambda xml: xml.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 20))
    with pytest.raises(document_checks.DocumentRefused, match="more than 10 elements"):
        resume_text.check_document("docx", data)


def test_a_pdf_of_too_many_pages_is_kept_with_its_text_not_extracted(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.pdf", hostile_files.pdf_bytes(60))
    assert resume_text_extract_task(resume.pk) == "failed"
    resume.refresh_from_db()
    assert resume.extraction_reason == "The PDF has 60 pages; text is read from PDFs of at most 50."


def test_a_damaged_pdf_is_kept_with_a_reason(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100)
    assert resume_text_extract_task(resume.pk) == "failed"
    resume.refresh_from_db()
    assert resume.extraction_reason.startswith("The PDF is damaged or uses features we cannot read")


def test_the_task_reads_a_normal_docx_and_pdf_and_search_finds_them(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    word = _attach(candidate, "cv.docx", docx_bytes("Designed the analytical engine's first program."))
    pdf = _attach(candidate, "cv.pdf", hostile_files.pdf_bytes(2, "Bernoulli numbers by machine"))
    assert resume_text_extract_task(word.pk) == "done"
    assert resume_text_extract_task(pdf.pk) == "done"
    word.refresh_from_db()
    pdf.refresh_from_db()
    assert (word.extraction_status, word.text) == ("done", "Designed the analytical engine's first program.")
    assert (pdf.extraction_status, pdf.extraction_reason) == ("done", "")
    assert "Bernoulli numbers by machine" in pdf.text


def test_the_upload_queues_the_task_after_commit(acme, django_capture_on_commit_callbacks):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resume = _attach(candidate, "cv.docx", docx_bytes("Notes on the engine"))
        resume.refresh_from_db()
        assert resume.extraction_status == "pending"  # nothing read in the request
    assert len(callbacks) == 1
    resume.refresh_from_db()
    assert (resume.extraction_status, resume.text) == ("done", "Notes on the engine")


def test_running_the_task_twice_reads_once(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.docx", docx_bytes("Once"))
    assert resume_text_extract_task(resume.pk) == "done"
    assert resume_text_extract_task(resume.pk) is None
    resume.refresh_from_db()
    assert resume.extraction_attempts == 1


def test_a_live_claim_is_not_taken_and_an_erased_resume_is_nothing_to_do(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.docx", docx_bytes("Claimed"))
    Resume.objects.filter(pk=resume.pk).update(extraction_claimed_at=timezone.now(), extraction_attempts=1)
    assert resume_text_extract_task(resume.pk) is None  # another worker is on it
    resume.delete()
    assert resume_text_extract_task(resume.pk) is None


def test_the_soft_time_limit_marks_the_resume_failed(acme, monkeypatch):
    def too_slow(kind: str, data: bytes) -> str:
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(resume_text, "extract_text", too_slow)
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = _attach(candidate, "cv.docx", docx_bytes("Slow"))
    assert resume_text_extract_task(resume.pk) == "failed"
    resume.refresh_from_db()
    assert resume.extraction_reason == "Reading the text took longer than 30 seconds."


def test_a_broker_down_at_upload_leaves_the_resume_for_the_sweep(acme, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*_args, **_kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    monkeypatch.setattr(resume_text_extract_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        resume = _attach(candidate, "cv.docx", docx_bytes("Queued later"))
    resume.refresh_from_db()
    assert resume.extraction_status == "pending"
    monkeypatch.undo()
    assert resume_extraction_sweep_task() == {"requeued": 0, "failed": 0}  # too recent: its message may be queued
    Resume.objects.filter(pk=resume.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert resume_extraction_sweep_task() == {"requeued": 1, "failed": 0}
    resume.refresh_from_db()
    assert (resume.extraction_status, resume.text) == ("done", "Queued later")


def test_the_sweep_retries_a_dead_workers_claim_then_gives_up(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    retried = _attach(candidate, "a.docx", docx_bytes("Second try"))
    hopeless = _attach(candidate, "b.docx", docx_bytes("Killed three times"))
    long_ago = timezone.now() - timedelta(minutes=5)
    Resume.objects.filter(pk=retried.pk).update(extraction_claimed_at=long_ago, extraction_attempts=1)
    Resume.objects.filter(pk=hopeless.pk).update(extraction_claimed_at=long_ago, extraction_attempts=3)
    assert resume_extraction_sweep_task() == {"requeued": 1, "failed": 1}
    retried.refresh_from_db()
    hopeless.refresh_from_db()
    assert (retried.extraction_status, retried.text, retried.extraction_attempts) == ("done", "Second try", 2)
    assert hopeless.extraction_status == "failed"
    assert hopeless.extraction_reason.startswith("Reading the text did not finish in 3 attempts")


def test_the_sweep_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["candidates-sweep-resume-extraction"]
    assert (entry["task"], entry["schedule"]) == ("candidates.tasks.resume_extraction_sweep_task", 60.0)


def test_the_task_has_a_soft_and_a_hard_time_limit():
    assert (resume_text_extract_task.soft_time_limit, resume_text_extract_task.time_limit) == (30, 45)
    assert resume_text.CLAIM_LEASE.total_seconds() > resume_text_extract_task.time_limit
