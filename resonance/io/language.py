"""Script language from its characters: Chinese when CJK ideographs dominate letters."""
from __future__ import annotations


def detect_language(text: str) -> str:
    sample = text[:50_000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    # one Chinese character carries about as much as a short English word (~4 letters)
    return "zh" if cjk * 4 >= latin and cjk > 0 else "en"
