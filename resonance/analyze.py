"""Script -> per-line model signals (EpisodeSignals), batched across the whole script.

This is the one stage that calls the classifiers. It only needs an object with the
methods of :class:`Models`, so tests can pass small stand-ins and the pipeline passes the
shipped models.
"""
from __future__ import annotations

from typing import Protocol

from resonance.stakes import find_stakes
from resonance.types import (
    CulturalMention, Element, ElementKind, Episode, EpisodeSignals, LineSignals, Script)

CONTENT_KINDS = (ElementKind.DIALOGUE, ElementKind.NARRATION, ElementKind.ACTION,
                 ElementKind.CAPTION, ElementKind.FLASHBACK)
CONTEXT_TURNS = 2
Context = tuple[str, ...]
LinePlace = tuple[int, int, str]  # index in the episode's content lines, their count, element kind
# per line, from one pass of the narrative model: beat probabilities, P(the line carries culture),
# and whether that is sure enough to count the line as cultural
LineNarrative = tuple[dict[str, float], float, bool]


class Models(Protocol):
    def versions_for(self, language: str) -> dict[str, str]: ...

    def emotion(self, language: str, texts: list[str], contexts: list[Context],
                scenes: list[int]) -> list[dict[str, float]]:
        """Label probabilities per line; ``scenes[i]`` numbers the scene of line i (through the
        script: lines of one scene share it), for a model that reads a whole scene at once."""

    def valence_arousal(self, language: str, emotion: dict[str, float]) -> tuple[float, float]: ...

    def narrative(self, language: str, texts: list[str], contexts: list[Context],
                  places: list[LinePlace]) -> list[LineNarrative]: ...

    def mentions(self, language: str, text: str) -> tuple[CulturalMention, ...]: ...

    def integration(self, language: str, texts: list[str], contexts: list[Context],
                    kinds: list[str]) -> list[tuple[dict[str, float], float]]: ...


def line_text(element: Element) -> str:
    """The text a model sees for a line: the speaker and stage direction are context, too."""
    if element.speaker:
        direction = f"（{element.direction}）" if element.direction else ""
        return f"{element.speaker}{direction}: {element.text}"
    return element.text


def content_elements(episode: Episode) -> list[Element]:
    return [e for e in episode.elements if e.kind in CONTENT_KINDS and e.text.strip()]


def scene_numbers(episode: Episode) -> list[int]:
    """For each of ``content_elements(episode)``, the number of its scene in the episode: a scene
    heading starts the next one (lines before the first heading are scene 0)."""
    scene, numbers = 0, []
    for element in episode.elements:
        if element.kind == ElementKind.HEADING:
            scene += 1
        elif element.kind in CONTENT_KINDS and element.text.strip():
            numbers.append(scene)
    return numbers


def _contexts(elements: list[Element]) -> tuple[list[Context], list[Context]]:
    """Preceding turns (for emotion) and surrounding lines (for beats) of each element."""
    before, around = [], []
    for i, _ in enumerate(elements):
        prev = elements[max(0, i - CONTEXT_TURNS):i]
        nxt = elements[i + 1:i + 2]
        before.append(tuple(line_text(e) for e in prev))
        around.append(tuple(line_text(e) for e in (*prev, *nxt)))
    return before, around


def _token_counts(texts: list[str], language: str) -> tuple[list[int], list[int]]:
    """spaCy preprocessing: words (non-punctuation tokens) and sentences per line."""
    if not texts:
        return [], []
    from resonance.preprocess import tokenize

    docs = tokenize(texts, language)
    words = [sum(1 for t in doc if not (t.is_punct or t.is_space)) for doc in docs]
    sentences = [max(1, sum(1 for _ in doc.sents)) for doc in docs]
    return words, sentences


def analyze(script: Script, models: Models) -> list[EpisodeSignals]:
    """Run every classifier once over all lines of the script, then regroup by episode."""
    language = script.language
    per_episode = [content_elements(ep) for ep in script.episodes]
    flat = [e for els in per_episode for e in els]
    texts = [line_text(e) for e in flat]
    emotion_ctx, beat_ctx, positions, places, scenes = [], [], [], [], []
    for episode, els in zip(script.episodes, per_episode):
        first = scenes[-1] + 1 if scenes else 0  # scenes numbered through the script
        scenes += [first + n for n in scene_numbers(episode)]
        before, around = _contexts(els)
        emotion_ctx += before
        beat_ctx += around
        positions += [i / max(1, len(els) - 1) for i in range(len(els))]
        places += [(i, len(els), e.kind) for i, e in enumerate(els)]

    words, sentences = _token_counts([e.text for e in flat], language)
    emotions = models.emotion(language, texts, emotion_ctx, scenes) if flat else []
    narrative = models.narrative(language, texts, beat_ctx, places) if flat else []
    mentions = [models.mentions(language, e.text) for e in flat]
    cultural_idx = [i for i, m in enumerate(mentions) if m or narrative[i][2]]
    integration = models.integration(language, [texts[i] for i in cultural_idx],
                                     [emotion_ctx[i] for i in cultural_idx],
                                     [flat[i].kind for i in cultural_idx]) if cultural_idx else []
    integration_by_idx = dict(zip(cultural_idx, integration))

    out, cursor = [], 0
    for episode, els in zip(script.episodes, per_episode):
        lines = []
        for element in els:
            i = cursor
            cursor += 1
            valence, arousal = models.valence_arousal(language, emotions[i])
            integ = integration_by_idx.get(i)
            beat, culture, culture_detected = narrative[i]
            lines.append(LineSignals(
                element=element, position=positions[i], emotion=emotions[i], valence=valence,
                arousal=arousal, beat=beat, mentions=mentions[i], culture=culture,
                culture_detected=culture_detected,
                integration=integ[0] if integ else None, bridge=integ[1] if integ else None,
                stakes=find_stakes(element.text, language), words=words[i], sentences=sentences[i]))
        out.append(EpisodeSignals(episode=episode, language=language, lines=tuple(lines)))
    return out
