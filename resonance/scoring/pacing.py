"""Screen-time estimate for an episode, so that rates are per minute, not per line."""
from __future__ import annotations

from resonance.types import Element, LineSignals

# Speech rates of dubbed drama: ~4.5 Chinese characters or ~2.6 English words a second;
# an action line takes about 2.5 s of screen time, a caption about 2 s.
ZH_CHARS_PER_S = 4.5
EN_WORDS_PER_S = 2.6
ACTION_S = 2.5
CAPTION_S = 2.0


def element_seconds(element: Element, language: str, words: int | None = None) -> float:
    """Screen seconds of one element; ``words`` is spaCy's count of words for English lines."""
    if element.kind in ("dialogue", "narration"):
        if language == "zh":
            return max(1.0, len(element.text) / ZH_CHARS_PER_S)
        return max(1.0, (words if words else len(element.text.split())) / EN_WORDS_PER_S)
    if element.kind == "action":
        return ACTION_S
    if element.kind in ("caption", "flashback", "transition"):
        return CAPTION_S
    return 0.0


def episode_minutes(lines: list[LineSignals], language: str) -> float:
    return max(0.25, sum(element_seconds(s.element, language, s.words) for s in lines) / 60.0)
