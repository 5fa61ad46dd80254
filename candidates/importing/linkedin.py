"""LinkedIn's "Connections.csv", in the shapes it really comes in.

- Recent exports (2024): a `Notes:` preamble, a blank line, then `HEADER`. The preamble is a quoted
  paragraph that may hold commas and line breaks, so it is skipped by reading CSV records, not lines.
- 2018: no preamble and no `URL` column (`HEADER_2018`); dates such as `1/8/18, 6:14 PM`, and
  sometimes LinkedIn's member URN (`urn:li:member:…`) where the e-mail would be.
- Re-saved by a spreadsheet: no header at all. `headerless_mapping` recognises the columns by
  position and by their values (the last one is always the "Connected On" date).

Many e-mails are empty (LinkedIn only exports those members chose to share); names carry
emoji, accents, quotes and commas.
"""

from __future__ import annotations

import csv
import io

from candidates.importing import values

HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
HEADER_2018 = ("First Name", "Last Name", "Email Address", "Company", "Position", "Connected On")
MAPPING = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "URL": "linkedin_url",
    "Email Address": "email",
    "Company": "current_company",
    "Position": "current_title",
    "Connected On": "",
}
# "Connected On" beside the name columns is LinkedIn's alone; the URL column came later.
_REQUIRED = {"first name", "last name", "connected on"}
_KNOWN = {header.casefold() for header in HEADER}
# A header-less file's columns by how many there are: the fields of HEADER and of HEADER_2018.
_HEADERLESS = {len(header): header for header in (HEADER, HEADER_2018)}


def is_connections_header(headers: list[str]) -> bool:
    return {header.strip().casefold() for header in headers} >= _REQUIRED


def is_known_header(header: str) -> bool:
    return header.strip().casefold() in _KNOWN


def headerless_mapping(headers: list[str], sample: list[dict[str, str]]) -> dict[str, str] | None:
    """LinkedIn's fields by position for a Connections.csv that lost its header, or None if it is not one.

    It is one when it has LinkedIn's number of columns, the last holds "Connected On" dates
    in every row, and the third holds what LinkedIn puts there (URLs, or e-mails and URNs).
    """
    header = _HEADERLESS.get(len(headers))
    if header is None or not sample:
        return None

    def column(position: int) -> list[str]:
        return [row.get(headers[position], "") for row in sample]

    third_fits = values.is_linkedin_url if header == HEADER else _email_or_urn
    if not values.all_present(column(-1), values.is_date) or not all(
        third_fits(value) for value in column(2) if value.strip()
    ):
        return None
    return {name: MAPPING[field] for name, field in zip(headers, header, strict=True)}


def _email_or_urn(value: str) -> bool:
    return values.is_email(value) or value.strip().startswith("urn:li:")


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
