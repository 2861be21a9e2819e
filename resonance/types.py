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


# --- what the classifiers say about each line -----------------------------------

EMOTIONS = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
BEATS = ("hook", "conflict", "reversal", "revelation", "payoff", "cliffhanger", "calm",
         "exposition", "none")
INTEGRATIONS = ("embodied", "expository", "decorative")
DIMENSIONS = ("emotional", "cultural", "narrative")


@dataclass(frozen=True)
class CulturalMention:
    text: str
    term: str
    type: str
    specific: bool


@dataclass(frozen=True)
class LineSignals:
    """Model outputs for one element; probabilities are keyed by label name."""

    element: Element
    position: float  # 0.0 = first content line of the episode, 1.0 = last
    emotion: dict[str, float]
    valence: float
    arousal: float
    beat: dict[str, float]
    mentions: tuple[CulturalMention, ...] = ()
    culture: float = 0.0  # P(the line carries cultural content), the narrative model's culture head
    culture_detected: bool = False  # that head is sure enough (its dev-chosen threshold)
    integration: dict[str, float] | None = None  # only where the line carries culture
    bridge: float | None = None
    stakes: tuple[str, ...] = ()  # real-life stakes named in the line (family, money, ...)
    words: int = 0  # spaCy tokens that are not punctuation (jieba words for Chinese)
    sentences: int = 1

    @property
    def cultural(self) -> bool:
        """The line carries culture: the lexicon names a term or the culture head found some."""
        return bool(self.mentions) or self.culture_detected


@dataclass(frozen=True)
class EpisodeSignals:
    episode: Episode
    language: str
    lines: tuple[LineSignals, ...]


# --- scores -------------------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    dimension: str
    episode: int
    line: int
    text: str
    reason: str
    weight: float  # signed contribution, for ordering


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    value: float  # 0-100
    features: dict[str, float]
    evidence: tuple[Evidence, ...] = ()
    flags: tuple[Flag, ...] = ()
