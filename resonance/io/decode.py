"""Bytes -> text: encoding detection (charset-normalizer) and input sanity checks."""
from __future__ import annotations

import codecs

from resonance.errors import InputError

# BOMs first: a detector should never have to guess these.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK_CODECS = ("gb18030", "big5")


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise InputError for empty or binary data.

    Line endings are normalised to ``\\n`` (CRLF and lone CR included).
    """
    if not data.strip():
        raise InputError("file is empty", source)
    text, encoding = _decode(data, source)
    if "\x00" in text:
        raise InputError("file contains NUL bytes: looks binary, not a script", source)
    if _control_ratio(text) > 0.05:
        raise InputError("file looks binary (many control characters), not a script", source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def _decode(data: bytes, source: str) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "-bom")
            except UnicodeDecodeError as err:
                raise InputError(f"invalid {name} after its byte-order mark ({err.reason})", source) from err
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise InputError("file contains NUL bytes: looks binary, not a script", source)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    candidates = []
    if best is not None:
        candidates.append(best.encoding)
    candidates += [c for c in _CJK_CODECS if c not in candidates]
    for name in candidates:
        name = "gb18030" if name in ("gbk", "gb2312", "hz") else name
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("cannot decode: not UTF-8, UTF-16, GB18030 or Big5 text", source)


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    return head.count(b"\x00") > len(head) // 4 and len(head) % 2 == 0


def _control_ratio(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v" or "\ufff0" <= ch <= "\uffff")
    return bad / len(sample)
