"""Frozen dataclasses shared by every stage: Script -> Episode -> Scene -> Element.

Parsing produces these; nothing downstream mutates them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class ElementKind:
    """Stable names of element kinds (they appear in JSON output)."""

    HEADING = "heading"
    ACTION = "action"
    DIALOGUE = "dialogue"
    PARENTHETICAL = "parenthetical"
    TRANSITION = "transition"
    NARRATION = "narration"  # 旁白, VO, OS, V.O., O.S.
    CAPTION = "caption"  # 【字幕：…】, SUPER:
    FLASHBACK = "flashback"  # 【闪回】 / 【闪回结束】 markers
    CAST = "cast"  # 人物：A、B
    NOTE = "note"  # Fountain [[notes]], centered text, lyrics
    OTHER = "other"

    ALL = (
        HEADING, ACTION, DIALOGUE, PARENTHETICAL, TRANSITION, NARRATION,
        CAPTION, FLASHBACK, CAST, NOTE, OTHER,
    )
    SPOKEN = (DIALOGUE, NARRATION)


@dataclass(frozen=True)
class Element:
    """One line-level unit of a script.

    ``direction`` keeps a stage direction such as （哽咽） / (crying) apart from
    the spoken ``text``; ``voice`` is "OS"/"VO" for off-screen or voice-over lines.
    """

    kind: str
    text: str
    line: int
    speaker: str | None = None
    direction: str | None = None
    voice: str | None = None
    dual: bool = False

    @property
    def is_spoken(self) -> bool:
        return self.kind in ElementKind.SPOKEN


@dataclass(frozen=True)
class Scene:
    heading: str | None
    line: int
    elements: tuple[Element, ...] = ()
    number: str | None = None  # "3-2" in the mainland layout
    time_of_day: str | None = None  # day, night, dawn, dusk, continuous, ...
    setting: str | None = None  # int, ext, int/ext
    location: str | None = None
    cast: tuple[str, ...] = ()


@dataclass(frozen=True)
class Episode:
    number: int
    title: str | None
    line: int
    scenes: tuple[Scene, ...] = ()

    @property
    def elements(self) -> tuple[Element, ...]:
        return tuple(e for s in self.scenes for e in s.elements)


@dataclass(frozen=True)
class Script:
    source: str
    format: str  # zh_text, zh_inline, fountain, fdx, docx, pdf, en_text, folder
    encoding: str
    language: str  # zh, en
    episodes: tuple[Episode, ...] = ()
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def elements(self) -> tuple[Element, ...]:
        return tuple(e for ep in self.episodes for e in ep.elements)
