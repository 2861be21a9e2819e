"""PDF -> Parsed: the text layer is pulled out page by page with pypdf (layout mode,
which keeps a screenplay's blank lines and indents), page furniture (page numbers,
``(MORE)``, ``(CONTINUED)``) is dropped, and the fitting text reader parses the rest.
``Element.line`` counts lines of the extracted text across pages.

A scanned PDF has no text layer: it is refused with a hint to run OCR first, as are
encrypted and damaged files.
"""
from __future__ import annotations

import io
import logging
import re

from resonance.errors import InputError
from resonance.io.builder import Parsed
from resonance.io.detect import parse_extracted

_FURNITURE = re.compile(r"^\s*(?:\d{1,4}\.?|\(MORE\)|\(?CONTINUED\)?:?|CONT(?:INUED|'D)\s*:|Page \d+( of \d+)?)\s*$",
                        re.IGNORECASE)
MIN_TEXT_CHARS = 1
MAX_PAGES = 2_000

# pypdf logs repairs ("EOF marker not found") as warnings; with no logging set up they would
# reach stderr. A NullHandler keeps them quiet unless the application configures logging.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def parse_bytes(data: bytes, source: str) -> Parsed:
    pages = extract_pages(data, source)
    lines: list[str] = []
    numbers: list[int] = []
    count = 0
    for page in pages:
        for line in page.split("\n"):
            count += 1
            if not _FURNITURE.match(line):
                lines.append(line.rstrip())
                numbers.append(count)
    parsed, _ = parse_extracted(lines, source, numbers)
    return parsed


def extract_pages(data: bytes, source: str) -> list[str]:
    """Text of each page; InputError for a scanned, encrypted or damaged PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError("not a PDF file (no %PDF- header)", source)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise InputError("PDF is password-protected; save an unprotected copy first", source)
        if len(reader.pages) > MAX_PAGES:
            raise InputError(f"PDF has {len(reader.pages)} pages, over the {MAX_PAGES} limit", source)
        pages = [_page_text(page) for page in reader.pages]
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as err:
        raise InputError(f"cannot read PDF (damaged?): {type(err).__name__}: {err}", source) from None
    if sum(len(p.strip()) for p in pages) < MIN_TEXT_CHARS:
        raise InputError("PDF has no text layer (scanned image?); run OCR first", source)
    return pages


def _opens_without_password(reader) -> bool:
    from pypdf.errors import PyPdfError

    try:
        return bool(reader.decrypt(""))  # many PDFs are "encrypted" with an empty user password
    except (PyPdfError, NotImplementedError, ValueError):
        return False


def _page_text(page) -> str:
    try:
        text = page.extract_text(extraction_mode="layout")
    except (ValueError, KeyError, ZeroDivisionError):  # layout mode trips on some fonts
        text = page.extract_text()
    return text or ""
