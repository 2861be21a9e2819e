"""Overall rating and the series view.

overall = weighted mean of the three dimensions (weights from config, default
emotional 0.35, cultural 0.25, narrative 0.40), or, when a calibration file is given, a linear
model over the episode features fitted to audience outcomes by `resonance calibrate`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from resonance.scoring.common import mean
from resonance.types import DIMENSIONS, DimensionScore


@dataclass(frozen=True)
class Calibration:
    """A linear model over named features, fitted by `resonance calibrate` (JSON, no pickle)."""

    intercept: float
    coefficients: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    target: str = "outcome"
    # outcome -> 0-100: (prediction - low) / (high - low)
    low: float = 0.0
    high: float = 1.0
    metrics: dict[str, float] = field(default_factory=dict)

    def predict(self, features: dict[str, float]) -> float:
        z = self.intercept
        for name, coef in self.coefficients.items():
            scale = self.scales.get(name) or 1.0
            z += coef * (features.get(name, 0.0) - self.means.get(name, 0.0)) / scale
        return z

    def to_score(self, features: dict[str, float]) -> float:
        span = (self.high - self.low) or 1.0
        return round(max(0.0, min(100.0, 100.0 * (self.predict(features) - self.low) / span)), 1)


def flat_features(dimensions: dict[str, DimensionScore]) -> dict[str, float]:
    """All features of an episode as one flat dict: 'narrative.hook', 'emotional', ..."""
    out: dict[str, float] = {}
    for name, dim in dimensions.items():
        out[name] = dim.value
        for key, value in dim.features.items():
            out[f"{name}.{key}"] = float(value)
    return out


def overall(dimensions: dict[str, DimensionScore], weights: dict[str, float],
            calibration: Calibration | None = None) -> float:
    if calibration is not None:
        return calibration.to_score(flat_features(dimensions))
    total = sum(weights.get(d, 0.0) for d in DIMENSIONS) or 1.0
    return round(sum(dimensions[d].value * weights.get(d, 0.0) for d in DIMENSIONS) / total, 1)


def series_scores(episode_scores: list[dict[str, float]]) -> dict[str, float]:
    keys = (*DIMENSIONS, "overall")
    return {k: round(mean(s[k] for s in episode_scores), 1) for k in keys}
