"""`python manage.py ingest_email FILE [FILE…]`: ingest .eml files or mbox files, as the webhook would."""

from __future__ import annotations

import mailbox
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from messaging.inbound.ingest import ingest


def messages_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) for each message in the file: an mbox (starts with "From ") or one .eml."""
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, create=False)
        try:
            for index, key in enumerate(box.iterkeys(), start=1):
                yield f"{path}#{index}", _unescape_from(box.get_bytes(key))
        finally:
            box.close()
    else:
        yield str(path), path.read_bytes()


def _unescape_from(raw: bytes) -> bytes:
    """Undo mbox's ">From " quoting of body lines (mboxrd: one ">" less on each such line)."""
    return re.sub(rb"(?m)^>(>*From )", rb"\1", raw)


class Command(BaseCommand):
    help = "Ingest inbound e-mail from .eml or mbox files (matched, bounced or left in Unmatched)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help=".eml files or mbox files")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        statuses: Counter[str] = Counter()
        duplicates = 0
        for path in paths:
            for label, raw in messages_in(path):
                result = ingest(raw)
                inbound = result.inbound
                note = " (already stored)" if not result.created else ""
                statuses[inbound.status] += 1
                duplicates += not result.created
                self.stdout.write(f"{label}: {inbound.status} #{inbound.pk} {inbound.subject[:80]!r}{note}")
        total = sum(statuses.values())
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(f"{total} message(s): {summary or 'none'}; {duplicates} already stored before.")
        )
