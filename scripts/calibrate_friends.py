"""`resonance calibrate` on real outcomes: Friends episodes against their IMDb ratings.

    python scripts/calibrate_friends.py                      # all 236 episodes
    python scripts/calibrate_friends.py --limit 40           # the first 40 of a fixed random order
    python scripts/calibrate_friends.py --budget-minutes 25  # as many as 25 minutes of scoring allow
    RESONANCE_INT8=0 python scripts/calibrate_friends.py ... # float encoders (the docs' figures)

Results and caveats: docs/calibration.md.

Four steps, top to bottom:
1. one plain-text English script per episode from friends_tidy/friends.csv, written under
   --work (derived data from a copyrighted show: never committed). Each utterance becomes
   ``Speaker Name: line``; scene directions become action paragraphs; a change of the
   transcript's ``scene`` number becomes an ``INT./EXT.`` heading so scenes are kept.
2. the outcomes CSV (source = script path, episode = 1, outcome = IMDb rating from
   friends_info.csv), joined on (season, episode).
3. every script scored through ``resonance.pipeline.score_paths`` with the result cache on,
   so a rerun only parses and fits.
4. the calibration (``resonance.scoring.calibrate``: ridge, alpha by inner CV, outer K-fold
   Spearman beside the length-only and uncalibrated baselines), repeated over shuffles, plus a
   leave-one-season-out variant; the calibration JSON goes to --output, the figures to --results.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "friends_tidy"
TASKS = ("emotion", "narrative", "cultural")
SCENE_DIRECTIONS = "Scene Directions"
MAX_NAME_WORDS = 4  # the plain-text reader takes 1-4 capitalised words before the colon


@dataclass(frozen=True)
class EpisodeFile:
    season: int
    episode: int
    title: str
    path: Path
    rating: float | None


# ----- 1. scripts ----------------------------------------------------------------------

def speaker_name(raw: str) -> str:
    """A name the plain-English reader takes as a speaker: letters only, capitalised, 1-4 words.

    ``Gate Attendant #1`` -> ``Gate Attendant``, ``#ALL#`` -> ``ALL``, ``The A.D.`` -> ``The AD``,
    ``A Waiter in Drag`` -> ``A Waiter In Drag``; a missing speaker (276 lines) is ``Unknown``.
    """
    words = re.sub(r"[^A-Za-z \-]", "", raw.replace("&", " and ")).split()
    words = [w.strip("-") for w in words if w.strip("-")][:MAX_NAME_WORDS]
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Unknown"


def _direction(text: str) -> str:
    """``[Scene: Central Perk, ...]`` / ``(They stare.)`` -> the words, as an action paragraph."""
    text = text.strip()
    if len(text) > 1 and text[0] + text[-1] in ("[]", "()", "{}"):
        text = text[1:-1].strip()
    return text


def _heading(first_direction: str | None, scene: int) -> str:
    """A scene heading from the transcript's own ``[Scene: Place, ...]`` line when it has one."""
    match = re.match(r"^\[?\s*Scene\s*:\s*([^,.\]]+)", first_direction or "", re.IGNORECASE)
    place = match.group(1).strip() if match else f"Scene {scene}"
    place = re.sub(r"[^\w' ]", " ", place).upper()
    return f"INT./EXT. {' '.join(place.split())}"


def episode_text(title: str, rows: list[dict]) -> str:
    """The script of one episode: a title line, then one paragraph per element."""
    out = [f"Title: {title}", ""]
    scene = None
    for row in rows:
        if row["scene"] != scene:
            scene = row["scene"]
            first = row["text"] if row["speaker"] == SCENE_DIRECTIONS else None
            out += [_heading(first, int(scene)), ""]
        text = " ".join((row["text"] or "").split())
        if not text:
            continue
        if row["speaker"] == SCENE_DIRECTIONS:
            text = _direction(text)
            if text:
                out += [text, ""]
        else:
            out += [f"{speaker_name(row['speaker'])}: {text}", ""]
    return "\n".join(out)


def read_ratings(data: Path) -> dict[tuple[int, int], tuple[str, float]]:
    with open(data / "friends_info.csv", encoding="utf-8", newline="") as handle:
        return {(int(r["season"]), int(r["episode"])): (r["title"], float(r["imdb_rating"]))
                for r in csv.DictReader(handle)}


