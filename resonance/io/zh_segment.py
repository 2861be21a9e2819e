"""Cut Chinese script text into virtual lines, each keeping the number of its source line.

Well-formed scripts have one unit per line. Many real ones do not: paragraphs are
separated by runs of full-width spaces (U+3000) or run together on one line with
inline cues (`…走了进来。强子：拿钱！猛子：…`). This module splits at those runs, before
structural marks (第N集, 场景N, 3-2 夜, △, 【) and before every speaker cue, so the
line reader sees one unit at a time. All work is linear in the input size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from resonance.io.zh_lines import cast_line
from resonance.io.zh_names import BOUNDARY, Cue, cue_name, find_cue, quote_cues, raw_cues
from resonance.io.zh_speakers import learn_speakers

_N = "[0-9０-９一二三四五六七八九十百千零〇两]"
# full-width space runs always separate; half-width ones when three or more (flattened layout)
_SPACE_RUN = re.compile(r"\u3000+|[ \t]{3,}")
_LONE_FULLWIDTH = re.compile(r"(?<!\u3000)\u3000(?!\u3000)")
_STRUCTURE = re.compile(
    rf"【?第\s*{_N}{{1,5}}\s*[集场幕](?![的里中了时后前上下])|场景\s*{_N}{{1,3}}|\d{{1,3}}\s*[-－]\s*\d{{1,3}}\s*[日夜晨昏内外]|[△▲]|【|\[|"
    r"(?:内|外)景?\s+[^\s。，！？]{1,12}\s+[日夜晨昏]")
_BREAKS = frozenset("。！？!?；;…）)】]」』”\t \u3000")  # before a structural mark (not a colon: speech)
_SPACED_NAME = re.compile(r"(?<![^。！？!?…）)】”\s])([\u4e00-\u9fff]) ([\u4e00-\u9fff])(?=[ \u3000])")
MIN_CUES = 3  # fewer colon cues than this and the other cue conventions are tried
MIN_ALTERNATIVE_CUES = 5  # ...and one is used when it finds this many cues of two or more names
_ALTERNATIVE_MARKS = {"semicolon": "；;", "space": " \u3000（(", "dash": ("——", "－－", "--")}
_MAY_SPLIT = re.compile("[：:“△▲【\\[第场]|\\d\\s*[-－]")  # a piece without these is one line
SHORT_LINE = 80  # a lone full-width space inside a line shorter than this is a separator in a heading


@dataclass(frozen=True)
class VirtualLine:
    text: str
    line: int  # 1-based line of the source text
    fresh: bool  # begins a source line (False: split off inside one)
    after_blank: bool  # a blank source line came just before
    cue: Cue | None = None  # set when the line starts with a speaker cue
    speech: str = ""  # the text after the cue's colon

    @property
    def split(self) -> bool:
        return not self.fresh


@dataclass(frozen=True)
class _Piece:
    text: str
    line: int
    fresh: bool
    after_blank: bool


def segment(text: str) -> tuple[list[VirtualLine], set[str]]:
    """Virtual lines of ``text`` and the speaker names learned from it."""
    pieces = _pieces(text)
    cast, starts = _cast_names(pieces), _line_starts(pieces)
    colon = learn_speakers([p.text for p in pieces], text, cast, starts)
    best, mode = colon, "colon"
    if colon.cues < MIN_CUES:
        # no colon cues: try the other conventions, keep whichever finds most cues
        for alternative in ("semicolon", "space", "dash"):
            if not any(mark in text for mark in _ALTERNATIVE_MARKS[alternative]):
                continue
            trial = _collapse_spaced_names(pieces) if alternative == "space" else pieces
            found = learn_speakers([p.text for p in trial], text, cast, starts, alternative)
            if found.cues >= MIN_ALTERNATIVE_CUES and found.cues > best.cues and len(found.names) >= 2:
                best, mode, pieces = found, alternative, trial
    speakers = set(best.names) | set(colon.names)
    lines: list[VirtualLine] = []
    known: dict[str, bool] = {}
    for piece in pieces:
        lines.extend(_split_piece(piece, speakers, text, known, mode))
    return lines, speakers


def _collapse_spaced_names(pieces: list[_Piece]) -> list[_Piece]:
    """`大 伟 我看…` (names spaced out to align a radio script) -> `大伟 我看…`."""
    return [replace(p, text=_SPACED_NAME.sub(r"\1\2", p.text)) if " " in p.text else p for p in pieces]


def _pieces(text: str) -> list[_Piece]:
    pieces = []
    blank = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            blank = True
            continue
        if len(line) < SHORT_LINE:
            # 1-1　日　内　医院走廊: single full-width spaces inside a short line are not breaks
            line = _LONE_FULLWIDTH.sub(" ", line)
        first = True
        for part in _SPACE_RUN.split(line):
            part = part.strip()
            if part:
                pieces.append(_Piece(part, number, first, blank and first))
                first = False
        blank = False
    return pieces


def _cast_names(pieces: list[_Piece]) -> set[str]:
    names: set[str] = set()
    for piece in pieces:
        for match in re.finditer(r"(?:人物|角色|剧中人)(?:表|介绍)?[：:]", piece.text):
            names.update(cast_line(piece.text[match.start():match.end() + 60]) or [])
    return names


def _line_starts(pieces: list[_Piece]) -> set[str]:
    """Cue words that open a source line, in a script laid out one unit per line."""
    names = set()
    for piece in pieces:
        if not piece.fresh:
            continue
        for raw in raw_cues(piece.text[:40]):
            if raw.start == 0 and raw.bounded:
                names.add(cue_name(raw.region, raw.direction)[0])
            break
    return names


def _split_piece(piece: _Piece, speakers: set[str], whole: str, known: dict[str, bool], mode: str
                 ) -> list[VirtualLine]:
    text = piece.text
    if mode == "colon" and not _MAY_SPLIT.search(text):
        return [VirtualLine(text, piece.line, piece.fresh, piece.after_blank)]
    cuts: dict[int, Cue | None] = {}
    for match in _STRUCTURE.finditer(text):
        start = match.start()
        if start > 0 and text[start - 1] not in _BREAKS and match.group(0)[0] not in "△▲":
            continue
        cuts.setdefault(start, None)
    for raw in raw_cues(text, mode):
        cue = find_cue(text, raw, speakers)
        if cue is not None:
            cuts[cue.start] = cue
    for start, cue in list(cuts.items()):
        # 南齐云道：“且慢！……”言毕抽出: the speech is the quotation, what follows is action
        if cue is not None and cue.stop is None:
            opening = cue.end
            while opening < len(text) and text[opening] in " \u3000":
                opening += 1
            if text[opening:opening + 1] == "“":
                closing = text.find("”", opening + 1, opening + 2000)
                if closing > 0 and closing + 1 < len(text):
                    cuts[start] = replace(cue, stop=closing + 1)
                    cuts.setdefault(closing + 1, None)
    colon_ends = {c.end for c in cuts.values() if c is not None}
    for cue in quote_cues(text, speakers, whole, known):
        lead = text[cue.start:cue.end]
        colon = max(lead.rfind("："), lead.rfind(":"))
        if cue.start not in cuts and (colon < 0 or cue.start + colon + 1 not in colon_ends):
            cuts[cue.start] = cue
            cuts.setdefault(cue.stop + 1, None)  # after the closing quote
    cuts.setdefault(0, None)
    positions = sorted(cuts)
    out = []
    for index, start in enumerate(positions):
        end = positions[index + 1] if index + 1 < len(positions) else len(text)
        chunk = text[start:end].strip()
        if not chunk:
            continue
        cue = cuts[start]
        stop = end if cue is None or cue.stop is None else min(cue.stop, end)
        speech = text[cue.end:stop].strip() if cue is not None and cue.end <= end else ""
        if cue is not None and cue.end > end:
            cue = None
        out.append(VirtualLine(chunk, piece.line, piece.fresh and start == 0,
                               piece.after_blank and start == 0, cue, speech))
    return out

