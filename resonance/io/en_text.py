"""English scripts in plain text -> Parsed.

Plain text has no markup and often no blank lines (pasted from Word or a PDF), so this
reader goes line by line: ``EPISODE 3`` / ``Episode 3: Title`` / ``EPISODE THREE``
headers start episodes, ``INT./EXT.`` lines start scenes, a caps cue line opens a
dialogue block that runs to the next blank line or structural line, ``NAME: words``
is dialogue on one line, and everything else is action: lines that wrap mid-sentence are joined
into one element, a line that ends a sentence ends its element (writers who put one beat on a
line get one element a beat, and the line numbers of each).
"""
from __future__ import annotations

import re

from resonance.io import en_common as en
from resonance.io.builder import Parsed, ScriptBuilder
from resonance.types import Element, ElementKind

# NAME (V.O.): (beat) words -- names are 1-4 capitalised words, no digits
_INLINE = re.compile(
    r"^(?P<name>[^\W\d_][^\W\d_'\u2019]*\.?(?:[ \-][^\W\d_][^\W\d_'\u2019]*\.?){0,3})"
    r"\s*(?P<ext>(?:\([^()]*\)\s*)*)[:\uff1a]\s*(?P<rest>\S.*)$")
_NOT_NAMES = {"note", "notes", "summary", "logline", "setting", "time", "location", "scene", "episode",
              "title", "written by", "genre", "synopsis", "series", "season", "author", "draft",
              "page", "act", "part", "chapter", "date", "place", "fade in", "cast", "characters",
              "credit", "draft date", "contact", "source", "copyright", "revision", "story by",
              "based on", "authors"}
_CAST = re.compile(r"^(?:CAST|CHARACTERS)\s*:\s*(?P<names>.+)$", re.IGNORECASE)
_TITLE = re.compile(r"^title\s*:\s*(?P<title>\S.*)$", re.IGNORECASE)
MAX_TITLE_CHARS = 80
_SENTENCE_END = (".", "!", "?", "\"", "'", "\u201d", "\u2019", "\u2026", ")", "-", "\u2014")

Line = tuple[int, str]


def parse(text: str, source: str) -> Parsed:
    lines = text.split("\n")
    title, title_line = _leading_title(lines)
    if title_line:
        lines = [""] * title_line + lines[title_line:]
    reader = _Reader()
    reader.read(lines)
    return Parsed(episodes=reader.builder.build(), title=title)


def _leading_title(lines: list[str]) -> tuple[str | None, int]:
    """A series title on the first line (``Title: X`` or a short line standing just above the
    first episode header or heading) -> (title, lines it takes); (None, 0) otherwise."""
    filled = [(i, line.strip()) for i, line in enumerate(lines[:40]) if line.strip()]
    if len(filled) < 2:
        return None, 0
    (index, first), (_, second) = filled[0], filled[1]
    labelled = _TITLE.match(first)
    if labelled:
        return labelled.group("title").strip(), index + 1
    if len(first) > MAX_TITLE_CHARS or first.endswith(_SENTENCE_END) or _is_structural(first) \
            or en.special_kind(first) or inline_dialogue(first, 1):
        return None, 0
    if en.episode_header(second) or en.is_heading(second):
        return first, index + 1
    return None, 0


def inline_dialogue(text: str, number: int) -> Element | None:
    """``BRICK (V.O.): (quietly) It's over.`` -> one spoken element; None when not that shape."""
    match = _INLINE.match(text)
    if not match:
        return None
    name = match.group("name").strip()
    if name.lower() in _NOT_NAMES or not all(w[:1].isupper() for w in re.split(r"[ \-]", name) if w):
        return None
    cue = en.parse_cue(f"{name.upper()} {match.group('ext')}")
    if cue is None:
        return None
    cue = en.Cue(name, cue.voice, cue.dual, cue.direction)  # keep the writer's spelling of the name
    direction, words = en.split_leading_direction(match.group("rest").strip())
    return en.spoken_element(cue, words, number, direction) if words else None


class _Reader:
    def __init__(self) -> None:
        self.builder = ScriptBuilder()
        self.cue: en.Cue | None = None
        self.cue_line = 0
        self.block: list[Line] = []  # lines under the open cue
        self.action: list[Line] = []
        self.inline_open = False  # the last line was one-line dialogue that may wrap

    def read(self, lines: list[str]) -> None:
        for index, raw in enumerate(lines):
            number = index + 1
            text = raw.strip()
            if not text:
                self._flush()
                continue
            next_text = lines[index + 1].strip() if index + 1 < len(lines) else ""
            self._line(number, text, next_text)
        self._flush()

    def _line(self, number: int, text: str, next_text: str) -> None:
        if self._structural(number, text):
            return
        cue = en.parse_cue(text) if next_text and not _is_structural(next_text) else None
        if cue is not None:
            self._flush()
            self.cue, self.cue_line = cue, number
            return
        if self.cue is not None:  # "Look: it's over." under a cue is speech, not a new speaker
            self.block.append((number, text))
            return
        inline = inline_dialogue(text, number)
        if inline is not None:
            self._flush()
            self.builder.add(inline)
            self.inline_open = not inline.text.endswith(_SENTENCE_END)
        elif self.inline_open and self.builder.extend_last(text):
            self.inline_open = not text.endswith(_SENTENCE_END)
        elif en.is_parenthetical(text) and not self.action:
            self.builder.add(Element(kind=ElementKind.PARENTHETICAL, text=text[1:-1].strip(), line=number))
        else:
            self.inline_open = False
            if self.action and self.action[-1][1].endswith(_SENTENCE_END):
                self._flush()  # one sentence a line is one beat a line; a hard-wrapped line runs on
            self.action.append((number, text))

    def _structural(self, number: int, text: str) -> bool:
        """Episode headers, headings, transitions, captions, markers and cast lines."""
        header = en.episode_header(text)
        if header:
            self._flush()
            self.builder.episode(header[0], header[1], number)
            return True
        heading = en.parse_heading(text)
        if heading:
            self._flush()
            self.builder.scene(heading.text, number, number=heading.number, time_of_day=heading.time_of_day,
                               setting=heading.setting, location=heading.location)
            return True
        if en.is_transition(text):
            self._flush()
            self.builder.add(Element(kind=ElementKind.TRANSITION, text=text, line=number))
            return True
        special = en.special_element(text, number)
        if special is not None:
            self._flush()
            self.builder.add(special)
            return True
        cast = _CAST.match(text)
        if cast:
            self._flush()
            names = [n.strip() for n in re.split(r"[,;/]|\band\b", cast.group("names")) if n.strip()]
            self.builder.cast(names, text, number)
            return True
        return False

    def _flush(self) -> None:
        if self.cue is not None:
            for element in en.dialogue_block(self.cue, self.block):
                self.builder.add(element)
            if not self.block:  # a lone caps line after all: action
                self.action.append((self.cue_line, self.cue.name))
        self.cue, self.block, self.inline_open = None, [], False
        if self.action:
            text = " ".join(t for _, t in self.action)
            self.builder.add(Element(kind=ElementKind.ACTION, text=text, line=self.action[0][0]))
            self.action = []


def _is_structural(text: str) -> bool:
    return bool(en.episode_header(text) or en.is_heading(text) or en.is_transition(text))
