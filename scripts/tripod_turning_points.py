"""External check of the narrative beat model on TRIPOD's 15 gold test screenplays.

    python scripts/tripod_turning_points.py --out /tmp/tripod.json                 # models/narrative-en
    python scripts/tripod_turning_points.py --model /tmp/narr_en_sqrt --limit 2    # another model folder, dry run

Each screenplay is split into scenes exactly as TRIPOD does (resonance/classifiers/turning_points.py),
read with the English plain-text reader (HTML tags stripped first, line numbers kept), and every
content line gets beat probabilities from the narrative model, as ``analyze()`` asks for them (the
screenplay is one episode: same contexts, same place features). Lines map to TRIPOD scenes by line
number. Per TP the model picks the scene maximising log prior(position) + log(scene turn / mean
turn); the prior comes from the TRAIN synopsis annotations only. Baselines: the prior alone, and
uniformly random scenes (seeded, averaged over --draws runs). Measures: TRIPOD's TA, PA, D, under
TRIPOD's protocol (top scene + neighbours) and for the single top scene. Beat probabilities are
cached per screenplay and model under --cache-dir. Table to stdout, progress to stderr.
"""
from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers import turning_points as tpm  # noqa: E402

DEFAULT_TRIPOD = ROOT.parent / "shared" / "datasets" / "tripod"
SIGNAL_RADIUS = 0.1  # the "local" AUC compares a gold scene with scenes within 10% of the screenplay


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------

def read_gold(tripod: Path) -> dict[str, dict[str, list[int]]]:
    path = tripod / "Synopses_and_annotations" / "TRIPOD_screenplays_test.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["movie_name"]: {tp: sorted(ast.literal_eval(row[tp])) for tp in tpm.TURNING_POINTS}
                for row in csv.DictReader(f)}


def read_train_prior(tripod: Path, test_movies: set[str]) -> tpm.PositionPrior:
    path = tripod / "Synopses_and_annotations" / "TRIPOD_synopses_train.csv"
    annotations = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            movie = row["movie_name"].rsplit("_", 1)[0]  # "Reservoir Dogs_1" -> "Reservoir Dogs"
            if movie in test_movies:
                raise SystemExit(f"error: train synopsis '{movie}' is a test screenplay")
            sentences = row["synopsis_segmented"].count("[STR_SENT]")
            tps = {tp: int(float(row[tp])) if row[tp].strip() else None for tp in tpm.TURNING_POINTS}
            annotations.append((movie, sentences, tps))
    return tpm.synopsis_prior(annotations)


def screenplay_path(tripod: Path, movie: str) -> Path:
    return tripod / "Screenplays_and_imdb_meta" / movie / f"{movie}_script.txt"


# --- beats, cached ---------------------------------------------------------------------------

def model_identity(folder: Path) -> dict:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return {"folder": str(folder), "name": config.get("name"), "weights_sha256": config.get("weights_sha256", "")}


def line_beats(text: str, movie: str, folder: Path, identity: dict, cache_dir: Path) -> list[dict]:
    """[{line, kind, beat}] for every content line the reader finds, computed once per model and text."""
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", movie).strip("_")
    cache = cache_dir / f"{slug}-{identity['weights_sha256'][:12]}-{key}.json"
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))["lines"]
    import torch

    from resonance.analyze import _contexts, content_elements, line_text
    from resonance.classifiers.bundle import ShippedModels
    from resonance.io import read_text

    torch.set_num_threads(1)

    class OneFolder(ShippedModels):  # the narrative model from any folder, through the shipped code path
        def folder(self, task: str, language: str) -> Path:
            return folder

    script = read_text(text, source=movie, fmt="en_text")
    texts, contexts, places, elements = [], [], [], []
    for episode in script.episodes:
        els = content_elements(episode)
        _, around = _contexts(els)
        texts += [line_text(e) for e in els]
        contexts += around
        places += [(i, len(els), e.kind) for i, e in enumerate(els)]
        elements += els
    started = time.time()
    beats = OneFolder(folder.parent).beats("en", texts, contexts, places) if texts else []
    log(f"  {movie}: {len(texts)} lines in {time.time() - started:.0f}s")
    lines = [{"line": e.line, "kind": e.kind, "beat": b} for e, b in zip(elements, beats)]
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"movie": movie, "model": identity, "lines": lines}), encoding="utf-8")
    return lines


