"""Chinese numerals to integers: 十二 -> 12, 一百零三 -> 103, 两千 -> 2000, 二〇二四 -> 2024.

Episode and scene markers (第十二集, 第三场, 场景五) use them; Arabic and full-width
digits are accepted too so callers can pass whatever sat between 第 and 集.
"""
from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(LARGE_UNITS) + "0123456789０１２３４５６７８９"


def chinese_to_int(text: str) -> int:
    """Convert a numeral written with Chinese characters or digits; ValueError if it is not one."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    ascii_digits = text.translate(_FULLWIDTH)
    if ascii_digits.isdigit() and ascii_digits.isascii():
        return int(ascii_digits)
    if any(ch not in DIGITS and ch not in SMALL_UNITS and ch not in LARGE_UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if not any(ch in SMALL_UNITS or ch in LARGE_UNITS for ch in text):
        # positional form, as in years: 二〇二四
        return int("".join(str(DIGITS[ch]) for ch in text))
    return _with_units(text)


def try_chinese_to_int(text: str) -> int | None:
    try:
        return chinese_to_int(text)
    except ValueError:
        return None


def _with_units(text: str) -> int:
    total = 0  # finished groups of 万 / 亿
    section = 0  # the group now being read (below 万)
    digit: int | None = None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            # a bare 十 at the start means 一十 (十二 = 12)
            section += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            unit = LARGE_UNITS[ch]
            section += digit or 0
            digit = None
            if unit > 10_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0
    return total + section + (digit or 0)


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
