"""Which text reader fits a text: from its extension and its content.

Chinese text always goes to ``zh_text``. English text is Fountain when it has the
extension or carries Fountain markup (a title page, ``#`` sections, ``.``/``@``
forcing, ``[[notes]]``, ``>centered<``, boneyard, ``===``) and one-line ``NAME: words``
dialogue does not dominate it. Everything else is plain English text (``en_text``):
that reader reads an unmarked screenplay as Fountain would, and also copes with
missing blank lines, ``NAME: words`` lines, a title line and ``Cast:`` lines.

Binary readers (docx, pdf) get their text out and call :func:`parse_extracted`.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import replace

from resonance.io.language import detect_language

_MARKUP = re.compile(
    r"^(?:title|credit|author|authors|draft date|contact)\s*:|^#+ |^\.[A-Za-z0-9]|^@\w|\[\[|^/\*|"
    r"^\s*>.*<\s*$|^={3,}\s*$|^~",
    re.IGNORECASE | re.MULTILINE)
SAMPLE_CHARS = 50_000
MIN_MARKUP_SIGNS = 2


def detect_format(text: str, extension: str = "") -> str:
    if detect_language(text) == "zh":
        return "zh_text"
    if extension in (".fountain", ".spmd"):
        return "fountain"
    sample = text[:SAMPLE_CHARS]
    if len(_MARKUP.findall(sample)) < MIN_MARKUP_SIGNS:
        return "en_text"
    inline, caps = _cue_counts(sample.split("\n"))
    return "en_text" if inline > caps else "fountain"


def _cue_counts(lines: list[str]) -> tuple[int, int]:
    """(one-line ``NAME: words`` cues, caps cues with text under them)."""
    from resonance.io.en_common import parse_cue
    from resonance.io.en_text import inline_dialogue

    inline = caps = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if inline_dialogue(line.strip(), index + 1) is not None:
            inline += 1
        elif index + 1 < len(lines) and lines[index + 1].strip() and parse_cue(line):
            caps += 1
    return inline, caps


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
