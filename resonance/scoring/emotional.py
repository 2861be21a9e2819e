"""Emotional resonance: intensity and peaks, movement, variety, relatable stakes.

Intuition for a screenwriter: an episode resonates when its feelings are strong somewhere
(a peak), change as it goes (a slap after a smile), are not one note, and attach to stakes a
viewer lives with (family, money, illness, work, dignity, love). Every part is a mean or a
rate, so padding an episode with more lines of the same does not raise it.
"""
from __future__ import annotations

from resonance.scoring.common import (
    clip01, entropy, mean, rounded, saturate, top_evidence, weighted_score)
from resonance.types import DimensionScore, EpisodeSignals, Flag, LineSignals

WEIGHTS = {"intensity": 0.30, "peak": 0.15, "movement": 0.25, "variety": 0.10, "stakes": 0.20}
FLAT_THRESHOLD = 35.0


def _emotive(line: LineSignals) -> float:
    return 1.0 - line.emotion.get("neutral", 0.0)


def score_emotional(signals: EpisodeSignals) -> DimensionScore:
    lines = [s for s in signals.lines if s.element.kind in ("dialogue", "narration", "action", "caption")]
    spoken = [s for s in lines if s.element.is_spoken] or lines
    if not lines:
        return DimensionScore("emotional", 0.0, {k: 0.0 for k in WEIGHTS})
    emotive = sorted((_emotive(s) * (0.5 + 0.5 * s.arousal) for s in lines), reverse=True)
    top = emotive[: max(1, len(emotive) // 4)]
    intensity = mean(top)
    peak = emotive[0]
    shifts = [abs(b.valence - a.valence) for a, b in zip(spoken, spoken[1:])]
    contrast = (max(s.valence for s in spoken) - min(s.valence for s in spoken)) / 2.0
    movement = clip01(0.5 * saturate(mean(shifts), 0.25) + 0.5 * contrast)
    totals: dict[str, float] = {}
    for s in lines:
        for label, p in s.emotion.items():
            if label != "neutral":
                totals[label] = totals.get(label, 0.0) + p
    variety = entropy(totals)
    stakes_lines = sum(1 for s in lines if s.stakes)
    stake_kinds = len({k for s in lines for k in s.stakes})
    stakes = clip01(0.6 * saturate(stakes_lines / len(lines), 0.08) + 0.4 * min(stake_kinds, 3) / 3)
    parts = {"intensity": intensity, "peak": peak, "movement": movement, "variety": variety, "stakes": stakes}
    value = weighted_score(parts, WEIGHTS)

    def weigh(s: LineSignals) -> tuple[float, str]:
        label = max((k for k in s.emotion if k != "neutral"), key=lambda k: s.emotion[k], default="neutral")
        strength = _emotive(s) * (0.5 + 0.5 * s.arousal)
        reason = f"{label} {s.emotion.get(label, 0):.0%}, arousal {s.arousal:+.2f}"
        if s.stakes:
            reason += f"; stakes: {', '.join(s.stakes)}"
        return strength + 0.2 * bool(s.stakes), reason

    flags = []
    if value < FLAT_THRESHOLD:
        flags.append(Flag("flat_emotion",
                          f"flat emotion: few strong or changing feelings (emotional {value:.0f}/100)"))
    features = dict(parts, emotive_share=mean(_emotive(s) for s in lines), shifts=mean(shifts))
    return DimensionScore("emotional", value, rounded(features),
                          top_evidence("emotional", signals.episode.number, lines, weigh), tuple(flags))
