"""Fountain screenplays (https://fountain.io/syntax) -> Parsed.

The text is cut into paragraphs at blank lines, as the spec reads it: a caps line
with text right under it is a character cue, a lone ``CUT TO:`` is a transition, and
so on. Boneyard ``/* */`` and notes ``[[ ]]`` are lifted out first without moving any
line, so every element keeps the line number it has in the file. ``# Episode 3``
sections (and a lone ``EPISODE 3`` line) start episodes.

Where we part from the spec or from the jouvence parser on purpose (tests say why): a
heading needs no blank line after it; a caps line that reads as a caption, FLASHBACK
marker, heading or transition is never taken for a cue; FADE IN: / FADE OUT. count as
transitions; notes, centered text and lyrics become ``note`` elements.
"""
from __future__ import annotations

import re
from dataclasses import replace

from resonance.io import en_common as en
from resonance.io.builder import Parsed, ScriptBuilder
from resonance.types import Element, ElementKind

_TITLE_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z \-]*?)\s*:\s*(?P<value>.*)$")
_TITLE_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact",
               "copyright", "notes", "revision", "series", "episode", "format", "language", "genre"}
# a note ends at a blank line or where another note opens: that keeps the scan linear (an
# unclosed "[[" no longer runs to the end of the file for each later "[[")
_NOTE = re.compile(r"\[\[(?P<note>(?:(?!\n[ \t]*\n|\[\[).)*?)\]\]", re.DOTALL)
_SECTION = re.compile(r"^(#+)\s*(?P<text>.*)$")
_CENTERED = re.compile(r"^>\s*(?P<text>.*?)\s*<$")
_EMPHASIS_STARS = re.compile(r"(?<!\\)\*+")
_EMPHASIS_UNDERLINE = re.compile(r"(?<![\\\w])_(?=\S)|(?<=\S)(?<!\\)_(?!\w)")

Line = tuple[int, str]  # (1-based line number, text)


def parse(text: str, source: str) -> Parsed:
    lines = text.split("\n")
    title, metadata, body_start = _title_page(lines)
    body = "\n".join([""] * body_start + lines[body_start:])
    body = _drop_boneyard(body)
    notes = _NoteLifter(body)
    body = _NOTE.sub(notes.lift, body)
    reader = _Reader(notes.by_line)
    reader.read(body.split("\n"), original=text.split("\n"))
    episodes = reader.builder.build()
    # one episode a file: "Episode: 3" on the title page numbers it when the body does not
    number = en.words_to_int(metadata.get("episode", "").strip())
    if number and len(episodes) == 1 and episodes[0].number == 1:
        episodes = (replace(episodes[0], number=number),)
    return Parsed(episodes=episodes, title=title, metadata=metadata)


def _drop_boneyard(body: str) -> str:
    """``/* ... */`` -> its newlines only. A find loop, not a lazy regex: with many unclosed
    ``/*`` the regex rescans the rest of the text from each one (quadratic)."""
    out, position = [], 0
    while (start := body.find("/*", position)) >= 0 and (end := body.find("*/", start + 2)) >= 0:
        out += [body[position:start], "\n" * body.count("\n", start, end)]
        position = end + 2
    out.append(body[position:])
    return "".join(out)


def strip_emphasis(text: str) -> str:
    """``*italic*``, ``**bold**``, ``_underline_`` -> plain text; ``\\*`` stays a star."""
    text = _EMPHASIS_UNDERLINE.sub("", _EMPHASIS_STARS.sub("", text))
    return text.replace("\\*", "*").replace("\\_", "_").strip()


def _title_page(lines: list[str]) -> tuple[str | None, dict[str, str], int]:
    first = _TITLE_KEY.match(lines[0]) if lines else None
    if not first or first.group("key").lower() not in _TITLE_KEYS:
        return None, {}, 0
    values: dict[str, list[str]] = {}
    key = ""
    end = 0
    for end, line in enumerate(lines):
        if not line.strip():
            break
        match = _TITLE_KEY.match(line)
        if match and not line[:1].isspace():
            key = match.group("key").lower()
            values[key] = [match.group("value").strip()] if match.group("value").strip() else []
        elif key:
            values[key].append(line.strip())
    else:
        end = len(lines)
    metadata = {k: "\n".join(strip_emphasis(v) for v in vs) for k, vs in values.items()}
    title = " ".join(strip_emphasis(v) for v in values.get("title", [])) or None
    metadata.pop("title", None)
    return title, metadata, end


class _NoteLifter:
    """Takes ``[[notes]]`` out of the text, keeping its newlines, and files them by line."""

    def __init__(self, body: str):
        self.body = body
        self.by_line: dict[int, list[str]] = {}
        self._position, self._line = 0, 1

    def lift(self, match: re.Match[str]) -> str:
        self._line += self.body.count("\n", self._position, match.start())
        self._position = match.start()
        note = " ".join(match.group("note").split())
        if note:
            self.by_line.setdefault(self._line, []).append(note)
        return "\n" * match.group().count("\n")