def write_scripts(data: Path, work: Path, limit: int | None) -> tuple[list[EpisodeFile], dict]:
    """One .txt per (season, episode) of friends.csv, in utterance order. Returns the files (in the
    fixed random order they are scored in) and join counts between transcripts and ratings."""
    episodes: dict[tuple[int, int], list[dict]] = {}
    with open(data / "friends.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            row["scene"], row["utterance"] = int(row["scene"]), int(row["utterance"])
            episodes.setdefault((int(row["season"]), int(row["episode"])), []).append(row)
    ratings = read_ratings(data)
    join = {"transcript_episodes": len(episodes), "rated_episodes": len(ratings),
            "joined": len(episodes.keys() & ratings.keys()),
            "transcripts_without_rating": sorted(episodes.keys() - ratings.keys()),
            "ratings_without_transcript": sorted(ratings.keys() - episodes.keys())}
    # a fixed random order over all seasons: --limit N takes its first N, so a larger limit contains
    # a smaller one, and an interrupted full run leaves a cached prefix that a limited run reuses
    keys = sorted(episodes.keys() & ratings.keys())
    random.Random(0).shuffle(keys)
    keys = keys[:limit] if limit else keys
    work.mkdir(parents=True, exist_ok=True)
    files = []
    for season, number in keys:
        title, rating = ratings[(season, number)]
        rows = sorted(episodes[(season, number)], key=lambda r: (r["scene"], r["utterance"]))
        path = (work / f"friends_s{season:02d}e{number:02d}.txt").resolve()
        text = episode_text(f"Friends S{season:02d}E{number:02d} {title}", rows)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # unchanged files keep their mtime
            path.write_text(text, encoding="utf-8")
        files.append(EpisodeFile(season, number, title, path, rating))
    return files, join


# ----- 2. outcomes ---------------------------------------------------------------------

def write_outcomes(files: list[EpisodeFile], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source", "episode", "outcome", "season", "number", "title"])
        for f in files:
            writer.writerow([str(f.path), 1, f.rating, f.season, f.episode, f.title])


# ----- 3. scoring ----------------------------------------------------------------------

def wait_for_models(models_dir: Path, wait_minutes: float) -> None:
    deadline = time.monotonic() + wait_minutes * 60
    waited = False
    while True:
        missing = [t for t in TASKS if not (models_dir / f"{t}-en" / "model.safetensors").is_file()]
        if not missing:
            if waited:  # a folder that just appeared may still be being written
                time.sleep(60)
            return
        waited = True
        if time.monotonic() > deadline:
            sys.exit(f"error: no model folder for {', '.join(missing)} in {models_dir} "
                     f"(waited {wait_minutes:g} min)")
        print(f"waiting for models: {', '.join(missing)} missing in {models_dir}", file=sys.stderr)
        time.sleep(60)


def score_all(files: list[EpisodeFile], config, budget_minutes: float | None = None):
    """Score the files in order through the pipeline (result cache on). With a budget, stop
    starting new files once it is spent: the fit then uses the episodes scored so far."""
    from resonance.pipeline import score_paths
    from resonance.report import Report

    start = time.perf_counter()
    scripts, errors = [], []
    for done, f in enumerate(files, 1):
        if budget_minutes and time.perf_counter() - start > budget_minutes * 60:
            print(f"  time budget of {budget_minutes:g} min spent: {done - 1} of {len(files)} scored",
                  file=sys.stderr)
            break
        report = score_paths([f.path], config=config, use_cache=True)
        scripts += report.scripts
        errors += report.errors
        if done % 10 == 0 or done == len(files):
            print(f"  scored {done}/{len(files)} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return Report(scripts=tuple(scripts), errors=tuple(errors)), time.perf_counter() - start


# ----- 4. fitting ----------------------------------------------------------------------

def episode_rows(report, files: list[EpisodeFile]) -> list[dict]:
    """One row per scored episode: its flat features, overall, length, rating and season."""
    from resonance.scoring.combine import flat_features

    by_source = {str(f.path): f for f in files}
    rows = []
    for script in report.scripts:
        info = by_source.get(script.source)
        if info is None or not script.episodes:
            continue
        if len(script.episodes) != 1:
            print(f"warning: {script.source} was read as {len(script.episodes)} episodes", file=sys.stderr)
        ep = next((e for e in script.episodes if e.number == 1), None)
        if ep is None:
            continue
        flat = flat_features(ep.dimensions)
        rows.append({"features": flat, "overall": ep.scores["overall"], "length": flat.get("narrative.minutes", 0.0),
                     "rating": info.rating, "season": info.season, "episode": info.episode})
    return rows


def season_cv(rows: list[dict]) -> dict:
    """Leave one season out: the same model as fit_calibration (standardise + RidgeCV over the
    same alphas), but folds are whole seasons, so a season's shared style cannot leak."""
    import numpy as np
    from scipy.stats import spearmanr
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from resonance.scoring.calibrate import EXCLUDED_FEATURES

    names = sorted(k for k in rows[0]["features"] if k not in EXCLUDED_FEATURES)
    x = np.array([[r["features"].get(k, 0.0) for k in names] for r in rows])
    y = np.array([r["rating"] for r in rows])
    seasons = np.array([r["season"] for r in rows])
    lengths = np.array([[r["length"]] for r in rows])
    if len(set(seasons)) < 3:
        return {}
    alphas = np.logspace(-2, 4, 25)
    cv = LeaveOneGroupOut()
    calibrated = cross_val_predict(make_pipeline(StandardScaler(), RidgeCV(alphas=alphas)), x, y, cv=cv, groups=seasons)
    length = cross_val_predict(make_pipeline(StandardScaler(), RidgeCV(alphas=alphas)), lengths, y, cv=cv,
                               groups=seasons)
    overall = np.array([r["overall"] for r in rows])

    def rho(a, b) -> float:
        value = spearmanr(a, b).statistic
        return round(float(value), 4) if value == value else 0.0

    def within(pred) -> float:
        """Mean Spearman inside each season: does it rank a season's episodes, not the seasons?"""
        values = [rho(pred[seasons == s], y[seasons == s]) for s in sorted(set(seasons))
                  if (seasons == s).sum() >= 5]
        return round(statistics.fmean(values), 4) if values else None

    return {"folds": int(len(set(seasons))),
            "spearman_calibrated": rho(calibrated, y), "spearman_length_only": rho(length, y),
            "spearman_uncalibrated_overall": rho(overall, y),
            "within_season_spearman_calibrated": within(calibrated),
            "within_season_spearman_length_only": within(length),
            "within_season_spearman_uncalibrated_overall": within(overall)}


def univariate(rows: list[dict], top: int = 8) -> list[dict]:
    """Spearman of each single feature with the rating (in-sample; for reading, not for claims)."""
    from scipy.stats import spearmanr

    y = [r["rating"] for r in rows]
    out = []
    for name in sorted(rows[0]["features"]):
        values = [r["features"].get(name, 0.0) for r in rows]
        if len(set(values)) > 1:
            out.append({"feature": name, "spearman": round(float(spearmanr(values, y).statistic), 4)})
    return sorted(out, key=lambda d: -abs(d["spearman"]))[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the friends_tidy folder")
    parser.add_argument("--work", type=Path, default=Path("/tmp/friends_scripts"),
                        help="where the derived scripts and outcomes.csv go (never commit them)")
    parser.add_argument("--output", type=Path, default=None,
                        help="calibration JSON (default: WORK/friends-calibration.json)")
    parser.add_argument("--results", type=Path, default=None, help="results JSON (default: WORK/results.json)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N episodes of a fixed random order")
    parser.add_argument("--budget-minutes", type=float, default=None,
                        help="stop scoring new episodes after this long and fit on those scored")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="K-fold shuffles to report the spread over")
    parser.add_argument("--models-dir", type=Path, default=None, help="folder of model folders (default: shipped)")
    parser.add_argument("--wait-minutes", type=float, default=0.0,
                        help="poll this long for missing English model folders before giving up")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--file-timeout", type=float, default=0.0, help="per-script limit in s (0 = none)")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from resonance.classifiers.bundle import default_models_dir
    from resonance.config import load_config
    from resonance.scoring.calibrate import calibrate_from_reports, calibration_json, fit_calibration, read_outcomes

    work = args.work
    output = args.output or work / "friends-calibration.json"
    results_path = args.results or work / "results.json"
    timings = {}

    start = time.perf_counter()
    files, join = write_scripts(args.data, work, args.limit)
    outcomes_csv = work / "outcomes.csv"
    write_outcomes(files, outcomes_csv)
    timings["write_s"] = round(time.perf_counter() - start, 1)
    print(f"{join['joined']} of {join['transcript_episodes']} transcript episodes joined to "
          f"{join['rated_episodes']} IMDb ratings on (season, episode); {len(files)} scripts in {work}",
          file=sys.stderr)

    models_dir = args.models_dir or default_models_dir()
    wait_for_models(models_dir, args.wait_minutes)
    import torch

    torch.set_num_threads(args.threads)
    config = load_config().with_overrides(models_dir=str(models_dir), file_timeout_s=args.file_timeout)
    report, timings["score_s"] = score_all(files, config, args.budget_minutes)
    timings["score_s"] = round(timings["score_s"], 1)
    for error in report.errors:
        print(f"error: {error['source']}: {error['message']}", file=sys.stderr)
    scored = {s.source for s in report.scripts}
    if len(scored) < len(files):  # for `resonance calibrate` on just what is cached
        write_outcomes([f for f in files if str(f.path) in scored], work / "outcomes-scored.csv")

    start = time.perf_counter()
    table = read_outcomes(outcomes_csv)
    calibration = calibrate_from_reports(report.scripts, table, folds=args.folds)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(calibration_json(calibration), indent=2) + "\n", encoding="utf-8")
    rows = episode_rows(report, files)
    features, ratings = [r["features"] for r in rows], [r["rating"] for r in rows]
    lengths, overall = [r["length"] for r in rows], [r["overall"] for r in rows]
    shuffles = [fit_calibration(features, ratings, lengths=lengths, uncalibrated=overall, folds=args.folds,
                                random_state=seed).metrics for seed in range(args.repeats)]
    seasons = season_cv(rows)
    timings["fit_s"] = round(time.perf_counter() - start, 1)

    versions = [dict(v) for v in sorted({tuple(sorted(s.models.items())) for s in report.scripts})]
    if len(versions) > 1:
        print(f"warning: the episodes were scored by {len(versions)} different model sets", file=sys.stderr)
    m = calibration.metrics
    spread = {k: {"mean": round(statistics.fmean(s[k] for s in shuffles), 4),
                  "sd": round(statistics.pstdev(s[k] for s in shuffles), 4)}
              for k in ("spearman_cv", "spearman_length_only")}
    top = sorted(calibration.coefficients.items(), key=lambda kv: -abs(kv[1]))[:8]
    results = {
        "episodes_in_outcomes": len(files), "episodes_scored": len(report.scripts), "errors": list(report.errors), "join": join,
        "models": versions,
        "kfold": m, "kfold_repeats": {"seeds": args.repeats, **spread},
        "leave_one_season_out": seasons,
        "top_coefficients": [{"feature": k, "coefficient": round(v, 4)} for k, v in top],
        "top_univariate_spearman": univariate(rows),
        "rating": {"mean": round(statistics.fmean(ratings), 3), "sd": round(statistics.pstdev(ratings), 3)},
        "timings": timings, "calibration_file": str(output), "outcomes_csv": str(outcomes_csv),
    }
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2, default=list) + "\n", encoding="utf-8")

    print(f"{m['episodes']} episodes, {m['folds']}-fold CV Spearman vs IMDb rating (alpha {m['alpha']:.3g}):")
    print(f"  calibrated             {m['spearman_cv']:+.3f}  (over {args.repeats} shuffles: "
          f"{spread['spearman_cv']['mean']:+.3f} ± {spread['spearman_cv']['sd']:.3f})")
    print(f"  length only            {m['spearman_length_only']:+.3f}  (over {args.repeats} shuffles: "
          f"{spread['spearman_length_only']['mean']:+.3f} ± {spread['spearman_length_only']['sd']:.3f})")
    print(f"  uncalibrated overall   {m['spearman_uncalibrated_overall']:+.3f}")
    if seasons:
        print(f"leave one season out ({seasons['folds']} folds): calibrated {seasons['spearman_calibrated']:+.3f}, "
              f"length only {seasons['spearman_length_only']:+.3f}, uncalibrated "
              f"{seasons['spearman_uncalibrated_overall']:+.3f}")
        within = {k: seasons[f"within_season_spearman_{k}"] for k in ("calibrated", "length_only",
                                                                        "uncalibrated_overall")}
        if None not in within.values():
            print("  mean Spearman within a season: " + ", ".join(f"{k} {v:+.3f}" for k, v in within.items()))
    print("top coefficients (standardised): " + ", ".join(f"{k} {v:+.3f}" for k, v in top[:5]))
    print(f"timings: {timings}; calibration -> {output}; results -> {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
