"""Cheap checks run on an uploaded document before anything parses it in earnest.

A DOCX is a zip of XML parts: a few kilobytes can unpack to gigabytes (a "zip bomb"), hold
hundreds of thousands of parts, or carry an XML entity definition that expands a billion
times. A PDF can declare thousands of pages. Each check reads only what it must (the zip's
directory, then the XML parts through a streaming parser that stops at the first excess), so
refusing a hostile file costs milliseconds, and `DocumentRefused` says why in words a recruiter
or a candidate can read. Refused files are kept; only their text is not read.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from typing import IO, NoReturn
from xml.parsers import expat

MAX_PARTS = 1000  # a real résumé has 10 to 100
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # every part, images included
MAX_XML_BYTES = 4 * 1024 * 1024  # what the XML parser reads; a long résumé's document.xml is ~300 KB
MAX_RATIO = 100  # unpacked ÷ packed; XML text packs 5 to 30 times, a bomb 1000 times
RATIO_FLOOR_BYTES = 256 * 1024  # parts smaller than this may pack as well as they like
MAX_XML_DEPTH = 100
MAX_XML_ELEMENTS = 250_000
MAX_PDF_PAGES = 50
_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22


class DocumentRefused(ValueError):
    """The document fails a check; the message says which, for a person."""


def zip_entry_count(data: bytes) -> int | None:
    """The number of entries the zip's end record declares (without reading its directory), or None
    when `data` has no end record. Zip64 archives (over 65,534 entries) report 65,535."""
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - 0xFFFF))
    if start < 0 or len(data) - start < _EOCD_SIZE:
        return None
    return int(struct.unpack_from("<H", data, start + 10)[0])


def check_zip(data: bytes, *, is_xml: Callable[[str], bool]) -> None:
    """Refuse a zip with too many parts, too much unpacked, packed too well, or unsafe XML parts
    (those `is_xml` names): DTDs and entities, nesting too deep, too many elements."""
    parts = zip_entry_count(data)
    if parts is None:
        raise DocumentRefused("The file is not a readable zip archive.")
    if parts > MAX_PARTS:
        raise DocumentRefused(f"The document has {parts:,} parts; at most {MAX_PARTS:,} are read.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise DocumentRefused(f"The file is not a readable zip archive ({exc}).") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_PARTS:
            raise DocumentRefused(f"The document has {len(entries):,} parts; at most {MAX_PARTS:,} are read.")
        _check_sizes(entries)
        xml_budget = MAX_XML_BYTES
        for entry in entries:
            if is_xml(entry.filename):
                try:
                    with archive.open(entry) as stream:
                        xml_budget -= check_xml(stream, name=entry.filename, budget=xml_budget)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
                    raise DocumentRefused(f"The part {entry.filename} cannot be unpacked ({exc}).") from None


def _check_sizes(entries: list[zipfile.ZipInfo]) -> None:
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentRefused(
            f"The document unpacks to {unpacked / 2**20:,.0f} MB; at most {MAX_UNPACKED_BYTES // 2**20} MB are read."
        )
    for entry in entries:
        if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            ratio = entry.file_size / max(entry.compress_size, 1)
            raise DocumentRefused(
                f"The part {entry.filename} is compressed {ratio:,.0f} times (at most {MAX_RATIO}): "
                "it looks like a zip bomb."
            )
    if unpacked > RATIO_FLOOR_BYTES and unpacked > MAX_RATIO * max(packed, 1):
        raise DocumentRefused(
            f"The document is compressed {unpacked / max(packed, 1):,.0f} times (at most {MAX_RATIO})."
        )


def check_xml(stream: IO[bytes], *, name: str, budget: int = MAX_XML_BYTES) -> int:
    """Stream `stream` through expat; refuse a DTD or entity declaration (billion laughs, external
    entities), nesting deeper than MAX_XML_DEPTH, more than MAX_XML_ELEMENTS elements or more than
    `budget` bytes. Returns the bytes read (what the counted `budget` shrinks by)."""
    parser = expat.ParserCreate()
    state = {"depth": 0, "elements": 0}

    def start(_name: str, _attributes: dict) -> None:
        state["depth"] += 1
        state["elements"] += 1
        if state["depth"] > MAX_XML_DEPTH:
            raise DocumentRefused(f"The part {name} nests elements more than {MAX_XML_DEPTH} deep.")
        if state["elements"] > MAX_XML_ELEMENTS:
            raise DocumentRefused(f"The part {name} has more than {MAX_XML_ELEMENTS:,} elements.")

    def end(_name: str) -> None:
        state["depth"] -= 1

    def doctype(*_args: object) -> NoReturn:
        # Office documents never carry a DTD; one here can only define entities to expand.
        raise DocumentRefused(f"The part {name} declares a DTD or entities, which documents never need.")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = doctype
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > budget:
                raise DocumentRefused(
                    f"The document's XML unpacks to more than {MAX_XML_BYTES // 2**20} MB; a résumé needs far less."
                )
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise DocumentRefused(f"The part {name} is not well-formed XML ({expat.errors.messages[exc.code]}).") from None
    return read


def check_pdf_pages(pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise DocumentRefused(f"The PDF has {pages:,} pages; text is read from PDFs of at most {MAX_PDF_PAGES}.")
