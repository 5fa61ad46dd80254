"""Résumé files: PDF or DOCX, at most 10 MB, type decided by content, text extracted for search."""

from __future__ import annotations

import io
import logging
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from candidates import search
from candidates.models import Candidate, Resume
from talentcircles.models import User

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_TEXT = 200_000


def sniff_kind(head: bytes, stream) -> str:
    """`pdf` or `docx` from the bytes themselves; the file's name and declared type are ignored."""
    if head.startswith(b"%PDF-"):
        return Resume.Kind.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                if "word/document.xml" in archive.namelist():
                    return Resume.Kind.DOCX
        except zipfile.BadZipFile:
            pass
    raise ValidationError(
        {"file": ["This file is not a PDF or a Word (DOCX) document. Upload the résumé as PDF or DOCX."]}
    )


def extract_text(kind: str, data: bytes) -> str:
    """Plain text of the document; an unreadable document yields "" (the file is still kept)."""
    try:
        if kind == Resume.Kind.PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            text = "\n".join((page.extract_text() or "") for page in reader.pages[:50])
        else:
            import docx

            document = docx.Document(io.BytesIO(data))
            text = "\n".join(p.text for p in document.paragraphs)
    except Exception as exc:  # a damaged document should not block the upload
        log.warning("could not extract résumé text: %s", exc)
        return ""
    return text.replace("\x00", "")[:MAX_TEXT]


def validate_upload(upload: UploadedFile) -> tuple[str, bytes]:
    size = upload.size
    if not size:  # uploads always know their size; None would mean there is nothing to read
        raise ValidationError({"file": ["The file is empty."]})
    if size > MAX_BYTES:
        raise ValidationError({"file": [f"The file is {size / 1024 / 1024:.1f} MB; the limit is 10 MB."]})
    data = upload.read()
    kind = sniff_kind(data[:8], io.BytesIO(data))
    return kind, data


@transaction.atomic
def resume_attach(*, candidate: Candidate, upload: UploadedFile, actor: User | None) -> Resume:
    kind, data = validate_upload(upload)
    upload.seek(0)
    resume = Resume(
        organization=candidate.organization,
        candidate=candidate,
        original_name=(upload.name or "resume")[-255:],
        kind=kind,
        size=len(data),
        text=extract_text(kind, data),
        uploaded_by=actor,
    )
    resume.file.save(f"resume.{kind}", upload, save=False)
    try:
        resume.save()
    except Exception:
        resume.file.delete(save=False)
        raise
    search.refresh([candidate.pk])
    return resume
