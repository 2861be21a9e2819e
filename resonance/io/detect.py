"""Which text reader fits a text: from its extension and its content."""
from __future__ import annotations

import re

from resonance.io.language import detect_language

_FOUNTAIN_SIGNS = re.compile(
    r"^(title:|credit:|author:|draft date:)|^\s*(INT|EXT|EST|INT\./EXT|I/E)[\. ]|^\.[A-Z]|^#+ |^={3,}\s*$",
    re.IGNORECASE | re.MULTILINE)


def detect_format(text: str, extension: str = "") -> str:
    if detect_language(text) == "zh":
        return "zh_text"
    if extension in (".fountain", ".spmd"):
        return "fountain"
    if len(_FOUNTAIN_SIGNS.findall(text[:20_000])) >= 2 and "\n\n" in text:
        return "fountain"
    return "en_text"
