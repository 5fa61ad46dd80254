"""From uploaded bytes to a header and rows, for files as recruiters really have them.

Text is UTF-8 (with or without a byte-order mark), UTF-16 with a BOM (Excel's
"Unicode text"), or else Windows-1252. The delimiter is sniffed (comma, semicolon or
tab), quoted fields may hold delimiters and line breaks, and LinkedIn's `Notes:`
preamble is skipped. Files that cannot be imported raise `ImportFileError` with a
message a recruiter can act on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from candidates.importing import linkedin

MAX_BYTES = 50 * 1024 * 1024
SAMPLE_CHARS = 64 * 1024
DELIMITERS = ",;\t"

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
    for position, value in enumerate(values, start=1):
        name = value.replace("\ufeff", "").strip() or f"Column {position}"
        candidate, repeat = name, 1
        while candidate in headers:
            repeat += 1
            candidate = f"{name} ({repeat})"
        headers.append(candidate)
    return headers


def _is_blank(values: list[str]) -> bool:
    return not any(value.strip() for value in values)


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and rows. `text` starts at the header; `line_offset` lines came before it."""

    headers: list[str]
    delimiter: str
    text: str
    line_offset: int
    total: int

    @property
    def is_linkedin(self) -> bool:
        return linkedin.is_connections_header(self.headers)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number where the row starts, header → value) for each non-blank data row."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        lines_before, header_seen = 0, False
        for values in reader:
            start = self.line_offset + lines_before + 1
            lines_before = reader.line_num
            if _is_blank(values):
                continue
            if not header_seen:
                header_seen = True
                continue
            yield start, dict(zip(self.headers, values, strict=False))

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
    """The table in `text`, or ImportFileError when it has no header or no rows.

    Counting the rows reads the whole file; a caller that counted them before passes `total`,
    and then only the header is read.
    """
    body, line_offset = linkedin.skip_preamble(text)
    delimiter = sniff_delimiter(body)
    try:
        records = (values for values in csv.reader(io.StringIO(body, newline=""), delimiter=delimiter))
        header = next((values for values in records if not _is_blank(values)), None)
        if total is None:
            total = sum(1 for values in records if not _is_blank(values))
    except csv.Error as exc:
        raise ImportFileError(f"The file is not CSV we can read: {exc}.") from None
    if header is None:
        raise ImportFileError("The file is empty.")
    if total == 0:
        raise ImportFileError("The file has a header but no rows.")
    return CsvTable(
        headers=_unique_headers(header), delimiter=delimiter, text=body, line_offset=line_offset, total=total
    )
