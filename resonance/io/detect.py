"""Which text reader fits a text: from its extension and its content.

Chinese text always goes to ``zh_text``. English text is Fountain when it carries
Fountain markup (a title page, ``#`` sections, ``.``/``@`` forcing, ``[[notes]]``,
``>centered<``, boneyard) or when its caps cues stand after blank lines the way
Fountain needs them; otherwise, and whenever one-line ``NAME: words`` dialogue
dominates, it is plain English text (``en_text``), which needs no blank lines.

Binary readers (docx, pdf) get their text out and call :func:`parse_extracted`.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import replace

from resonance.io.language import detect_language

_MARKUP = re.compile(
    r"\A(?:title|credit|author|authors|draft date|source)\s*:|^#+ |^\.[A-Za-z0-9]|^@\w|\[\[|^/\*|"
    r"^\s*>.*<\s*$|^={3,}\s*$|^~",
    re.IGNORECASE | re.MULTILINE)
_HEADING = re.compile(r"^\s*(?:INT|EXT|EST|INT\./EXT|INT/EXT|I/E)[. ]", re.IGNORECASE | re.MULTILINE)
SAMPLE_CHARS = 50_000
MIN_MARKUP_SIGNS = 2
BLANK_CUE_SHARE = 0.7  # Fountain cues need a blank line before them


def detect_format(text: str, extension: str = "") -> str:
    if detect_language(text) == "zh":
        return "zh_text"
    if extension in (".fountain", ".spmd"):
        return "fountain"
    sample = text[:SAMPLE_CHARS]
    if len(_MARKUP.findall(sample)) >= MIN_MARKUP_SIGNS:
        return "fountain"
    inline, caps, after_blank = _cue_counts(sample.split("\n"))
    if inline > caps:
        return "en_text"
    if _HEADING.search(sample) and caps and after_blank >= BLANK_CUE_SHARE * caps:
        return "fountain"
    return "en_text"


def _cue_counts(lines: list[str]) -> tuple[int, int, int]:
    """(one-line ``NAME: words`` cues, caps cues with text under them, of those after a blank)."""
    from resonance.io.en_common import parse_cue
    from resonance.io.en_text import inline_dialogue

    inline = caps = after_blank = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if inline_dialogue(line.strip(), index + 1) is not None:
            inline += 1
        elif index + 1 < len(lines) and lines[index + 1].strip() and parse_cue(line):
            caps += 1
            after_blank += index == 0 or not lines[index - 1].strip()
    return inline, caps, after_blank


def parse_extracted(lines: list[str], source: str, line_numbers: list[int] | None = None):
    """Parse text lines pulled out of a binary file with the reader that fits them.

    ``line_numbers[i]`` is what the user should see as the line of ``lines[i]`` (a
    paragraph index in a .docx, say); elements are renumbered to match.
    Returns ``(Parsed, format)``.
    """
    from resonance.io import TEXT_FORMATS

    text = "\n".join(lines)
    fmt = detect_format(text)
    parsed = importlib.import_module(TEXT_FORMATS[fmt]).parse(text, source)
    if line_numbers is not None:
        parsed = _renumber(parsed, line_numbers)
    return parsed, fmt


def _renumber(parsed, line_numbers: list[int]):
    def at(line: int) -> int:
        return line_numbers[min(max(line, 1), len(line_numbers)) - 1] if line_numbers else line

    episodes = tuple(
        replace(episode, line=at(episode.line), scenes=tuple(
            replace(scene, line=at(scene.line),
                    elements=tuple(replace(e, line=at(e.line)) for e in scene.elements))
            for scene in episode.scenes))
        for episode in parsed.episodes)
    return replace(parsed, episodes=episodes)
