"""Creating and starting import jobs: what the upload page, the API and the command call.

A job is created only for a file we can read: an empty, binary or undecodable file,
a CSV with a header but no rows, or JSON that is not a JSON Resume is refused with a
`ValidationError` on `file`, and nothing is stored. CSV jobs created for the mapping
page wait in `mapping`; the others are queued and handed to a worker after commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import QuerySet

from candidates.importing import jsonresume, linkedin, readers
from candidates.importing import mapping as column_mapping
from candidates.models import ImportJob
from talentcircles.models import Membership, Organization, User

AUTO = "auto"
FORMAT_CHOICES = [(AUTO, "Detect from the file"), *ImportJob.Format.choices]
PREVIEW_ROWS = 5
_SAMPLE_ROWS = 20


@dataclass(frozen=True)
class Preview:
    """A CSV job's columns and first rows, for the mapping page."""

    headers: list[str]
    rows: list[list[str]]
    total: int


def import_jobs_for(org: Organization) -> QuerySet[ImportJob]:
    """The organisation's jobs, newest first, with the people the list shows."""
    return ImportJob.objects.for_org(org).select_related("created_by", "owner").order_by("-created_at", "-pk")


def detect_format(name: str, text: str) -> str:
    """`.json` or JSON-looking text → JSON Resume; LinkedIn's header (with or without its notes and its
    URL column) → linkedin; else CSV (also a Connections.csv that lost its header: it needs the mapping step)."""
    return _detect(name, text)[0]


def _detect(name: str, text: str) -> tuple[str, readers.CsvTable | None]:
    """The format, and the CSV table when one was read to tell (so the caller need not read it again)."""
    if PurePath(name).suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        return ImportJob.Format.JSONRESUME, None
    try:
        table = readers.read_csv(text)
    except readers.ImportFileError:
        return ImportJob.Format.CSV, None  # the CSV checks will say what is wrong
    return (ImportJob.Format.LINKEDIN if table.is_linkedin else ImportJob.Format.CSV), table


def read_job_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as stream:
        return stream.read()


def csv_table(
    format: str, text: str, *, total: int | None = None, table: readers.CsvTable | None = None
) -> readers.CsvTable:
    """The CSV table in `text`; a LinkedIn import must carry LinkedIn's header.

    `total`, when the rows were counted before (a job's file never changes), spares reading the
    whole file to count them again; `table`, one already read from `text`, spares reading it at all.
    """
    table = table or readers.read_csv(text, total=total)
    if format == ImportJob.Format.LINKEDIN and not table.is_linkedin:
        raise readers.ImportFileError(
            "This is not LinkedIn's Connections.csv: its header should be "
            f"{','.join(linkedin.HEADER)} (older exports leave out URL). "
            "Choose “CSV” to map the columns yourself."
        )
    return table


def suggested_mapping(format: str, table: readers.CsvTable) -> dict[str, str]:
    """Every header with its guessed field ("" to ignore); LinkedIn's columns are known.

    A file without a header is guessed from its values, and a Connections.csv that lost its
    header (re-saved by a spreadsheet) gets LinkedIn's columns by position.
    """
    sample = [row for _line, row in islice(table.rows(), _SAMPLE_ROWS)]
    guessed = column_mapping.auto_map(table.headers, sample, has_header=table.has_header)
    if not table.has_header:
        return linkedin.headerless_mapping(table.headers, sample) or guessed
    if format == ImportJob.Format.LINKEDIN:
        known = {header.casefold(): field for header, field in linkedin.MAPPING.items()}
        guessed |= {header: known[header.casefold()] for header in table.headers if header.casefold() in known}
    return guessed


def _read_upload(upload: File) -> bytes:
    if upload.size is not None and upload.size > readers.MAX_BYTES:
        raise ValidationError(
            {"file": [f"The file is larger than {readers.MAX_BYTES // 2**20} MB. Split it and import the parts."]}
        )
    upload.seek(0)
    data = upload.read()
    if len(data) > readers.MAX_BYTES:
        raise ValidationError(
            {"file": [f"The file is larger than {readers.MAX_BYTES // 2**20} MB. Split it and import the parts."]}
        )
    return data


def import_job_create(
    *,
    org: Organization,
    actor: User | None,
    upload: File,
    format: str = AUTO,
    owner: User | None = None,
    mapping: dict | None = None,
    review_mapping: bool = False,
    enqueue: bool = True,
) -> ImportJob:
    """A job for `upload`, or ValidationError on `file`, `format`, `owner` or `mapping`.

    `review_mapping` leaves a CSV job waiting for the mapping page; otherwise the given
    `mapping` (or the guessed one) is used and the job is queued, and with `enqueue` a
    worker runs it once the transaction commits.
    """
    if format not in (AUTO, *ImportJob.Format.values):
        choices = ", ".join(ImportJob.Format.values)
        raise ValidationError({"format": [f"“{format}” is not a format we import. Choose one of: {choices}."]})
    if owner is not None and not Membership.objects.for_org(org).filter(user=owner).exists():
        raise ValidationError({"owner": ["The owner must be a member of this organisation."]})
    name = PurePath(upload.name or "import").name[:255]
    data = _read_upload(upload)
    try:
        text = readers.decode(data)
        table = None
        if format == AUTO:
            format, table = _detect(name, text)
        if format == ImportJob.Format.JSONRESUME:
            total, chosen = len(jsonresume.parse(text)), {}
        else:
            table = csv_table(format, text, table=table)
            total = table.total
            chosen = _chosen_mapping(format, table, mapping, review_mapping)
    except readers.ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None

    waits = review_mapping and format != ImportJob.Format.JSONRESUME
    job = ImportJob(
        organization=org,
        created_by=actor,
        owner=owner,
        format=format,
        status=ImportJob.Status.MAPPING if waits else ImportJob.Status.QUEUED,
        original_name=name,
        mapping=chosen,
        total=total,
    )
    # A random stored name: the uploader's file name never reaches the file system.
    suffix = ".json" if format == ImportJob.Format.JSONRESUME else ".csv"
    job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    job.save()
    if not waits and enqueue:
        _enqueue(job)
    return job


def _chosen_mapping(format: str, table: readers.CsvTable, mapping: dict | None, review_mapping: bool) -> dict:
    if mapping is not None:
        return column_mapping.validate(mapping, table.headers)
    guessed = suggested_mapping(format, table)
    if not review_mapping:
        try:
            column_mapping.validate(guessed, table.headers)
        except ValidationError:
            raise ValidationError(
                {
                    "mapping": [
                        f"None of the columns ({', '.join(table.headers)}) looks like a name, an e-mail or a "
                        "LinkedIn URL. Send a mapping of column header → field."
                    ]
                }
            ) from None
    return guessed


def preview(job: ImportJob, limit: int = PREVIEW_ROWS) -> Preview:
    """The job's columns and first rows (CSV and LinkedIn jobs)."""
    table = csv_table(job.format, readers.decode(read_job_file(job)))
    return Preview(headers=table.headers, rows=table.preview(limit), total=table.total)


@transaction.atomic
def import_job_start(*, job: ImportJob, mapping: dict) -> ImportJob:
    """Save the reviewed mapping and queue the job (once: a job already started is refused)."""
    try:
        headers = preview(job, limit=0).headers
    except readers.ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    cleaned = column_mapping.validate(mapping, headers)
    started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
        mapping=cleaned, status=ImportJob.Status.QUEUED
    )
    if not started:
        raise ValidationError("This import has already started.")
    job.refresh_from_db()
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from candidates.tasks import import_job_run

    job_id = job.pk
    transaction.on_commit(lambda: import_job_run.delay(job_id))
