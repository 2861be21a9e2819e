"""Assemble parsed events into the Script -> Episode -> Scene -> Element tree.

Every text reader emits the same three events (episode, scene, element); this
builder is the one place that decides how they nest, so readers stay small.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from resonance.types import Element, ElementKind, Episode, Scene


@dataclass
class _SceneDraft:
    heading: str | None
    line: int
    number: str | None = None
    time_of_day: str | None = None
    setting: str | None = None
    location: str | None = None
    cast: list[str] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)

    def freeze(self) -> Scene:
        return Scene(
            heading=self.heading, line=self.line, elements=tuple(self.elements),
            number=self.number, time_of_day=self.time_of_day, setting=self.setting,
            location=self.location, cast=tuple(self.cast),
        )


@dataclass
class _EpisodeDraft:
    number: int
    title: str | None
    line: int
    scenes: list[_SceneDraft] = field(default_factory=list)
    implicit: bool = False  # opened by content before any episode marker


class ScriptBuilder:
    """Collects events in document order and freezes them into episodes."""

    def __init__(self) -> None:
        self._episodes: list[_EpisodeDraft] = []

    # -- events -----------------------------------------------------------
    def episode(self, number: int | None, title: str | None, line: int) -> None:
        if number is None:
            number = (self._episodes[-1].number + 1) if self._episodes else 1
        if self._episodes and not any(s.elements for s in self._episodes[-1].scenes) \
                and self._episodes[-1].number == number and not self._episodes[-1].scenes:
            # a repeated marker (e.g. a title line then a header): keep the first
            return
        last = self._episodes[-1] if self._episodes else None
        if last and last.implicit and (last.number == number or not any(s.heading for s in last.scenes)):
            # text before the first marker (a title line, FADE IN:) belongs to that episode
            last.number, last.title, last.line, last.implicit = number, title or None, line, False
            return
        self._episodes.append(_EpisodeDraft(number=number, title=title or None, line=line))

    def scene(self, heading: str | None, line: int, **details: object) -> None:
        episode = self._current_episode(line)
        episode.scenes.append(_SceneDraft(heading=heading, line=line, **details))  # type: ignore[arg-type]
        if heading:
            self._current_scene(line).elements.append(
                Element(kind=ElementKind.HEADING, text=heading, line=line))

    def cast(self, names: list[str], text: str, line: int) -> None:
        scene = self._current_scene(line)
        scene.cast.extend(n for n in names if n and n not in scene.cast)
        scene.elements.append(Element(kind=ElementKind.CAST, text=text, line=line))

    def add(self, element: Element) -> None:
        if not element.text and element.kind not in (ElementKind.FLASHBACK,):
            return
        self._current_scene(element.line).elements.append(element)

    def extend_last(self, text: str) -> bool:
        """Append a continuation line to the previous spoken element."""
        episode = self._episodes[-1] if self._episodes else None
        if not episode or not episode.scenes or not episode.scenes[-1].elements:
            return False
        elements = episode.scenes[-1].elements
        last = elements[-1]
        if last.kind not in ElementKind.SPOKEN:
            return False
        joiner = "" if _is_cjk(last.text[-1:]) or _is_cjk(text[:1]) else " "
        elements[-1] = replace(last, text=f"{last.text}{joiner}{text}".strip())
        return True

    # -- result -----------------------------------------------------------
    def build(self) -> tuple[Episode, ...]:
        episodes = []
        for draft in self._episodes:
            scenes = tuple(s.freeze() for s in draft.scenes if s.elements or s.heading)
            episodes.append(Episode(number=draft.number, title=draft.title,
                                    line=draft.line, scenes=scenes))
        # drop empty leading episodes created by a title page, keep numbering
        return tuple(e for e in episodes if e.scenes) or tuple(episodes[:1])

    @property
    def element_count(self) -> int:
        return sum(len(s.elements) for e in self._episodes for s in e.scenes)

    # -- helpers ----------------------------------------------------------
    def _current_episode(self, line: int) -> _EpisodeDraft:
        if not self._episodes:
            self._episodes.append(_EpisodeDraft(number=1, title=None, line=line, implicit=True))
        return self._episodes[-1]

    def _current_scene(self, line: int) -> _SceneDraft:
        episode = self._current_episode(line)
        if not episode.scenes:
            episode.scenes.append(_SceneDraft(heading=None, line=line))
        return episode.scenes[-1]


def _is_cjk(ch: str) -> bool:
    return bool(ch) and "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch[:1] <= "\uffef"


@dataclass(frozen=True)
class Parsed:
    """What a format reader returns: episodes plus title-page facts."""

    episodes: tuple[Episode, ...]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
