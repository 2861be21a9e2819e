"""Numeric features of a line's place in its episode, shared by training and inference.

The beat of a line depends on where it sits (a hook opens, a cliffhanger closes) and on what
kind of line it is (a narrator explains, a caption announces); the text alone cannot say that.
"""
from __future__ import annotations

BEAT_FEATURES = ("position", "opening", "ending", "last", "narration", "caption", "action")
CULTURAL_FEATURES = ("narration", "caption", "action", "dialogue")
OPENING_LINES = 3
ENDING_LINES = 2


def beat_features(index: int, count: int, kind: str) -> tuple[float, ...]:
    position = index / max(1, count - 1)
    return (position, float(index < OPENING_LINES), float(index >= count - ENDING_LINES),
            float(index == count - 1), float(kind == "narration"), float(kind == "caption"),
            float(kind == "action"))


def cultural_features(kind: str) -> tuple[float, ...]:
    return tuple(float(kind == k) for k in CULTURAL_FEATURES)
