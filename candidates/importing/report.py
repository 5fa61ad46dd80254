"""An import's report: its failed rows and its rows with warnings, as CSV, and erasing a person from them.

Each CSV lists the row, what happened to it, then the row's own columns as they came. They are
two files on purpose: the failed rows can be corrected and imported again as they are, whereas
the rows with warnings are already in (importing them again only fills what is still empty).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from django.db.models import Q

from candidates.models import Candidate, ImportJob

_NUMBER = re.compile(r"[+\-][\d\s().\-]*")


def _safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (phone numbers such as +44 … stay as they are)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _rows_csv(entries: list[dict], leading: list[str], values: Callable[[dict], list[object]]) -> str:
    columns: dict[str, None] = {}
    for entry in entries:
        columns.update(dict.fromkeys(entry.get("data") or {}))
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so Excel reads it as UTF-8
    writer = csv.writer(out)
    writer.writerow([*leading, *columns])
    for entry in entries:
        data = entry.get("data") or {}
        writer.writerow([*map(_safe, values(entry)), *(_safe(data.get(name, "")) for name in columns)])
    return out.getvalue()


def failures_csv(job: ImportJob) -> str:
    """The failed rows of `job` as CSV text: row, reason, then the row's columns."""
    return _rows_csv(job.errors, ["row", "reason"], lambda error: [error["row"], error["reason"]])


def warnings_csv(job: ImportJob) -> str:
    """The rows of `job` with warnings as CSV text: row, outcome, warnings (one a line), then the row's columns."""
    return _rows_csv(
        job.warnings,
        ["row", "outcome", "warnings"],
        lambda entry: [entry["row"], entry.get("outcome", ""), "\n".join(entry.get("messages") or [])],
    )


def failures_filename(job: ImportJob) -> str:
    return f"import-{job.pk}-failed-rows.csv"


def warnings_filename(job: ImportJob) -> str:
    return f"import-{job.pk}-rows-with-warnings.csv"


def erase_from_import_reports(candidate: Candidate, email: str, full_name: str, *, replacement: str) -> None:
    """Reduce the report rows (failed, or with warnings) that were this person to their row number.

    The reports keep rows as they came, for the recruiter; erasure on request takes them out.
    """
    # A lone first name would match strangers' rows; the e-mail and the record's number do not.
    needles = [needle for needle in (email, full_name if " " in full_name else "", f"(#{candidate.pk})") if needle]
    mentions = Q()
    for needle in needles:
        mentions |= Q(errors__icontains=needle) | Q(warnings__icontains=needle)
    needles = [needle.casefold() for needle in needles]
    for job in ImportJob.objects.for_org(candidate.organization_id).filter(mentions).only("errors", "warnings"):
        errors, errors_scrubbed = _scrubbed(job.errors, needles, lambda error: {"reason": replacement})
        warnings, warnings_scrubbed = _scrubbed(
            job.warnings, needles, lambda entry: {"outcome": entry.get("outcome"), "messages": [replacement]}
        )
        if errors_scrubbed or warnings_scrubbed:
            job.errors, job.warnings = errors, warnings
            job.save(update_fields=["errors", "warnings"])


def _scrubbed(entries: list[dict], needles: list[str], replacement: Callable[[dict], dict]) -> tuple[list[dict], bool]:
    """The entries, those that mention a needle reduced to their row and `replacement(entry)`."""
    kept, scrubbed = [], False
    for entry in entries:
        if any(needle in str(entry).casefold() for needle in needles):
            kept.append({"row": entry.get("row"), **replacement(entry), "data": {}})
            scrubbed = True
        else:
            kept.append(entry)
    return kept, scrubbed
