"""Fit the overall rating to audience outcomes (completion, retention, ratings).

A ridge regression over the per-episode features (standardised), with its strength chosen
by inner cross-validation and its quality measured by outer cross-validated Spearman
correlation, next to two baselines: episode length alone, and the uncalibrated overall.
Saved as plain JSON (coefficients, means, scales), never as a pickle.
"""
from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

from resonance.errors import InputError
from resonance.scoring.combine import Calibration

EXCLUDED_FEATURES = ("overall",)


def read_outcomes(path: Path) -> dict[tuple[str, int], float]:
    """CSV with columns source, episode, outcome (extra columns ignored)."""
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"source", "episode", "outcome"} - set(reader.fieldnames or [])
            if missing:
                raise InputError(f"outcomes CSV lacks columns: {', '.join(sorted(missing))}", source)
            out = {}
            for n, row in enumerate(reader, 2):
                try:
                    out[(row["source"], int(row["episode"]))] = float(row["outcome"])
                except (TypeError, ValueError):
                    raise InputError("episode must be an integer and outcome a number", source, n) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source) from None
    if len(out) < 10:
        raise InputError(f"need at least 10 episodes with outcomes, got {len(out)}", source)
    return out


def fit_calibration(features: list[dict[str, float]], outcomes: list[float], *, lengths: list[float],
                    uncalibrated: list[float], folds: int = 5, random_state: int = 0) -> Calibration:
    import numpy as np
    from scipy.stats import spearmanr
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    names = sorted(k for k in features[0] if k not in EXCLUDED_FEATURES)
    x = np.array([[row.get(k, 0.0) for k in names] for row in features], dtype=float)
    y = np.array(outcomes, dtype=float)
    alphas = np.logspace(-2, 4, 25)
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas))
    cv = KFold(n_splits=folds, shuffle=True, random_state=random_state)
    predicted = cross_val_predict(model, x, y, cv=cv)
    length_pred = cross_val_predict(make_pipeline(StandardScaler(), RidgeCV(alphas=alphas)),
                                    np.array(lengths, dtype=float).reshape(-1, 1), y, cv=cv)

    def rho(a, b) -> float:
        value = spearmanr(a, b).statistic
        return round(float(value), 4) if value == value else 0.0

    model.fit(x, y)
    scaler, ridge = model[0], model[1]
    scales = {n: float(s) for n, s in zip(names, scaler.scale_)}
    metrics = {
        "spearman_cv": rho(predicted, y),
        "spearman_length_only": rho(length_pred, y),
        "spearman_uncalibrated_overall": rho(uncalibrated, y),
        "episodes": len(y),
        "folds": folds,
        "alpha": float(ridge.alpha_),
    }
    metrics["warnings"] = calibration_warnings(metrics, float(alphas[0]), float(alphas[-1]))
    fitted = model.predict(x)
    return Calibration(
        intercept=float(ridge.intercept_),
        coefficients={n: float(c) for n, c in zip(names, ridge.coef_)},
        means={n: float(m) for n, m in zip(names, scaler.mean_)},
        scales=scales, low=float(np.percentile(fitted, 2)), high=float(np.percentile(fitted, 98)),
        metrics=metrics)


def calibration_warnings(metrics: dict, lowest_alpha: float, highest_alpha: float) -> list[str]:
    """Plain-language reasons not to trust a fit: nothing learnt, or no better than length."""
    warnings = []
    if metrics["alpha"] >= highest_alpha:
        warnings.append("the ridge chose its strongest regularisation: the features carry little signal "
                        "for these outcomes and the fitted weights are close to zero")
    elif metrics["alpha"] <= lowest_alpha:
        warnings.append("the ridge chose its weakest regularisation: with this few episodes the fit may be "
                        "unstable; add outcomes before relying on it")
    if metrics["spearman_cv"] <= 0:
        warnings.append("the cross-validated Spearman is not positive: the calibrated overall does not "
                        "predict these outcomes; keep the default weights")
    elif metrics["spearman_cv"] <= max(metrics["spearman_length_only"], metrics["spearman_uncalibrated_overall"]):
        warnings.append("the calibrated overall does no better than a baseline (episode length or the "
                        "uncalibrated overall) on held-out folds")
    return warnings


def calibration_json(calibration: Calibration) -> dict:
    return {"calibration": asdict(calibration)}


def calibrate_from_reports(reports, outcomes: dict[tuple[str, int], float], **kwargs) -> Calibration:
    """Join episode reports to outcomes by (source, episode) and fit."""
    from resonance.scoring.combine import flat_features

    features, targets, lengths, uncalibrated = [], [], [], []
    for report in reports:
        for ep in report.episodes:
            key = (report.source, ep.number)
            if key not in outcomes:
                continue
            flat = flat_features(ep.dimensions)
            features.append(flat)
            targets.append(outcomes[key])
            lengths.append(flat.get("narrative.minutes", 0.0))
            uncalibrated.append(ep.scores["overall"])
    if len(targets) < 10:
        raise InputError(f"only {len(targets)} scored episodes match the outcomes (need 10)")
    return fit_calibration(features, targets, lengths=lengths, uncalibrated=uncalibrated, **kwargs)
