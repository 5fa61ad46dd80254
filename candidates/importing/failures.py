"""The CSV of an import's failed rows: row, reason, then the row's own columns as they came."""

from __future__ import annotations

import csv
import io
import re

from candidates.models import ImportJob

_NUMBER = re.compile(r"[+\-][\d\s().\-]*")


def _safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (phone numbers such as +44 … stay as they are)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def failures_csv(job: ImportJob) -> str:
    """The failed rows of `job` as CSV text (with a byte-order mark, so Excel reads it as UTF-8)."""
    columns: dict[str, None] = {}
    for error in job.errors:
        columns.update(dict.fromkeys(error.get("data") or {}))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["row", "reason", *columns])
    for error in job.errors:
        data = error.get("data") or {}
        writer.writerow([error["row"], _safe(error["reason"]), *(_safe(data.get(name, "")) for name in columns)])
    return out.getvalue()


def failures_filename(job: ImportJob) -> str:
    return f"import-{job.pk}-failed-rows.csv"
