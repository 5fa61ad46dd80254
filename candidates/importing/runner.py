"""Running an ImportJob: claim it, read its file, upsert in batches, keep its counters current.

The job claims itself with a conditional update (queued → running), so a task delivered
twice, or a command run against a job a worker already took, does nothing. Each batch
is one transaction holding its candidates and, once a second, the job's counters, so the
progress bar never shows rows that were not stored. Good rows are kept when others fail;
a row that fails is never half-written. Rows that imported with a field left out, and rows
skipped for want of a name, are kept in the job's `warnings` with their messages.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from candidates import search, services
from candidates.duplicates import services as duplicates
from candidates.importing import jsonresume, readers
from candidates.importing import mapping as column_mapping
from candidates.importing.batch import RowOutcome, failure_reason, upsert_batch
from candidates.importing.cleaning import NO_NAME, readable
from candidates.importing.jobs import csv_table, read_job_file, suggested_mapping
from candidates.importing.records import Record
from candidates.models import Candidate, ImportJob
from talentcircles.models import Membership

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
# How often the progress bar's counters are written while a job runs (and always at its end).
PROGRESS_SECONDS = 1.0


def open_records(job: ImportJob) -> tuple[int, Iterator[Record]]:
    """How many records the job's file holds, and the records (ImportFileError if none can be read)."""
    data = read_job_file(job)
    if job.format == ImportJob.Format.JSONRESUME:
        resumes = jsonresume.parse(readers.decode(data))
        return len(resumes), (jsonresume.to_record(resume, n) for n, resume in enumerate(resumes, start=1))
    # The job counted its rows when it was created, from this same file: no need to read it all twice.
    table = csv_table(job.format, readers.decode(data), total=job.total or None)
    mapping = job.mapping or suggested_mapping(job.format, table)
    return table.total, (_csv_record(mapping, line, row) for line, row in table.rows())


def _csv_record(mapping: dict[str, str], line: int, row: dict[str, str]) -> Record:
    data, skills, tags = column_mapping.apply(mapping, row)
    return Record(row=line, raw=row, data=data, skills=skills, tags=tags)


@dataclass
class _Tally:
    processed: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def plus(self, records: list[Record], outcomes: list[RowOutcome]) -> _Tally:
        """This tally with a batch's outcomes added (a new one: the batch may yet be rolled back)."""
        after = replace(self, errors=list(self.errors), warnings=list(self.warnings))
        for record, outcome in zip(records, outcomes, strict=True):
            after.processed += 1
            setattr(after, outcome.outcome, getattr(after, outcome.outcome) + 1)
            if outcome.outcome == "failed":
                after.errors.append({"row": record.row, "reason": outcome.reason, "data": record.raw})
                continue
            # A skip's reason (no name) first, then what the reader and the cleaning left out.
            messages = [*([outcome.reason] if outcome.reason else []), *record.warnings, *outcome.warnings]
            if messages:
                entry = {"row": record.row, "outcome": outcome.outcome, "messages": messages, "data": record.raw}
                after.warnings.append(entry)
        return after

    def counters(self, *, errors: bool = True, warnings: bool = True) -> dict:
        counters: dict = {
            "processed": self.processed, "created": self.created, "updated": self.updated,
            "skipped": self.skipped, "failed": self.failed,
        }  # fmt: skip
        if errors:
            counters["errors"] = self.errors
        if warnings:
            counters["warnings"] = self.warnings
        return counters


