"""Word ``.docx`` -> Parsed: paragraphs (tables included, in body order) become text
lines, the fitting text reader parses them (Chinese scripts go to zh_text), and every
element's ``line`` is the 1-based index of the Word paragraph it came from.

A .docx is a zip archive, so its declared sizes are checked before python-docx opens
it: a zip bomb, or a file that is not a zip at all (an old .doc), is refused with an
InputError.
"""
from __future__ import annotations

import io
import zipfile

from resonance.errors import InputError
from resonance.io.builder import Parsed
from resonance.io.detect import parse_extracted

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # real Word XML compresses ~5-20x; bombs go far past 1000x
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny members may compress oddly: only judge big ones
MAX_MEMBERS = 10_000


def parse_bytes(data: bytes, source: str) -> Parsed:
    check_archive(data, source)
    lines, numbers = _paragraph_lines(data, source)
    if not any(line.strip() for line in lines):
        raise InputError("the Word document has no text", source)
    parsed, _ = parse_extracted(lines, source, numbers)
    return parsed


def check_archive(data: bytes, source: str) -> None:
    """Refuse what is not a Word zip, or what would unzip too large (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a valid .docx: the file is not a zip archive "
                         "(an old .doc? save it as .docx)", source) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(f"refused .docx: {len(members)} files inside the archive (zip bomb?)", source)
        total = sum(m.file_size for m in members)
        if total > MAX_UNZIPPED_BYTES:
            raise InputError(f"refused .docx: it would unzip to {total / 2**20:.0f} MiB, over the "
                             f"{MAX_UNZIPPED_BYTES / 2**20:.0f} MiB limit (zip bomb?)", source)
        for member in members:
            if member.file_size >= RATIO_CHECK_MIN_BYTES and \
                    member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise InputError(f"refused .docx: {member.filename} is compressed "
                                 f"{member.file_size // max(member.compress_size, 1)}x (zip bomb?)", source)
        if "word/document.xml" not in archive.namelist():
            raise InputError("not a Word document: the zip has no word/document.xml", source)


def _paragraph_lines(data: bytes, source: str) -> tuple[list[str], list[int]]:
    """Text lines and, for each, the index of its Word paragraph (a paragraph with line
    breaks in it gives several lines)."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        for child in document.element.body.iterchildren():
            if child.tag == qn("w:p"):
                paragraphs.append(Paragraph(child, document).text)
            elif child.tag == qn("w:tbl"):
                paragraphs.extend(_table_paragraphs(Table(child, document)))
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors... on damaged files
        raise InputError(f"cannot read .docx ({type(err).__name__}: {err})", source) from None
    lines: list[str] = []
    numbers: list[int] = []
    for index, text in enumerate(paragraphs, start=1):
        for part in text.replace("\r", "\n").split("\n"):
            lines.append(part)
            numbers.append(index)
    return lines, numbers


def _table_paragraphs(table) -> list[str]:
    seen: list[object] = []  # keeping the lxml elements alive keeps their identity
    texts: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            if any(cell._tc is other for other in seen):  # a merged cell is listed once per column
                continue
            seen.append(cell._tc)
            texts.extend(p.text for p in cell.paragraphs)
    return texts
