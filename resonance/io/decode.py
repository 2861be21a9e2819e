"""Bytes -> text: encoding detection (charset-normalizer) and input sanity checks."""
from __future__ import annotations

import codecs

from resonance.errors import InputError
from resonance.io.zh_common import COMMON_HANZI

# BOMs first: a detector should never have to guess these.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK_CODECS = ("gb18030", "big5")
_CLEARLY_CHINESE = 0.5  # plausibility above which the detector is not consulted


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
    if _looks_utf16(data):
        # no byte-order mark: ASCII characters put their zero byte second in little-endian
        head = data[:4096]
        name = "utf-16-le" if head[1::2].count(0) >= head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(name), name
        except UnicodeDecodeError as err:
            raise InputError(f"invalid {name} text ({err.reason})", source) from err
    # GBK bytes also decode as Big5 (and often the reverse), into rare characters:
    # decode with each candidate and keep the most plausible text.
    best: tuple[float, str, str] | None = None
    for name in (*_CJK_CODECS, "cp1252", None):  # on a tie the earlier one wins
        if name is None:
            if best is not None and best[0] >= _CLEARLY_CHINESE:
                break  # no need for the (slow) detector
            name = _detector_guess(data)
            if name is None or name in (*_CJK_CODECS, "cp1252"):
                continue
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, name)
    if best is None:
        # the line helps with a file pasted together from two encodings (half GBK, half UTF-8)
        raise InputError("cannot decode: not UTF-8, UTF-16, GB18030 or Big5 text "
                         "(this line has the first byte that is not UTF-8)", source, line=_first_bad_utf8_line(data))
    return best[1], best[2]


def _first_bad_utf8_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return data.count(b"\n", 0, err.start) + 1
    return 1


def _detector_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    match = from_bytes(data[:200_000]).best()
    if match is None:
        return None
    name = match.encoding
    return "gb18030" if name in ("gbk", "gb2312", "hz", "gb18030") else name


def _plausibility(text: str) -> float:
    """Per character: common Chinese characters count for, rare ones and oddities against."""
    sample = text[:100_000]
    if not sample:
        return 0.0
    common = rare = odd = 0
    for ch in sample:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            if ch in COMMON_HANZI:
                common += 1
            else:
                rare += 1
        elif ch < " " and ch not in "\r\n\t" or "\ue000" <= ch <= "\uf8ff" or "\u0080" <= ch <= "\u009f":
            odd += 1
        elif "\u00c0" <= ch <= "\u024f" or "\uac00" <= ch <= "\ud7af" or "\u3040" <= ch <= "\u30ff":
            odd += 0.5  # accented Latin, Hangul, kana: possible, but a wrong guess produces them in runs
    return (3 * common - rare - 2 * odd) / len(sample)


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    return head.count(b"\x00") > len(head) // 4 and len(head) % 2 == 0


def _control_ratio(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v" or "\ufff0" <= ch <= "\uffff")
    return bad / len(sample)