# --- the check ---------------------------------------------------------------------------------

def evaluate(tripod: Path, folder: Path, movies: list[str] | None, limit: int | None, draws: int,
             shuffles: int, seed: int, cache_dir: Path) -> dict:
    gold_all = read_gold(tripod)
    prior = read_train_prior(tripod, set(gold_all))
    names = movies or list(gold_all)
    if limit:
        names = names[:limit]
    identity = model_identity(folder)
    log(f"model {identity['name']} ({folder}); {len(names)} screenplays")

    gold, n_scenes, segmentation, signals, line_counts = [], [], [], [], []
    for movie in names:
        raw = screenplay_path(tripod, movie).read_bytes().decode("utf-8", errors="replace")
        scenes = tpm.tripod_scenes(raw)
        stripped = tpm.strip_html(raw)
        n = len(scenes)
        top_gold = max(s for tp in tpm.TURNING_POINTS for s in gold_all[movie][tp])
        check = {"movie": movie, "headings": sum(map(tpm.is_tripod_heading, tpm.split_lines(raw))),
                 "scenes": n, "scenes_after_html_strip": len(tpm.tripod_scenes(stripped)),
                 "max_gold_index": top_gold, "gold_in_range": top_gold < n}
        if not check["gold_in_range"] or check["scenes_after_html_strip"] != n:
            raise SystemExit(f"error: segmentation check failed: {check}")
        segmentation.append(check)
        lines = line_beats(stripped, movie, folder, identity, cache_dir)
        where = [tpm.scene_of_line(scenes, item["line"]) for item in lines]
        signals.append(tpm.scene_signals(n, where, [item["beat"] for item in lines]))
        line_counts.append({"lines": len(lines), "in_scenes": sum(w is not None for w in where),
                            "empty_scenes": sum(s.lines == 0 for s in signals[-1])})
        gold.append(gold_all[movie])
        n_scenes.append(n)

    turns = [[s.turn for s in sig] for sig in signals]
    tops = {"model": [tpm.predict_turning_points(turn, prior) for turn in turns],
            "position-only": [tpm.predict_position_only(n, prior) for n in n_scenes]}
    results: dict[str, dict] = {}
    for protocol, window in (("window3", True), ("single", False)):
        rows, measured = {}, {}
        for system, picks in tops.items():
            predicted = [{tp: tpm.tripod_window(j, n) if window else [j] for tp, j in p.items()}
                         for p, n in zip(picks, n_scenes)]
            measured[system] = tpm.tripod_metrics(gold, predicted, n_scenes)
            rows[system] = {"all": measured[system].as_percent(),
                            "per_tp": {tp: tpm.tripod_metrics(gold, predicted, n_scenes, [tp]).as_percent()
                                       for tp in tpm.TURNING_POINTS}}
        control = tpm.shuffled_signal_control(turns, prior, gold, measured["model"], draws=shuffles, seed=seed,
                                              window=window)
        rows["shuffled-turn"] = {"all": control.mean.as_percent(), "p_TA": round(control.p_total_agreement, 3),
                                 "p_PA": round(control.p_partial_agreement, 3)}
        rows["random"] = {"all": tpm.random_baseline(gold, n_scenes, draws=draws, seed=seed,
                                                     window=window).as_percent()}
        results[protocol] = rows

    gold_sets = [{s for tp in tpm.TURNING_POINTS for s in g[tp]} for g in gold]
    diagnostics = {}
    named = {"turn (shrunk mean, used)": lambda s: s.turn, "turn mean": lambda s: s.turn_mean,
             "turn max": lambda s: s.turn_max, "lines in scene": lambda s: float(s.lines)}
    named.update({f"{b} mean": (lambda s, b=b: s.mean[b]) for b in tpm.SIGNAL_BEATS})
    named.update({f"{b} max": (lambda s, b=b: s.max[b]) for b in tpm.SIGNAL_BEATS})
    for name, get in named.items():
        values = [[get(s) for s in sig] for sig in signals]
        diagnostics[name] = {"auc": round(tpm.within_screenplay_auc(values, gold_sets), 3),
                             "auc_local": round(tpm.within_screenplay_auc(values, gold_sets, SIGNAL_RADIUS), 3)}

    return {
        "model": identity, "screenplays": names, "draws": draws, "shuffles": shuffles, "seed": seed,
        "prior": {"source": "TRIPOD_synopses_train.csv", "movies": prior.movies,
                  "mean": {k: round(v, 4) for k, v in prior.mean.items()},
                  "std": {k: round(v, 4) for k, v in prior.std.items()}},
        "segmentation": segmentation, "lines": line_counts, "results": results,
        "predictions": {system: [{"movie": m, "n_scenes": n, "top": p, "gold": g}
                                 for m, n, p, g in zip(names, n_scenes, picks, gold)]
                        for system, picks in tops.items()},
        "signal_auc": diagnostics,
    }


