"""Hostile documents, built here rather than stored: zip bombs, too many parts, billion laughs, deep
nesting, a PDF of many pages. Each is small on disk; what it would cost to parse is the point."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from tests.factories import docx_bytes

PARAGRAPH = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def rebuilt_docx(
    *, document: Callable[[bytes], bytes] | None = None, extra: Callable[[zipfile.ZipFile], None] | None = None
) -> bytes:
    """A real DOCX with its document.xml rewritten by `document` and parts added by `extra`."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes("Ada Lovelace, analyst")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if document and entry.filename == "word/document.xml":
                data = document(data)
            archive.writestr(entry.filename, data)
        if extra:
            extra(archive)
    return buffer.getvalue()


def zip_bomb_docx(unpacked_mb: int = 40) -> bytes:
    """document.xml of `unpacked_mb` MB of paragraphs, packed about 1000 times (the issue's 65 KB DOCX)."""
    count = unpacked_mb * 1024 * 1024 // len(PARAGRAPH)
    return rebuilt_docx(document=lambda xml: xml.replace(b"<w:body>", b"<w:body>" + PARAGRAPH * count))


def huge_image_docx(unpacked_mb: int = 60) -> bytes:
    """A part of `unpacked_mb` MB of zeros (an "image"): too much unpacked in all."""
    return rebuilt_docx(extra=lambda archive: archive.writestr("word/media/image1.png", b"\0" * (unpacked_mb * 2**20)))


def many_parts_docx(parts: int = 2000) -> bytes:
    def add(archive: zipfile.ZipFile) -> None:
        for number in range(parts):
            archive.writestr(f"word/media/p{number}.bin", b"")

    return rebuilt_docx(extra=add)


def billion_laughs_docx() -> bytes:
    return rebuilt_docx(document=lambda _xml: BILLION_LAUGHS)


def deeply_nested_docx(depth: int = 5000) -> bytes:
    nested = b"<w:sdt>" * depth + b"</w:sdt>" * depth
    return rebuilt_docx(document=lambda xml: xml.replace(b"<w:body>", b"<w:body>" + nested))


def broken_xml_docx() -> bytes:
    return rebuilt_docx(document=lambda xml: xml.replace(b"</w:body>", b""))


def pdf_bytes(pages: int, text: str = "") -> bytes:
    """A PDF of `pages` blank pages, the first one carrying `text` when given."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if text:
        page = writer.pages[0]
        font = DictionaryObject({
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        })  # fmt: skip
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})
        })  # fmt: skip
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