class _Reader:
    """Walks paragraphs and sends episode / scene / element events to a ScriptBuilder."""

    def __init__(self, notes: dict[int, list[str]]):
        self.builder = ScriptBuilder()
        self.notes = notes

    def read(self, lines: list[str], original: list[str]) -> None:
        # a line emptied by a note or boneyard is skipped, not read as a paragraph break
        paragraph: list[Line] = []
        for index, text in enumerate(lines):
            number = index + 1
            lifted = not text.strip() and index < len(original) and original[index].strip() != ""
            if lifted:
                self._emit_notes(number, paragraph)
                continue
            if text.strip() or (text == "  " and paragraph):  # two spaces keep a paragraph going
                paragraph.append((number, text))
            else:
                self._paragraph(paragraph)
                self._flush_notes(number)  # notes inside a paragraph follow what it said
                paragraph = []
        self._paragraph(paragraph)
        self._flush_notes(len(lines))

    def _emit_notes(self, number: int, paragraph: list[Line]) -> None:
        if paragraph:  # inside a paragraph: the note waits until the paragraph is read
            return
        for note in self.notes.pop(number, []):
            self.builder.add(Element(kind=ElementKind.NOTE, text=note, line=number))

    def _flush_notes(self, upto: int) -> None:
        for number in sorted(n for n in self.notes if n <= upto):
            for note in self.notes.pop(number):
                self.builder.add(Element(kind=ElementKind.NOTE, text=note, line=number))

    def _paragraph(self, lines: list[Line]) -> None:
        while lines:
            lines = self._one(lines)

    def _one(self, lines: list[Line]) -> list[Line]:
        """Read the start of a paragraph; return the lines still to read."""
        number, raw = lines[0]
        text = raw.strip()
        rest = lines[1:]
        if text.startswith("!"):
            return self._action(lines, forced=True)
        section = _SECTION.match(text)
        if section:
            self._section(section.group("text"), number)
            return rest
        if text.startswith("="):
            return rest  # synopsis or page break: not part of the screenplay's text
        if text.startswith(".") and text[1:2].isalnum() or en.is_heading(text):
            self._heading(text.lstrip(".") if text.startswith(".") else text, number,
                          forced=text.startswith("."))
            return rest
        if _CENTERED.match(text) or text.startswith("~"):
            return self._centered_or_lyrics(lines)
        if text.startswith(">"):
            self.builder.add(Element(kind=ElementKind.TRANSITION, text=strip_emphasis(text[1:]), line=number))
            return rest
        if not rest and en.is_transition(text):
            self.builder.add(Element(kind=ElementKind.TRANSITION, text=strip_emphasis(text), line=number))
            return rest
        header = en.episode_header(strip_emphasis(text))
        if header and not rest:
            self.builder.episode(header[0], header[1], number)
            return rest
        cue = en.parse_cue(strip_emphasis(text), allow_forced=True) if rest else None
        if cue:
            self._dialogue(cue, rest)
            return []
        return self._action(lines)

    def _section(self, text: str, number: int) -> None:
        header = en.episode_header(strip_emphasis(text))
        if header:
            self.builder.episode(header[0], header[1], number)

    def _heading(self, text: str, number: int, forced: bool) -> None:
        text = strip_emphasis(text)
        header = en.episode_header(text) if forced else None
        if header:
            self.builder.episode(header[0], header[1], number)
            return
        heading = en.parse_heading(text, forced=forced)
        assert heading is not None  # forced headings always parse
        self.builder.scene(heading.text, number, number=heading.number, time_of_day=heading.time_of_day,
                           setting=heading.setting, location=heading.location)

    def _centered_or_lyrics(self, lines: list[Line]) -> list[Line]:
        marker = "~" if lines[0][1].strip().startswith("~") else ">"
        taken: list[Line] = []
        for number, raw in lines:
            text = raw.strip()
            centered = _CENTERED.match(text)
            if marker == ">" and centered:
                taken.append((number, centered.group("text")))
            elif marker == "~" and text.startswith("~"):
                taken.append((number, text[1:]))
            else:
                break
        joined = strip_emphasis(" ".join(t.strip() for _, t in taken))
        header = en.episode_header(joined) if marker == ">" else None
        if header:
            self.builder.episode(header[0], header[1], taken[0][0])
        else:
            self.builder.add(Element(kind=ElementKind.NOTE, text=joined, line=taken[0][0]))
        return lines[len(taken):]

    def _dialogue(self, cue: en.Cue, lines: list[Line]) -> None:
        cleaned = [(n, strip_emphasis(t)) for n, t in lines]
        for element in en.dialogue_block(cue, cleaned):
            self.builder.add(element)

    def _action(self, lines: list[Line], forced: bool = False) -> list[Line]:
        """An action paragraph; caption and flashback lines inside it stand alone."""
        run: list[Line] = []
        for index, (number, raw) in enumerate(lines):
            text = raw.strip()
            if index == 0 and forced:
                text = text[1:].strip()
            special = None if forced else en.special_element(strip_emphasis(text), number)
            if special is None and index > 0 and not forced and (_CENTERED.match(text) or text.startswith("~")):
                self._add_action(run)
                return lines[index:]
            if special is not None:
                self._add_action(run)
                run = []
                self.builder.add(special)
            else:
                run.append((number, text))
        self._add_action(run)
        return []

    def _add_action(self, run: list[Line]) -> None:
        text = " ".join(" ".join(strip_emphasis(t) for _, t in run).split())
        if run and text:
            self.builder.add(Element(kind=ElementKind.ACTION, text=text, line=run[0][0]))