def table(report: dict) -> str:
    out = [f"TRIPOD turning points, {len(report['screenplays'])} test screenplays, model {report['model']['name']} "
           f"({report['model']['folder']}); TA, PA, D in %",
           "", "| system | TA (3-scene) | PA (3-scene) | D (3-scene) | TA (1 scene) | PA (1 scene) | D (1 scene) |",
           "|---|---|---|---|---|---|---|"]
    labels = {"model": "beat model + prior", "shuffled-turn": f"prior + shuffled turn (mean of {report['shuffles']})",
              "position-only": "position-only (prior)", "random": f"random (mean of {report['draws']})"}
    for system, label in labels.items():
        w, s = report["results"]["window3"][system]["all"], report["results"]["single"][system]["all"]
        out.append(f"| {label} | {w['TA']:.2f} | {w['PA']:.2f} | {w['D']:.2f} | {s['TA']:.2f} | {s['PA']:.2f} "
                   f"| {s['D']:.2f} |")
    w, s = report["results"]["window3"]["shuffled-turn"], report["results"]["single"]["shuffled-turn"]
    out.append(f"\nShare of shuffles reaching the model's TA / PA: 3-scene {w['p_TA']:.3f} / {w['p_PA']:.3f}; "
               f"1 scene {s['p_TA']:.3f} / {s['p_PA']:.3f}")
    out += ["", "| per TP (3-scene) | " + " | ".join(tpm.TURNING_POINTS) + " |", "|---|" + "---|" * 5]
    for system in ("model", "position-only"):
        per = report["results"]["window3"][system]["per_tp"]
        out.append(f"| {labels[system]}: PA / D | "
                   + " | ".join(f"{per[tp]['PA']:.0f} / {per[tp]['D']:.1f}" for tp in tpm.TURNING_POINTS) + " |")
    out += ["", "| scene signal | AUC gold vs other scenes | AUC vs scenes within 10% |", "|---|---|---|"]
    for name, d in report["signal_auc"].items():
        out.append(f"| {name} | {d['auc']:.3f} | {d['auc_local']:.3f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tripod", type=Path, default=DEFAULT_TRIPOD, help="the TRIPOD dataset folder")
    parser.add_argument("--model", type=Path, default=None,
                        help="a narrative model folder (config.json + model.safetensors); "
                             "default: models/narrative-en")
    parser.add_argument("--movies", nargs="*", default=None, help="test screenplay names (default: all 15)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N screenplays (dry run)")
    parser.add_argument("--draws", type=int, default=1000, help="random-baseline draws")
    parser.add_argument("--shuffles", type=int, default=200, help="shuffled-turn control draws")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/tripod_beats"))
    parser.add_argument("--out", type=Path, default=None, help="write the report as JSON here")
    args = parser.parse_args()
    folder = (args.model or ROOT / "models" / "narrative-en").resolve()
    if not (folder / "config.json").is_file():
        raise SystemExit(f"error: no narrative model at {folder} (give a model folder with --model)")
    report = evaluate(args.tripod, folder, args.movies, args.limit, args.draws, args.shuffles,
                      args.seed, args.cache_dir)
    print(table(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
