"""Small numeric helpers shared by the three dimension scorers."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from resonance.types import Evidence, LineSignals


def saturate(x: float, half: float) -> float:
    """Map x >= 0 onto [0, 1): ``half`` maps to 0.5. Keeps rates from growing without bound."""
    x = max(0.0, x)
    return x / (x + half) if half > 0 else 0.0


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def entropy(distribution: dict[str, float]) -> float:
    """Normalised Shannon entropy in [0, 1]."""
    total = sum(distribution.values())
    if total <= 0 or len(distribution) < 2:
        return 0.0
    h = -sum((p / total) * math.log(p / total) for p in distribution.values() if p > 0)
    return h / math.log(len(distribution))


def top_evidence(dimension: str, episode: int, lines: list[LineSignals],
                 weigh: Callable[[LineSignals], tuple[float, str]], k: int = 3) -> tuple[Evidence, ...]:
    """The k lines whose |contribution| is largest, strongest first; ties broken by line number."""
    scored = []
    for line in lines:
        weight, reason = weigh(line)
        if abs(weight) > 1e-6:
            scored.append(Evidence(dimension=dimension, episode=episode, line=line.element.line,
                                   text=line.element.text[:200], reason=reason, weight=round(weight, 4)))
    scored.sort(key=lambda e: (-abs(e.weight), e.line))
    return tuple(scored[:k])


def rounded(features: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in features.items()}


def weighted_score(parts: dict[str, float], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return round(100.0 * sum(parts[k] * w for k, w in weights.items()) / total, 1)
