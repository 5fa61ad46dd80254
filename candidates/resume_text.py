"""Reading a résumé's text, in a worker, after the checks in `document_checks`.

The upload stores the file with `extraction_status = pending` and queues `resume_text_extract`
after commit; the task claims the row with a conditional update (a second delivery, or a run
after the row was erased, does nothing), runs the checks, reads the text within the task's time
limit and marks the row done, or failed with the reason. A worker that dies mid-way leaves a
claim older than CLAIM_LEASE: the sweep (beat, every minute) queues the row again, and after
MAX_ATTEMPTS claims marks it failed. Nothing waits on an ETA.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from candidates import document_checks, search
from candidates.document_checks import DocumentRefused
from candidates.models import Resume

log = logging.getLogger(__name__)

MAX_TEXT = 200_000
# The task's limits (tasks.py); the lease outlasts the hard limit so a live run is never claimed twice.
SOFT_TIME_LIMIT = 30
HARD_TIME_LIMIT = 45
CLAIM_LEASE = timedelta(seconds=120)
# A row queued this long ago and never claimed lost its message (broker down at upload, Redis flushed).
UNCLAIMED_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 3
SWEEP_BATCH = 200


def _is_docx_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def check_document(kind: str, data: bytes) -> None:
    """The cheap checks for a document of `kind`; DocumentRefused says which one it fails."""
    if len(data) > 10 * 1024 * 1024:
        raise DocumentRefused("The file is larger than 10 MB.")
    if kind == Resume.Kind.DOCX:
        document_checks.check_zip(data, is_xml=_is_docx_xml)


def extract_text(kind: str, data: bytes) -> str:
    """Plain text of a document that passed `check_document`; DocumentRefused for a PDF with too many
    pages, a password, or damage the reader cannot get past (the file itself is kept)."""
    try:
        if kind == Resume.Kind.PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise DocumentRefused("The PDF is password-protected.")
            document_checks.check_pdf_pages(len(reader.pages))
            text = "\n".join((page.extract_text() or "") for page in reader.pages)
        else:
            import docx

            document = docx.Document(io.BytesIO(data))
            text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    except (DocumentRefused, SoftTimeLimitExceeded):
        raise
    except Exception as exc:  # a damaged document: any of the readers' many error types
        log.warning("could not read résumé text: %r", exc)
        name = "PDF" if kind == Resume.Kind.PDF else "Word document"
        raise DocumentRefused(
            f"The {name} is damaged or uses features we cannot read ({type(exc).__name__})."
        ) from None
    return text.replace("\x00", "")[:MAX_TEXT]


def enqueue(resume_id: int) -> None:
    """Queue the extraction once the transaction commits; a broker that is down only delays it (the sweep)."""
    transaction.on_commit(lambda: _publish(resume_id))


def _publish(resume_id: int) -> None:
    from candidates.tasks import resume_text_extract_task

    try:
        resume_text_extract_task.delay(resume_id)
    except (OperationalError, OSError) as exc:
        log.warning("résumé %s: extraction not queued (%s); the sweep will queue it", resume_id, exc)


def _claim(resume_id: int) -> Resume | None:
    now = timezone.now()
    claimable = Q(extraction_claimed_at__isnull=True) | Q(extraction_claimed_at__lt=now - CLAIM_LEASE)
    claimed = (
        Resume.objects.filter(claimable, pk=resume_id, extraction_status=Resume.ExtractionStatus.PENDING)
        .filter(extraction_attempts__lt=MAX_ATTEMPTS)
        .update(extraction_claimed_at=now, extraction_attempts=F("extraction_attempts") + 1)
    )
    return Resume.objects.filter(pk=resume_id).first() if claimed else None


def _finish(resume: Resume, *, text: str = "", reason: str = "") -> bool:
    """Record the outcome unless the row changed hands (erased, or re-claimed after our lease ran out)."""
    status = Resume.ExtractionStatus.FAILED if reason else Resume.ExtractionStatus.DONE
    with transaction.atomic():
        finished = Resume.objects.filter(
            pk=resume.pk,
            extraction_status=Resume.ExtractionStatus.PENDING,
            extraction_claimed_at=resume.extraction_claimed_at,
        ).update(text=text, extraction_status=status, extraction_reason=reason[:300])
        if finished and text:
            search.refresh([resume.candidate_id])
    return bool(finished)


def resume_text_extract(*, resume_id: int) -> str | None:
    """Check and read the résumé's text; returns the final status, or None when there was nothing to
    do (already done or failed, erased, or claimed by a live run)."""
    resume = _claim(resume_id)
    if resume is None:
        return None
    try:
        with resume.file.open("rb") as stream:
            data = stream.read(10 * 1024 * 1024 + 1)
        check_document(resume.kind, data)
        text = extract_text(resume.kind, data)
    except DocumentRefused as exc:
        _finish(resume, reason=str(exc))
        return Resume.ExtractionStatus.FAILED
    except SoftTimeLimitExceeded:
        _finish(resume, reason=f"Reading the text took longer than {SOFT_TIME_LIMIT} seconds.")
        return Resume.ExtractionStatus.FAILED
    except FileNotFoundError:
        _finish(resume, reason="The file is missing from storage.")
        return Resume.ExtractionStatus.FAILED
    _finish(resume, text=text)
    return Resume.ExtractionStatus.DONE


def resume_extraction_sweep() -> dict[str, int]:
    """Queue again the pending rows whose message or worker was lost; fail those out of attempts."""
    now = timezone.now()
    pending = Resume.objects.filter(extraction_status=Resume.ExtractionStatus.PENDING)
    lost = pending.filter(
        Q(extraction_claimed_at__isnull=True, created_at__lt=now - UNCLAIMED_AFTER)
        | Q(extraction_claimed_at__lt=now - CLAIM_LEASE)
    )
    given_up = lost.filter(extraction_attempts__gte=MAX_ATTEMPTS).update(
        extraction_status=Resume.ExtractionStatus.FAILED,
        extraction_reason=f"Reading the text did not finish in {MAX_ATTEMPTS} attempts (the worker stopped each time).",
    )
    requeued = list(lost.filter(extraction_attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:SWEEP_BATCH])
    for resume_id in requeued:
        _publish(resume_id)
    return {"requeued": len(requeued), "failed": given_up}