class _Progress:
    """Writes a job's counters at most every PROGRESS_SECONDS, and its errors and warnings only when new ones came.

    Writing them after every batch rewrote the whole `errors` JSON each time, which grows with
    every failed row: a file with many bad rows spent longer rewriting it than importing.
    Counters are written in the transaction of the batch they include, so they never count a
    row that was not stored; at most a second's worth lags until the next write or the end.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.written_at = time.monotonic()
        self.errors_written = self.warnings_written = 0

    def write(self, tally: _Tally, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.written_at < PROGRESS_SECONDS:
            return
        errors, warnings = len(tally.errors) != self.errors_written, len(tally.warnings) != self.warnings_written
        ImportJob.objects.filter(pk=self.job_id).update(**tally.counters(errors=errors, warnings=warnings))
        self.written_at = time.monotonic()
        self.errors_written, self.warnings_written = len(tally.errors), len(tally.warnings)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _prepare(job: ImportJob, record: Record) -> Record:
    # The job decides the owner; the source is "import" unless the file says otherwise.
    record.data.setdefault("source", Candidate.Source.IMPORT)
    if job.owner_id:
        record.data["owner"] = job.owner
    return record


def _upsert_one(job: ImportJob, record: Record) -> RowOutcome:
    """One record through `candidate_upsert`, in its own savepoint."""
    if record.error:
        return RowOutcome(record.row, "failed", record.error)
    data, warnings = readable(record.data)
    outcome = _upsert_readable(job, record, data)
    return replace(outcome, warnings=tuple(warnings))


def _upsert_readable(job: ImportJob, record: Record, data: dict) -> RowOutcome:
    email, url = data.get("email", ""), data.get("linkedin_url", "")
    if not data.get("first_name") and services.find_existing(job.organization, email=email, linkedin_url=url) is None:
        return RowOutcome(record.row, "skipped", NO_NAME)
    try:
        with transaction.atomic():
            result = services.candidate_upsert(
                org=job.organization,
                actor=job.created_by,
                data=data,
                skills=record.skills,
                refresh_search=False,
            )
            outcome = result.outcome
            if record.tags:
                before = set(result.candidate.tags.values_list("pk", flat=True))
                services.candidates_tag(
                    org=job.organization, candidates=Candidate.objects.filter(pk=result.candidate.pk), names=record.tags
                )
                if outcome == "skipped" and set(result.candidate.tags.values_list("pk", flat=True)) != before:
                    outcome = "updated"
    except ValidationError as exc:
        return RowOutcome(record.row, "failed", failure_reason(exc))
    except IntegrityError:
        clash = "Another candidate with this e-mail or LinkedIn URL was saved at the same time."
        return RowOutcome(record.row, "failed", clash)
    except DataError:
        return RowOutcome(record.row, "failed", "The row holds a value the database cannot store.")
    return RowOutcome(record.row, outcome, "", result.candidate.pk)


def _upsert(job: ImportJob, records: list[Record], *, row_by_row: bool) -> list[RowOutcome]:
    outcomes = _upsert_batch_or_rows(job, records, row_by_row=row_by_row)
    # Once the batch commits, its new and filled-in candidates' duplicates are found in the background.
    stored = [o.candidate_id for o in outcomes if o.outcome in ("created", "updated") and o.candidate_id is not None]
    duplicates.queue_refresh(job.organization_id, stored)
    return outcomes


def _upsert_batch_or_rows(job: ImportJob, records: list[Record], *, row_by_row: bool) -> list[RowOutcome]:
    if not row_by_row:
        try:
            with transaction.atomic():
                return upsert_batch(org=job.organization, actor=job.created_by, records=records)
        except (IntegrityError, DataError):
            # Someone wrote a clashing candidate meanwhile, or one value is unstorable:
            # replay the batch row by row so each row gets its own outcome.
            log.info("import job %s: batch replayed row by row", job.pk)
    outcomes = [_upsert_one(job, record) for record in records]
    search.refresh(
        sorted({o.candidate_id for o in outcomes if o.outcome in ("created", "updated") and o.candidate_id is not None})
    )
    return outcomes


def _finish(job: ImportJob, tally: _Tally, status: str, message: str = "") -> ImportJob:
    """The job's end: its status, and the counters of every batch that was stored."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, message=message, finished_at=timezone.now(), **tally.counters()
    )
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int, batch_size: int = BATCH_SIZE, row_by_row: bool = False) -> ImportJob | None:
    """Run a queued job to the end; None when it is not queued (already taken, or still being mapped).

    `row_by_row` sends every row through `candidate_upsert` instead of the batch path
    (slower; the batch path falls back to it by itself when a batch collides).
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("organization", "owner", "created_by").get(pk=job_id)
    tally = _Tally()
    try:
        if job.owner and not Membership.objects.for_org(job.organization).filter(user=job.owner).exists():
            raise readers.ImportFileError(f"The owner {job.owner.email} is no longer a member of this organisation.")
        total, records = open_records(job)
        ImportJob.objects.filter(pk=job.pk).update(total=total)
        progress = _Progress(job)
        for chunk in _chunks(records, batch_size):
            chunk = [_prepare(job, record) for record in chunk]
            with transaction.atomic():
                after = tally.plus(chunk, _upsert(job, chunk, row_by_row=row_by_row))
                progress.write(after)
            tally = after  # only once the batch is stored
    except readers.ImportFileError as exc:
        return _finish(job, tally, ImportJob.Status.FAILED, str(exc))
    except csv.Error as exc:
        return _finish(
            job,
            tally,
            ImportJob.Status.FAILED,
            f"The file stops being readable CSV after row {tally.processed}: {exc}.",
        )
    except Exception:
        log.exception("import job %s stopped", job.pk)
        return _finish(
            job,
            tally,
            ImportJob.Status.FAILED,
            f"The import stopped unexpectedly after {tally.processed} rows (those were imported). "
            "Importing the file again is safe: rows already imported are skipped.",
        )
    return _finish(job, tally, ImportJob.Status.FINISHED)
