"""A real Celery worker reads a résumé's text and refuses a zip bomb (the second CI pass only)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Resume
from candidates.resumes import resume_attach
from candidates.tasks import resume_text_extract_task
from tests.candidates import hostile_files
from tests.factories import CandidateFactory, docx_bytes
from tests.talentcircles.test_real_worker import pytestmark as real_worker_marks
from tests.talentcircles.test_real_worker import worker_queue  # noqa: F401  (the fixture)

pytestmark = real_worker_marks


@pytest.fixture
def shared_media(settings, monkeypatch):
    """The worker reads the files this test stores (requested before the worker starts)."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


def test_a_worker_reads_a_resume_and_refuses_a_zip_bomb(acme, shared_media, worker_queue):  # noqa: F811
    candidate = CandidateFactory(organization=acme.org)
    good = resume_attach(
        candidate=candidate, upload=SimpleUploadedFile("cv.docx", docx_bytes("Analytical engine")), actor=None
    )
    bomb = resume_attach(
        candidate=candidate, upload=SimpleUploadedFile("b.docx", hostile_files.zip_bomb_docx()), actor=None
    )
    results = [resume_text_extract_task.apply_async(args=[r.pk], queue=worker_queue) for r in (good, bomb)]
    assert [result.get(timeout=60) for result in results] == ["done", "failed"]
    assert Resume.objects.get(pk=good.pk).text == "Analytical engine"
    assert "zip bomb" in Resume.objects.get(pk=bomb.pk).extraction_reason
