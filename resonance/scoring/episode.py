"""EpisodeSignals -> EpisodeReport, and episode reports -> the series view."""
from __future__ import annotations

from resonance.config import Config
from resonance.report import EpisodeReport, SeriesReport
from resonance.scoring.combine import Calibration, overall, series_scores
from resonance.scoring.cultural import score_cultural
from resonance.scoring.emotional import score_emotional
from resonance.scoring.narrative import WEAK_CLIFFHANGER, score_narrative
from resonance.types import DIMENSIONS, EpisodeSignals

EVIDENCE_PER_DIMENSION = 3
WEAKEST_COUNT = 3


def score_episode(signals: EpisodeSignals, config: Config,
                  calibration: Calibration | None = None) -> EpisodeReport:
    dimensions = {
        "emotional": score_emotional(signals),
        "cultural": score_cultural(signals),
        "narrative": score_narrative(signals),
    }
    scores = {d: dimensions[d].value for d in DIMENSIONS}
    scores["overall"] = overall(dimensions, config.weights, calibration)
    flags = tuple(f for d in DIMENSIONS for f in dimensions[d].flags)
    evidence = tuple(e for d in DIMENSIONS for e in dimensions[d].evidence[:EVIDENCE_PER_DIMENSION])
    episode = signals.episode
    from resonance.preprocess import character_inventory

    characters = tuple((c.name, c.lines) for c in character_inventory(episode))
    return EpisodeReport(number=episode.number, title=episode.title, scores=scores,
                         dimensions=dimensions, flags=flags, evidence=evidence, line=episode.line,
                         characters=characters)


def series_report(episodes: list[EpisodeReport], config: Config) -> SeriesReport:
    if not episodes:
        return SeriesReport(scores={k: 0.0 for k in (*DIMENSIONS, "overall")}, arc={}, weakest=(), paywall={})
    arc = {d: [e.scores[d] for e in episodes] for d in (*DIMENSIONS, "overall")}
    ranked = sorted(episodes, key=lambda e: (e.scores["overall"], e.number))
    weakest = tuple(e.number for e in ranked[:min(WEAKEST_COUNT, max(1, len(episodes) // 3))])
    window = [e for e in episodes if config.paywall_start <= e.number <= config.paywall_end]
    cliffhangers = {str(e.number): e.dimensions["narrative"].features.get("cliffhanger", 0.0) for e in window}
    weak = [int(n) for n, v in cliffhangers.items() if v < WEAK_CLIFFHANGER]
    paywall = {
        "window": [config.paywall_start, config.paywall_end],
        "episodes_in_window": len(window),
        "cliffhangers": cliffhangers,
        "weak_endings": weak,
        "strong": bool(window) and not weak,
    }
    return SeriesReport(scores=series_scores([e.scores for e in episodes]), arc=arc,
                        weakest=weakest, paywall=paywall)
