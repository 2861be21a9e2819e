"""Reading scripts: path or text in, :class:`~resonance.types.Script` out.

Each format lives in its own module exposing ``parse(text, source) -> Parsed``
(text formats) or ``parse_bytes(data, source) -> Parsed`` (binary formats).
"""
from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

from resonance.errors import InputError, ResonanceError, UnsupportedFormatError
from resonance.io.builder import Parsed
from resonance.io.decode import decode
from resonance.types import Script

TEXT_FORMATS = {
    "zh_text": "resonance.io.zh_text",  # mainland layout and inline (no line breaks)
    "fountain": "resonance.io.fountain",
    "en_text": "resonance.io.en_text",
}
BINARY_FORMATS = {
    "fdx": "resonance.io.fdx",
    "docx": "resonance.io.docx",
    "pdf": "resonance.io.pdf",
}
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".fountain", ".spmd", ""}
BINARY_EXTENSIONS = {".fdx": "fdx", ".docx": "docx", ".pdf": "pdf"}
SCRIPT_EXTENSIONS = TEXT_EXTENSIONS | set(BINARY_EXTENSIONS)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def read_script(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Script:
    """Read one script file (or a folder of episode files) into a Script."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        from resonance.io.folder import read_folder

        return read_folder(path, max_bytes=max_bytes)
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise InputError("file is empty", source)
    suffix = path.suffix.lower()
    if suffix in BINARY_EXTENSIONS:
        fmt = BINARY_EXTENSIONS[suffix]
        parsed = _module(BINARY_FORMATS[fmt]).parse_bytes(data, source)
        return _script(parsed, source, fmt, "binary")
    if suffix not in TEXT_EXTENSIONS:
        raise UnsupportedFormatError(
            f"unsupported file type '{suffix}' (expected .txt, .fountain, .fdx, .docx or .pdf)", source)
    text, encoding = decode(data, source)
    return read_text(text, source=source, encoding=encoding, extension=suffix)


def read_text(text: str, *, source: str = "<text>", encoding: str = "utf-8",
              extension: str = "", fmt: str | None = None) -> Script:
    """Parse script text already in memory; the format is detected when not given."""
    from resonance.io.detect import detect_format

    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise InputError("file is empty", source)
    fmt = fmt or detect_format(text, extension)
    parsed = _module(TEXT_FORMATS[fmt]).parse(text, source)
    return _script(parsed, source, fmt, encoding, text)


def read_paths(paths: list[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
               ) -> tuple[list[Script], list[ResonanceError]]:
    """Read many paths; errors are collected, never raised, so good files still come back."""
    scripts: list[Script] = []
    errors: list[ResonanceError] = []
    for path in paths:
        try:
            scripts.append(read_script(path, max_bytes=max_bytes))
        except ResonanceError as err:
            errors.append(err)
    return scripts, errors


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", source) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source) from None
    if size > max_bytes:
        raise InputError(f"file is {_size(size)}, over the {_size(max_bytes)} limit "
                         "(raise it with --max-bytes or max_bytes in resonance.toml)", source)
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source) from None


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count:,} bytes"
    return f"{count / 2**20:.1f}".removesuffix(".0") + " MiB"


def _script(parsed: Parsed, source: str, fmt: str, encoding: str, text: str | None = None) -> Script:
    from resonance.io.language import detect_language

    sample = text if text is not None else " ".join(e.text for ep in parsed.episodes for e in ep.elements[:200])
    return Script(source=source, format=fmt, encoding=encoding, language=detect_language(sample),
                  episodes=parsed.episodes, title=parsed.title, metadata=dict(parsed.metadata))


def _module(name: str):
    return importlib.import_module(name)


_NATURAL = re.compile(r"(\d+)")


def natural_key(name: str) -> list[object]:
    """Sort key so that ep2 comes before ep10 and 第2集 before 第10集."""
    return [int(part) if part.isdigit() else part.lower() for part in _NATURAL.split(name)]
