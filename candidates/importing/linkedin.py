"""LinkedIn's "Connections.csv": a `Notes:` preamble, a blank line, then a fixed header.

The preamble is a quoted paragraph that may hold commas and line breaks, so it is
skipped by reading CSV records, not lines. Many e-mails are empty (LinkedIn only
exports those members chose to share); names carry emoji and accents.
"""

from __future__ import annotations

import csv
import io

HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
MAPPING = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "URL": "linkedin_url",
    "Email Address": "email",
    "Company": "current_company",
    "Position": "current_title",
    "Connected On": "",
}
_REQUIRED = {"first name", "last name", "url", "connected on"}


def is_connections_header(headers: list[str]) -> bool:
    return {header.strip().casefold() for header in headers} >= _REQUIRED


def has_preamble(text: str) -> bool:
    return text.lstrip()[:6].casefold() == "notes:"


def skip_preamble(text: str) -> tuple[str, int]:
    """The text from the header on, and the number of lines before it.

    The header is the first record after a blank one (or LinkedIn's header itself,
    should a variant leave out the blank line). Text without a preamble is returned as is.
    """
    if not has_preamble(text):
        return text, 0
    consumed = {"lines": 0, "chars": 0}

    def counted_lines():
        for line in io.StringIO(text, newline=""):
            consumed["lines"] += 1
            consumed["chars"] += len(line)
            yield line

    start_lines = start_chars = 0
    seen_blank = False
    try:
        for record in csv.reader(counted_lines()):
            if not any(cell.strip() for cell in record):
                seen_blank = True
            elif seen_blank or is_connections_header(record):
                return text[start_chars:], start_lines
            start_lines, start_chars = consumed["lines"], consumed["chars"]
    except csv.Error:
        pass
    return text, 0
