"""Résumé files: PDF or DOCX, at most 10 MB, type decided by content, text read by a worker for search.

The request only sizes and sniffs the file (constant work: the zip's end record, then its directory
when that is small) and stores it `pending`; `resume_text` reads the text in a time-limited task.
"""

from __future__ import annotations

import io
import logging
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from candidates import document_checks, resume_text
from candidates.models import Candidate, Resume
from talentcircles.models import User

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
_NOT_A_RESUME = "This file is not a PDF or a Word (DOCX) document. Upload the résumé as PDF or DOCX."


def sniff_kind(data: bytes) -> str:
    """`pdf` or `docx` from the bytes themselves; the file's name and declared type are ignored.

    A zip with more parts than a document could hold is taken as a DOCX without reading its
    directory: the worker's checks then mark it "text not extracted", and say why.
    """
    if data.startswith(b"%PDF-"):
        return Resume.Kind.PDF
    if data.startswith(b"PK\x03\x04"):
        parts = document_checks.zip_entry_count(data)
        if parts is not None and parts > document_checks.MAX_PARTS:
            return Resume.Kind.DOCX
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return Resume.Kind.DOCX
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            pass
    raise ValidationError({"file": [_NOT_A_RESUME]})


def validate_upload(upload: UploadedFile) -> tuple[str, bytes]:
    size = upload.size
    if not size:  # uploads always know their size; None would mean there is nothing to read
        raise ValidationError({"file": ["The file is empty."]})
    if size > MAX_BYTES:
        raise ValidationError({"file": [f"The file is {size / 1024 / 1024:.1f} MB; the limit is 10 MB."]})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": ["The file is larger than 10 MB."]})
    return sniff_kind(data), data


@transaction.atomic
def resume_attach(*, candidate: Candidate, upload: UploadedFile, actor: User | None) -> Resume:
    """Store the résumé (text pending) and queue the reading of its text after commit."""
    kind, data = validate_upload(upload)
    upload.seek(0)
    resume = Resume(
        organization=candidate.organization,
        candidate=candidate,
        original_name=(upload.name or "resume")[-255:],
        kind=kind,
        size=len(data),
        extraction_status=Resume.ExtractionStatus.PENDING,
        uploaded_by=actor,
    )
    resume.file.save(f"resume.{kind}", upload, save=False)
    try:
        resume.save()
    except Exception:
        resume.file.delete(save=False)
        raise
    resume_text.enqueue(resume.pk)
    return resume
