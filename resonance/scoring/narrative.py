"""Narrative resonance: hook, cliffhanger, conflict, reversals and payoffs, pacing.

Intuition for a screenwriter: the first lines must grab (黄金三秒), the last lines must leave
a question open (卡点), and in between the episode needs opposition and turns: reversals,
revelations and payoffs at a rate of about one every 40 seconds of screen time. Rates are per
estimated minute, so a padded episode scores lower, not higher.
"""
from __future__ import annotations

from resonance.scoring.common import clip01, mean, rounded, saturate, top_evidence, weighted_score
from resonance.scoring.pacing import episode_minutes
from resonance.types import DimensionScore, EpisodeSignals, Flag, LineSignals

WEIGHTS = {"hook": 0.25, "cliffhanger": 0.30, "conflict": 0.15, "turns": 0.20, "pacing": 0.10}
OPENING_LINES = 3
ENDING_LINES = 2
WEAK_HOOK = 0.40
WEAK_CLIFFHANGER = 0.40
TURNS_PER_MINUTE_HALF = 1.0  # 1 turn a minute scores 0.5; one every 40 s about 0.6
EXPOSITION_RUN = 3
EXPOSITION_SHARE = 0.30
CONTENT_KINDS = ("dialogue", "narration", "action", "caption", "flashback")


def hook_strength(line: LineSignals) -> float:
    b = line.beat
    grab = b.get("hook", 0) + 0.8 * (b.get("conflict", 0) + b.get("reversal", 0) + b.get("revelation", 0)
                                     + b.get("cliffhanger", 0))
    return clip01(grab - 0.5 * b.get("exposition", 0))


def cliffhanger_strength(line: LineSignals) -> float:
    """How open the episode is left by one of its last lines. A threat or shock in the last
    line is a cliffhanger even when the model calls it conflict or hook (weights set on the dev
    series, see GUIDELINES.md: a threat in the last line is a cliffhanger)."""
    b = line.beat
    return clip01(b.get("cliffhanger", 0) + 0.7 * b.get("conflict", 0)
                  + 0.5 * (b.get("reversal", 0) + b.get("revelation", 0) + b.get("hook", 0))
                  - 0.5 * b.get("calm", 0))


def _turns(line: LineSignals) -> float:
    b = line.beat
    return b.get("reversal", 0) + b.get("revelation", 0) + b.get("payoff", 0)


def _top_beat(line: LineSignals) -> str:
    return max(line.beat, key=lambda k: line.beat[k])


def score_narrative(signals: EpisodeSignals) -> DimensionScore:
    lines = [s for s in signals.lines if s.element.kind in CONTENT_KINDS]
    if not lines:
        return DimensionScore("narrative", 0.0, {k: 0.0 for k in WEIGHTS})
    opening, ending = lines[:OPENING_LINES], lines[-ENDING_LINES:]
    hook = max(hook_strength(s) for s in opening)
    cliff = max(cliffhanger_strength(s) for s in ending)
    minutes = episode_minutes(lines, signals.language)
    conflict_mass = sum(s.beat.get("conflict", 0) for s in lines)
    conflict = clip01(0.5 * saturate(conflict_mass / minutes, 1.0) + 0.5 * max(s.beat.get("conflict", 0) for s in lines))
    turn_mass = sum(_turns(s) for s in lines)
    turns = saturate(turn_mass / minutes, TURNS_PER_MINUTE_HALF)
    exposition_share = mean(s.beat.get("exposition", 0) for s in lines)
    scenes = max(1, sum(1 for sc in signals.episode.scenes if sc.elements))
    lines_per_minute = len(lines) / minutes
    pacing = clip01(saturate(lines_per_minute, 8.0) * (1.0 - max(0.0, exposition_share - 0.15)))
    parts = {"hook": hook, "cliffhanger": cliff, "conflict": conflict, "turns": turns, "pacing": pacing}
    value = weighted_score(parts, WEIGHTS)

    flags = []
    if hook < WEAK_HOOK:
        flags.append(Flag("weak_hook", f"weak hook: the opening lines do not grab (hook {hook:.2f})",
                          opening[0].element.line))
    if cliff < WEAK_CLIFFHANGER:
        flags.append(Flag("no_cliffhanger", f"no cliffhanger: the episode ends without an open question "
                          f"(cliffhanger {cliff:.2f})", ending[-1].element.line))
    run, longest, start = 0, 0, None
    for s in lines:
        run = run + 1 if _top_beat(s) == "exposition" else 0
        if run > longest:
            longest, start = run, s.element.line - 0
    if longest >= EXPOSITION_RUN or exposition_share > EXPOSITION_SHARE:
        flags.append(Flag("exposition_dump", f"exposition dump: {longest} explanatory lines in a row, "
                          f"{exposition_share:.0%} of the episode explains", start))
    if max(s.beat.get("conflict", 0) for s in lines) < 0.35 and turns < 0.3:
        flags.append(Flag("no_conflict", "no conflict: nobody opposes anybody and nothing turns"))

    def weigh(s: LineSignals) -> tuple[float, str]:
        beat = _top_beat(s)
        if s in opening and hook_strength(s) == hook:
            return hook, f"opening hook ({hook:.2f})"
        if s in ending and cliffhanger_strength(s) == cliff:
            return cliff if cliff >= WEAK_CLIFFHANGER else -(1 - cliff), f"ending ({beat}, cliffhanger {cliff:.2f})"
        if beat == "exposition":
            return -0.5 * s.beat[beat], f"exposition ({s.beat[beat]:.0%})"
        if beat in ("reversal", "revelation", "payoff", "conflict", "cliffhanger"):
            return 0.6 * s.beat[beat], f"{beat} ({s.beat[beat]:.0%})"
        return 0.0, ""

    features = dict(parts, minutes=minutes, scenes=scenes, lines_per_minute=lines_per_minute,
                    turns_per_minute=turn_mass / minutes, exposition_share=exposition_share,
                    conflict_per_minute=conflict_mass / minutes)
    return DimensionScore("narrative", value, rounded(features),
                          top_evidence("narrative", signals.episode.number, lines, weigh), tuple(flags))
