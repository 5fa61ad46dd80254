"""From uploaded bytes to a header and rows, for files as recruiters really have them.

Text is UTF-8 (with or without a byte-order mark), UTF-16 with a BOM (Excel's
"Unicode text"), or else Windows-1252. The delimiter is sniffed (comma, semicolon or
tab), quoted fields may hold delimiters and line breaks, and LinkedIn's `Notes:`
preamble is skipped. A first row that holds data rather than column names (an e-mail,
a web address, a date, a phone number, and no known column name) means the file has
no header: its columns are then called "Column 1", "Column 2"… and no row is lost.
A row a spreadsheet wrapped in quotes as a whole (`"Ada,Lovelace,,Acme"`) is read as
the row it holds. Files that cannot be imported raise `ImportFileError` with a message
a recruiter can act on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from candidates.importing import linkedin, values
from candidates.importing import mapping as column_mapping

MAX_BYTES = 50 * 1024 * 1024
# A contact list has tens of columns; a header of 100,000 cost 48 s of CPU in the request.
MAX_COLUMNS = 500
SAMPLE_CHARS = 64 * 1024
DELIMITERS = ",;\t"
# Rows read to size a file that has no header.
_WIDTH_SAMPLE_ROWS = 50

# The first bytes of files people upload by mistake, and what to call them.
_SIGNATURES = {
    b"PK\x03\x04": "a zip archive (an Excel workbook or a Word document)",
    b"\xd0\xcf\x11\xe0": "an old-style Excel or Word file",
    b"%PDF-": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
}


class ImportFileError(ValueError):
    """The whole file cannot be imported; the message says why, for a recruiter."""


def decode(data: bytes) -> str:
    """The file's text, or ImportFileError for empty, binary or undecodable files."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            raise ImportFileError(
                f"This file is {kind}, not CSV or JSON. In a spreadsheet, use “Save as” → CSV UTF-8 and upload that."
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError("The file claims to be UTF-16 text but cannot be read as such.") from None
    elif b"\x00" in data:
        raise ImportFileError("This file is binary (it contains NUL bytes), not CSV or JSON text.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise ImportFileError(
                    "The file is not text we can read. Save it as CSV UTF-8 (or Windows-1252) and try again."
                ) from None
    if _looks_binary(text[:8192]):
        raise ImportFileError("This file looks binary (it is full of control characters), not CSV or JSON text.")
    if not text.strip():
        raise ImportFileError("The file is empty.")
    return text


def _looks_binary(sample: str) -> bool:
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\n\r\f\v")
    return "\x00" in sample or controls > max(3, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the sniffer's guess when the header agrees, else the header's most common."""
    sample = text[:SAMPLE_CHARS]
    if len(text) > SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]  # a record cut in half confuses the sniffer
    header_line = text.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in header_line:
        return sniffed
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _unique_headers(values: list[str]) -> list[str]:
    """Trimmed names; blanks become "Column N" and repeats "Email (2)" so each maps on its own."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, value in enumerate(values, start=1):
        name = value.replace("\ufeff", "").strip() or f"Column {position}"
        candidate, repeat = name, 1
        while candidate in seen:
            repeat += 1
            candidate = f"{name} ({repeat})"
        headers.append(candidate)
        seen.add(candidate)
    return headers


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _is_header(cells: list[str]) -> bool:
    """A column name we know makes a header; otherwise a value that names no column makes a data row."""
    present = [cell.strip() for cell in cells if cell.strip()]
    if any(column_mapping.is_known_header(cell) or linkedin.is_known_header(cell) for cell in present):
        return True
    return not any(values.looks_like_data(cell) for cell in present)


def _reader(text: str, delimiter: str):
    # `skipinitialspace`: `a, "b, c"` is two cells, as people who type a space after the comma mean.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)


def _unwrapped(cells: list[str], width: int, delimiter: str) -> list[str]:
    """A row a spreadsheet quoted as a whole, as the `width` cells it holds; any other row as it is."""
    if width < 3 or len(cells) != 1 or delimiter not in cells[0]:
        return cells
    inner: list[str] = next(_reader(cells[0], delimiter), [])
    return inner if len(inner) == width else cells


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and rows. `text` starts at the header (or the first row when
    `has_header` is false); `line_offset` lines came before it."""

    headers: list[str]
    delimiter: str
    text: str
    line_offset: int
    total: int
    has_header: bool = True

    @property
    def is_linkedin(self) -> bool:
        return self.has_header and linkedin.is_connections_header(self.headers)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number where the row starts, header → value) for each non-blank data row."""
        reader = _reader(self.text, self.delimiter)
        lines_before, header_seen = 0, not self.has_header
        for cells in reader:
            start = self.line_offset + lines_before + 1
            lines_before = reader.line_num
            if _is_blank(cells):
                continue
            if not header_seen:
                header_seen = True
                continue
            cells = _unwrapped(cells, len(self.headers), self.delimiter)
            yield start, dict(zip(self.headers, cells, strict=False))

    def preview(self, limit: int = 5) -> list[list[str]]:
        """The first rows as lists as long as the header, for the mapping page."""
        preview: list[list[str]] = []
        if limit <= 0:
            return preview
        for _line, row in self.rows():
            preview.append([row.get(header, "") for header in self.headers])
            if len(preview) == limit:
                break
        return preview


def read_csv(text: str, *, total: int | None = None) -> CsvTable:
    """The table in `text`, or ImportFileError when it has no rows.

    Counting the rows reads the whole file; a caller that counted them before passes `total`,
    and then only the header is read.
    """
    body, line_offset = linkedin.skip_preamble(text)
    delimiter = sniff_delimiter(body)
    try:
        records = (cells for cells in _reader(body, delimiter) if not _is_blank(cells))
        first = next(records, None)
        if first is not None and len(first) > MAX_COLUMNS:
            raise ImportFileError(
                f"The first row has {len(first):,} columns; at most {MAX_COLUMNS} are imported. "
                "Is this the right file, with the right delimiter?"
            )
        has_header = first is None or _is_header(first)
        # Without a header the first row is a row, and a few more tell how many columns there are.
        sample = [] if first is None or has_header else [first, *islice(records, _WIDTH_SAMPLE_ROWS)]
        if total is None:
            total = len(sample) + sum(1 for _cells in records)
    except csv.Error as exc:
        raise ImportFileError(f"The file is not CSV we can read: {exc}.") from None
    if first is None:
        raise ImportFileError("The file is empty.")
    if total == 0:
        raise ImportFileError("The file has a header but no rows.")
    headers = _unique_headers(first) if has_header else _columns(sample, delimiter)
    return CsvTable(
        headers=headers, delimiter=delimiter, text=body, line_offset=line_offset, total=total, has_header=has_header
    )


def _columns(sample: list[list[str]], delimiter: str) -> list[str]:
    """Names for the columns of a file without a header: as many as its widest row among the first ones."""
    width = min(max(len(cells) for cells in sample), MAX_COLUMNS)
    width = max(len(_unwrapped(cells, width, delimiter)) for cells in sample)
    return [f"Column {position}" for position in range(1, width + 1)]
