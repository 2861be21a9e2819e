"""Benchmark `resonance score` on realistic series built from real scripts; prints a table.

    python scripts/bench.py                        # the Chinese and the English series
    python scripts/bench.py --series zh --precision int8   # every encoder int8 (default: auto)
    python scripts/bench.py --accuracy --write     # int8 vs float F1 per model; records int8.json
    python scripts/bench.py --json bench.json      # also write the figures as JSON

Inputs (written to a temp folder, never to the repo):
- zh: a 100-episode series assembled from the scripts of ../shared/datasets/chinese_shortscript/utf8,
  about 800 characters an episode, in the mainland layout (`第N集` then one line per sentence);
- en: a 60-episode series from the TRIPOD screenplays (HTML tags stripped), about 2,500
  characters an episode, each opened by an `EPISODE N` header.

Measures, per series:
- cold: the CLI as a subprocess, --no-cache, then again with a fresh, empty cache folder
  (RESONANCE_CACHE_DIR); wall time and peak RSS (os.wait4's rusage of that child);
- warm: the unchanged series again with that cache (all hits), and whether torch, transformers or
  spaCy were imported (the child prints sys.modules at exit);
- one episode changed: a line appended to one episode, same cache (one miss: the later episodes
  move down a line in the file, but their cache keys ignore file line numbers): in a new process,
  inside `score --watch`, and in a new `score` process while `resonance serve` runs (the client
  hands the work to the server; which heavy modules the client imported is printed);
- per classifier, in this process (each side the best of two passes): lines/s inside the pipeline (analyze() -> models.emotion/narrative/
  integration, tokenising, batching and post-processing included) against the same model's bare
  forward pass over the same batches (the pipeline's overhead), and against a naive baseline:
  the same model (float, as shipped) called one line at a time through a transformers ``Pipeline``
  (the issue's baseline: a small ``Pipeline`` subclass whose preprocess/_forward/postprocess wrap
  the model, since these models read a context pair and extra features that no stock task
  pipeline feeds; for a fused model it wraps the transformer half), and, for reference, one line
  at a time through ``predict_proba``, in float and, where the pipeline runs it in int8, in int8.

There are no assertions: timings depend on the machine and its load (printed with the table).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("RESONANCE_DATASETS") or ROOT.parent / "shared" / "datasets")
sys.path.insert(0, str(ROOT))
# the same OpenMP setting the pipeline makes before torch loads (resonance/classifiers/bundle.py)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ACCURACY_TASKS = ("emotion:en", "narrative:en", "cultural:en", "emotion:zh", "narrative:zh", "cultural:zh")
TARGETS = {"cold_s": 20.0, "cold_rss_mb": 1536.0, "warm_s": 1.5, "changed_s": 3.0, "overhead": 1.3,
           "naive_speedup": 5.0}
# The CLI, plus one line on stderr at exit: which heavy modules this run imported.
CLI = ("import atexit, json, sys\n"
       "atexit.register(lambda: print('BENCH_MODULES ' + json.dumps({m: m in sys.modules for m in "
       "('torch', 'transformers', 'spacy')}), file=sys.stderr))\n"
       "from resonance.cli import app\n"
       "sys.argv = ['resonance', *sys.argv[1:]]\n"
       "app()\n")


# ----- inputs ---------------------------------------------------------------------------------
_ZH_SENTENCE = re.compile(r"(?<=[。！？!?…])(?![。！？!?…”’」』）)])")
_TAG = re.compile(r"<[^>]*>")


def zh_sentences(text: str) -> list[str]:
    """The corpus files run lines together: one sentence (with its closing quote) per line."""
    return [s for s in _ZH_SENTENCE.split(re.sub(r"\s+", "", text)) if s]


def _take_episodes(pieces, episodes: int, chars: int) -> list[list[str]]:
    """``episodes`` runs of consecutive pieces (sentences, paragraphs), each at least ``chars`` long."""
    out = []
    for _ in range(episodes):
        chunk, size = [], 0
        while size < chars:
            chunk.append(next(pieces))
            size += len(chunk[-1])
        out.append(chunk)
    return out


def build_zh_series(folder: Path, episodes: int = 100, chars: int = 800) -> Path:
    files = sorted((DATASETS / "chinese_shortscript" / "utf8").rglob("*.txt"))
    if not files:
        raise SystemExit(f"no Chinese scripts under {DATASETS / 'chinese_shortscript' / 'utf8'}")
    sentences = (s for f in files for s in zh_sentences(f.read_text(encoding="utf-8", errors="replace")))
    parts = [f"第{number}集\n" + "\n".join(lines)
             for number, lines in enumerate(_take_episodes(sentences, episodes, chars), 1)]
    path = folder / f"zh_series_{episodes}.txt"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def en_paragraphs(text: str) -> list[str]:
    text = html.unescape(_TAG.sub("", text)).replace("\r", "")
    paragraphs = re.split(r"\n\s*\n", "\n".join(line.strip() for line in text.split("\n")))
    return [p.strip() for p in paragraphs if p.strip()]


def build_en_series(folder: Path, episodes: int = 60, chars: int = 2500) -> Path:
    files = sorted((DATASETS / "tripod" / "Screenplays_and_imdb_meta").glob("*/*_script.txt"))
    if not files:
        raise SystemExit(f"no TRIPOD screenplays under {DATASETS / 'tripod'}")
    # skip each screenplay's title page (its first 20 paragraphs)
    paragraphs = (p for f in files for p in en_paragraphs(f.read_text(encoding="utf-8", errors="replace"))[20:])
    parts = [f"EPISODE {number}\n\n" + "\n\n".join(chunk)
             for number, chunk in enumerate(_take_episodes(paragraphs, episodes, chars), 1)]
    path = folder / f"en_series_{episodes}.txt"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def with_one_episode_changed(series: Path, lang: str, episode: int, out: Path) -> Path:
    """The series with one line appended to one episode (every other episode unchanged)."""
    text = series.read_text(encoding="utf-8")
    header = f"\n\n第{episode + 1}集\n" if lang == "zh" else f"\n\nEPISODE {episode + 1}\n"
    added = "\n林晚：这一次，我不会再低头。" if lang == "zh" else "\n\nMARY\nThis time I won't look away."
    at = text.index(header)
    out.write_text(text[:at] + added + text[at:], encoding="utf-8")
    return out


# ----- the CLI as a subprocess -----------------------------------------------------------------
def run_cli(args: list[str], env: dict, log: Path) -> dict:
    """Wall time, peak RSS and heavy modules of one `resonance ...` run."""
    with open(log, "w", encoding="utf-8") as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CLI, *args], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = log.read_text(encoding="utf-8", errors="replace")
    modules = next((json.loads(line.split(" ", 1)[1]) for line in stderr.splitlines()
                    if line.startswith("BENCH_MODULES ")), {})
    if child.returncode != 0:
        print(f"  ! exit {child.returncode}: {stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "exit": child.returncode,
            "imported": sorted(m for m, loaded in modules.items() if loaded)}


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def cli_measures(series: Path, lang: str, work: Path, base_env: dict, flags: list[str], repeat: int) -> dict:
    out = work / "out.json"
    score = ["score", "-f", "json", "-o", str(out), "--file-timeout", "0", *flags]
    results: dict = {}

    def env_with(cache: Path) -> dict:
        return {**base_env, "RESONANCE_CACHE_DIR": str(cache)}

    cold = [run_cli([*score, "--no-cache", str(series)], env_with(work / f"unused-{i}"), work / "cold.log")
            for i in range(repeat)]
    results["cold_no_cache"] = min(cold, key=lambda r: r["wall_s"])
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    results["cold_fresh_cache"] = run_cli([*score, str(series)], env_with(cache), work / "fresh.log")
    warm = [run_cli([*score, str(series)], env_with(cache), work / "warm.log") for _ in range(max(3, repeat))]
    results["warm_unchanged"] = _median_run(warm)
    changed = []
    middle = len(re.findall(r"^(?:第\d+集|EPISODE \d+)$", series.read_text(encoding="utf-8"), re.M)) // 2
    for i in range(max(3, repeat)):  # a different episode each time, so each run has exactly one miss
        edited = with_one_episode_changed(series, lang, middle + i, work / f"changed-{i}{series.suffix}")
        changed.append(run_cli([*score, str(edited)], env_with(cache), work / "changed.log"))
    results["one_episode_changed"] = _median_run(changed)
    # `score --watch`: one process that keeps its models; each save re-scores in that process
    edits = [with_one_episode_changed(series, lang, middle + 10 + i, work / f"watched-{i}{series.suffix}")
             for i in range(3)]
    done = subprocess.run([sys.executable, "-c", WATCH_DRIVER, str(series), *map(str, edits)],
                          env=env_with(cache), capture_output=True, text=True, cwd=ROOT)
    if done.returncode == 0:
        results["one_episode_changed_watch"] = json.loads(done.stdout.strip().splitlines()[-1])
    else:
        print(f"  ! watch driver: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    served = server_measures(score, series, lang, work, env_with(cache), middle + 20)
    if served:
        results["one_episode_changed_server"] = served
    return results


def server_measures(score: list[str], series: Path, lang: str, work: Path, env: dict, first: int) -> dict | None:
    """The server an interactive `score` leaves behind, then a new `resonance score` process per
    edit (the client). RESONANCE_SERVER=auto stands in for a terminal (the benchmark's stdout is
    a file); the server is stopped with `serve --stop` at the end."""
    sock = work / "bench.sock"
    env = {**env, "RESONANCE_SERVER_SOCKET": str(sock), "RESONANCE_SERVER": "auto"}
    try:
        edited = with_one_episode_changed(series, lang, first, work / f"served-first{series.suffix}")
        left = run_cli([*score, str(edited)], env, work / "served-first.log")  # scores here, starts a server
        deadline = time.time() + 120
        while not sock.exists():
            if time.time() > deadline:
                print("  ! no background server appeared", file=sys.stderr)
                return None
            time.sleep(0.2)
        runs = []
        for i in range(1, 4):
            edited = with_one_episode_changed(series, lang, first + i, work / f"served-{i}{series.suffix}")
            runs.append(run_cli([*score, str(edited)], env, work / "served.log"))
        return {**_median_run(runs), "first_run_wall_s": left["wall_s"]}
    finally:
        subprocess.run([sys.executable, "-c", CLI, "serve", "--stop", "--socket", str(sock)], env=env, cwd=ROOT,
                       capture_output=True)


# What `resonance score --watch` does between saves (resonance/cli.py, _watch_scores): score the
# script (all cache hits), preload its language, then time each edited version as it arrives.
WATCH_DRIVER = """
import json, statistics, sys, time
from resonance.config import Config
from resonance.pipeline import default_models, score_paths
config = Config()
models = default_models(config)
first = score_paths([sys.argv[1]], config=config, use_cache=True, models=models)
models.preload(first.scripts[0].language)
times = []
for edited in sys.argv[2:]:
    start = time.perf_counter()
    score_paths([edited], config=config, use_cache=True, models=models)
    times.append(time.perf_counter() - start)
print(json.dumps({"wall_s": round(statistics.median(times), 3), "runs": [round(t, 3) for t in times]}))
"""


# ----- in this process: classifiers inside the pipeline, bare, and one line at a time -----------
class TimedModels:
    """The shipped models, with each batched classifier call timed and its arguments kept."""

    def __init__(self, models):
        self.models = models
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, tuple] = {}

    def __getattr__(self, name):
        return getattr(self.models, name)

    def _timed(self, task: str, method, *args):
        start = time.perf_counter()
        result = method(*args)
        self.seconds[task] = self.seconds.get(task, 0.0) + time.perf_counter() - start
        self.calls[task] = args
        return result

    def emotion(self, language, texts, contexts, scenes):
        return self._timed("emotion", self.models.emotion, language, texts, contexts, scenes)

    def narrative(self, language, texts, contexts, places):
        return self._timed("narrative", self.models.narrative, language, texts, contexts, places)

    def integration(self, language, texts, contexts, kinds):
        return self._timed("cultural", self.models.integration, language, texts, contexts, kinds)


def model_inputs(task: str, args: tuple):
    """(texts, contexts, features, heads) that the bundle hands predict_proba for this task."""
    from resonance.classifiers.line_features import beat_features, cultural_features

    if task == "emotion":
        _, texts, contexts, _scenes = args
        return texts, contexts, None, None
    if task == "narrative":
        _, texts, contexts, places = args
        return texts, contexts, [beat_features(*p) for p in places], ["beat"]
    _, texts, contexts, kinds = args
    return texts, contexts, [cultural_features(k) for k in kinds], ["integration", "bridge"]


def transformer_of(model):
    """The module whose forward a model's prediction runs: a fused model's (classifiers/fusion.py)
    transformer; the Chinese emotion model (classifiers/emotion_zh.py) is itself the transformer,
    its n-grams on the side, unless its dialogue stage replaces the transformer (weight 0), when
    it is the stage's encoder and GRUs."""
    stage = getattr(model, "dialogue", None)
    if stage is not None and stage.weights.get("transformer", 0) == 0:
        return DialogueForward(stage)
    neural = getattr(model, "neural", model)
    return neural if hasattr(neural, "encode") else model


def DialogueForward(stage):  # noqa: N802 - builds an nn.Module without importing torch at module level
    """The dialogue stage (classifiers/dialogue.py) as one module with ``encode`` and a forward over
    token batches: the frozen encoder on each line alone, mean-pooled, then the GRUs (each row
    read as a one-line dialogue: the same work per line as reading the scene)."""
    import torch
    from torch import nn

    from resonance.classifiers.dialogue import line_ids, pooled_lines
    from resonance.classifiers.inputs import PairEncoding

    class Forward(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokenizer = stage.encoder.tokenizer
            self.encoder = stage.encoder.model
            self.members = nn.ModuleList(stage.members)

        def encode(self, texts, contexts=None):
            ids = line_ids(self.tokenizer, texts)
            return PairEncoding(ids, [[0] * len(row) for row in ids])

        def forward(self, ids, mask, types):
            pooled = pooled_lines(self.encoder, ids, mask, types).unsqueeze(1)
            lengths = torch.ones(len(ids), dtype=torch.long)
            probabilities = sum(torch.softmax(m(pooled, lengths), -1) for m in self.members) / len(self.members)
            return {"emotion": torch.log(probabilities[:, 0])}

    return Forward().eval()


def bare_forward_seconds(model, texts, contexts, features, batch_size: int | None = None) -> float:
    """Only the model's forward over the batches predict_proba would build (inputs prepared first)."""
    import torch

    from resonance.classifiers.predict import BATCH_SIZE

    batch_size = batch_size or BATCH_SIZE  # the pipeline's own batch size
    encoding = model.encode(list(texts), [tuple(c) for c in contexts])
    order = sorted(range(len(texts)), key=lambda i: len(encoding.input_ids[i]))
    batches = []
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        ids, mask, types = _collate(model, [encoding.input_ids[i] for i in chunk],
                                    [encoding.token_type_ids[i] for i in chunk])
        feats = torch.tensor([list(features[i]) for i in chunk], dtype=torch.float32) if features else None
        batches.append((ids, mask, types, feats))
    model.eval()
    with torch.inference_mode():
        start = time.perf_counter()
        for ids, mask, types, feats in batches:
            model(ids, mask, types) if feats is None else model(ids, mask, types, feats)
        return time.perf_counter() - start


def _collate(model, ids, types):
    if hasattr(model, "batch"):
        return model.batch(ids, types)
    from resonance.classifiers.inputs import collate

    return collate(ids, types, model.tokenizer.pad_token_id)


def classifier_measures(series: Path, models_dir: str | None, int8: bool | None, naive_lines: int) -> dict:
    from dataclasses import replace

    from resonance.analyze import analyze
    from resonance.classifiers.bundle import ShippedModels
    from resonance.classifiers.predict import load_cached, predict_proba
    from resonance.io import read_script

    script = read_script(series)
    models = ShippedModels(models_dir, int8=int8)
    timed = TimedModels(models)
    # warm up: load the models and run each once, so neither side pays first-call costs
    analyze(replace(script, episodes=script.episodes[:1]), timed)
    # the whole series twice, keeping each classifier's faster pass (best of two, as for the bare
    # forward below): the first pass also pays one-off costs such as int8 kernels meeting new shapes
    best: dict[str, float] = {}
    for _ in range(2):
        timed.seconds.clear()
        timed.calls.clear()
        analyze(script, timed)
        best = {task: min(seconds, best.get(task, seconds)) for task, seconds in timed.seconds.items()}
    timed.seconds.update(best)
    rows = {}
    for task, args in timed.calls.items():
        texts, contexts, features, heads = model_inputs(task, args)
        model = load_cached(models.folder(task, script.language), int8=models.runs_int8(task, script.language))
        bare = min(bare_forward_seconds(transformer_of(model), texts, contexts, features) for _ in range(2))
        step = max(1, len(texts) // naive_lines) if naive_lines else 1
        sample = list(range(0, len(texts), step))[:naive_lines or None]  # spread over the series
        # naive: the model as shipped (float), one line per call; and, where the pipeline ran it in
        # int8, the int8 model one line per call too (the gain of batching alone)
        shipped = load_cached(models.folder(task, script.language), int8=False)
        naive = {"pipeline": hf_pipeline_seconds(shipped, sample, texts, contexts, features),
                 "float": one_line_at_a_time(shipped, sample, texts, contexts, features, heads)}
        if models.runs_int8(task, script.language):
            naive["int8"] = one_line_at_a_time(model, sample, texts, contexts, features, heads)
        inside = timed.seconds[task]
        rows[task] = {"lines": len(texts), "int8": models.runs_int8(task, script.language),
                      "pipeline_lines_per_s": round(len(texts) / inside, 1),
                      "bare_forward_lines_per_s": round(len(texts) / bare, 1),
                      "overhead_x": round(inside / bare, 2), "naive_sample": len(sample),
                      **{f"naive_{p}_lines_per_s": round(1 / t, 1) for p, t in naive.items()},
                      **{f"speedup_vs_naive_{p}_x": round(t * len(texts) / inside, 1) for p, t in naive.items()}}
    return rows


def hf_pipeline_seconds(model, sample, texts, contexts, features) -> float:
    """Seconds per line through a transformers ``Pipeline`` over the model, one line per call."""
    import torch
    from torch import nn
    from transformers import Pipeline

    neural = transformer_of(model)

    class OnCpu(nn.Module):  # Pipeline asks its model for a device
        def __init__(self, inner):
            super().__init__()
            self.inner, self.device = inner, torch.device("cpu")

    class LinePipeline(Pipeline):
        def _sanitize_parameters(self, **kwargs):
            return {}, {}, {}

        def preprocess(self, item):
            encoding = neural.encode([item["text"]], [tuple(item["context"])])
            ids, mask, types = _collate(neural, encoding.input_ids, encoding.token_type_ids)
            feats = item["features"]
            return {"args": (ids, mask, types) + ((torch.tensor([list(feats)], dtype=torch.float32),)
                                                  if feats is not None else ())}

        def _forward(self, inputs):
            return self.model.inner(*inputs["args"])

        def postprocess(self, outputs):
            return {head: torch.softmax(logits.float(), -1)[0].numpy() for head, logits in outputs.items()}

    pipe = LinePipeline(model=OnCpu(neural), device=torch.device("cpu"))
    items = [{"text": texts[i], "context": contexts[i], "features": features[i] if features else None}
             for i in sample]
    start = time.perf_counter()
    for item in items:
        pipe(item)
    return (time.perf_counter() - start) / max(1, len(items))


def one_line_at_a_time(model, sample, texts, contexts, features, heads) -> float:
    """Seconds per line through ``predict_proba`` called with one line."""
    from resonance.classifiers.predict import predict_proba

    start = time.perf_counter()
    for i in sample:
        predict_proba(model, [texts[i]], [contexts[i]], [features[i]] if features else None, heads=heads)
    return (time.perf_counter() - start) / max(1, len(sample))


# ----- the accuracy cost of int8: `resonance evaluate` with RESONANCE_INT8 off and on ------------
def accuracy_measures(tasks: list[str], models_dir: Path, work: Path, env: dict, write: bool = False) -> dict:
    """Per task ("emotion:en", ...): macro and weighted F1 on the model card's test split, float
    and int8, from the same snapshot of the model folder (training may replace it meanwhile).

    With ``write``, each model folder gets an ``int8.json`` recording the figures and the weights
    they were measured on: the pipeline runs a model in int8 by default only when that record
    matches its weights and the worst loss is within 1 point (resonance/classifiers/bundle.py)."""
    results = {}
    for item in tasks:
        task, lang = item.split(":")
        source = models_dir / f"{task}-{lang}"
        if not (source / "config.json").is_file():
            print(f"  (no {source}: skipped)", file=sys.stderr)
            continue
        snapshot = work / "models" / source.name
        for folder in (source, models_dir / f"encoder-{lang}"):  # a zh classifier reads ../encoder-zh
            if folder.is_dir():
                shutil.rmtree(work / "models" / folder.name, ignore_errors=True)
                shutil.copytree(folder, work / "models" / folder.name)
        args = ["evaluate", task, "--lang", lang, "--model", str(snapshot)]
        if task == "emotion":
            args += ["--format", "json", "--no-baseline"]
        figures = {}
        for precision, flag in (("float", "0"), ("int8", "1")):
            print(f"  evaluate {item} {precision} ...", file=sys.stderr)
            done = subprocess.run([sys.executable, "-m", "resonance.cli", *args], env={**env, "RESONANCE_INT8": flag},
                                  cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"  ! {item} {precision}: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                break
            report = json.loads(done.stdout)
            parts = report.get("sets") or report.get("heads") or {}
            figures[precision] = {name: {k: entry["model"][k] for k in ("macro_f1", "weighted_f1", "n")}
                                  for name, entry in parts.items()}
        if len(figures) == 2:
            results[item] = sets = {name: {"n": figures["float"][name]["n"],
                                    **{f"{p}_{k}": figures[p][name][k] for p in figures
                                       for k in ("macro_f1", "weighted_f1")},
                                    "delta_macro_points": round(100 * (figures["int8"][name]["macro_f1"]
                                                                       - figures["float"][name]["macro_f1"]), 2),
                                    "delta_weighted_points": round(100 * (figures["int8"][name]["weighted_f1"]
                                                                          - figures["float"][name]["weighted_f1"]), 2)}
                             for name in figures["float"]}
            if write:
                write_int8_record(source, snapshot, sets)
    return results


def write_int8_record(folder: Path, snapshot: Path, sets: dict) -> None:
    from resonance.classifiers.bundle import INT8_RECORD

    worst = min(min(row["delta_macro_points"], row["delta_weighted_points"]) for row in sets.values())
    config = json.loads((snapshot / "config.json").read_text(encoding="utf-8"))
    record = {"weights_sha256": config.get("weights_sha256"), "split": "test", "sets": sets,
              "worst_change_points": worst, "within_1_point": worst >= -1.0,
              "measured": time.strftime("%Y-%m-%d"), "command": "python scripts/bench.py --accuracy --write"}
    (folder / INT8_RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"  wrote {folder / INT8_RECORD} (worst change {worst:+.2f} points)", file=sys.stderr)


def print_accuracy(results: dict) -> None:
    print("\n## int8 against float: F1 on each model card's test split (points = F1 x 100)")
    print("| model | set/head | n | macro F1 float -> int8 | weighted F1 float -> int8 | worst change | within 1 point |")
    print("|---|---|---|---|---|---|---|")
    for item, sets in results.items():
        for name, row in sets.items():
            worst = min(row["delta_macro_points"], row["delta_weighted_points"])
            print(f"| {item} | {name} | {row['n']} | {row['float_macro_f1']:.4f} -> {row['int8_macro_f1']:.4f} | "
                  f"{row['float_weighted_f1']:.4f} -> {row['int8_weighted_f1']:.4f} | {worst:+.2f} | "
                  f"{'yes' if worst >= -1.0 else 'NO'} |")


# ----- report -----------------------------------------------------------------------------------
def machine() -> dict:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "load_1_5_15": [round(x, 2) for x in load], "python": sys.version.split()[0],
            "time": time.strftime("%Y-%m-%d %H:%M:%S")}


def verdict(value, target, lower_is_better: bool = True) -> str:
    if value is None:
        return "-"
    return "met" if (value <= target if lower_is_better else value >= target) else "NOT met"


def print_table(name: str, result: dict) -> None:
    cli, classifiers = result.get("cli", {}), result.get("classifiers", {})
    rows = []
    if cli:
        cold, fresh = cli["cold_no_cache"], cli["cold_fresh_cache"]
        warm, changed = cli["warm_unchanged"], cli["one_episode_changed"]
        rows += [
            ("cold, --no-cache: wall s", cold["wall_s"], f"<= {TARGETS['cold_s']:g}",
             verdict(cold["wall_s"], TARGETS["cold_s"])),
            ("cold, --no-cache: peak RSS MB", cold["peak_rss_mb"], f"<= {TARGETS['cold_rss_mb']:g}",
             verdict(cold["peak_rss_mb"], TARGETS["cold_rss_mb"])),
            ("cold, fresh cache dir: wall s", fresh["wall_s"], "", ""),
            ("warm, unchanged (all hits): wall s", warm["wall_s"], f"<= {TARGETS['warm_s']:g}",
             verdict(warm["wall_s"], TARGETS["warm_s"])),
            ("warm: torch/transformers/spaCy imported", ", ".join(warm["imported"]) or "none", "none",
             "met" if not warm["imported"] else "NOT met"),
            ("one episode changed, new process: wall s", changed["wall_s"], f"<= {TARGETS['changed_s']:g}",
             verdict(changed["wall_s"], TARGETS["changed_s"])),
        ]
        watched = cli.get("one_episode_changed_watch")
        if watched:
            rows.append(("one episode changed, score --watch: wall s", watched["wall_s"],
                         f"<= {TARGETS['changed_s']:g}", verdict(watched["wall_s"], TARGETS["changed_s"])))
        served = cli.get("one_episode_changed_server")
        if served:
            rows.append(("one episode changed, new `score` process, the server the previous run left: wall s",
                         served["wall_s"],
                         f"<= {TARGETS['changed_s']:g}", verdict(served["wall_s"], TARGETS["changed_s"])))
            rows.append(("  heavy modules imported by that client", ", ".join(served["imported"]) or "none",
                         "none", "yes" if not served["imported"] else "**no**"))
    for task, row in classifiers.items():
        precision = "int8" if row["int8"] else "float"
        rows += [
            (f"{task} ({precision}): lines/s in pipeline | bare forward ({row['lines']} lines)",
             f"{row['pipeline_lines_per_s']:g} | {row['bare_forward_lines_per_s']:g}", "", ""),
            (f"{task}: pipeline overhead x", row["overhead_x"], f"<= {TARGETS['overhead']:g}",
             verdict(row["overhead_x"], TARGETS["overhead"])),
        ]
        for naive in ("pipeline", "float", "int8"):
            if f"naive_{naive}_lines_per_s" not in row:
                continue
            label = "transformers Pipeline (float)" if naive == "pipeline" else f"predict_proba ({naive})"
            target = naive == "pipeline"  # the baseline; the others are for reference
            rows += [
                (f"{task}: naive {label}, one line a call: lines/s ({row['naive_sample']} lines)",
                 row[f"naive_{naive}_lines_per_s"], "", ""),
                (f"{task}: speedup vs naive {label} x", row[f"speedup_vs_naive_{naive}_x"],
                 f">= {TARGETS['naive_speedup']:g}" if target else "",
                 verdict(row[f"speedup_vs_naive_{naive}_x"], TARGETS["naive_speedup"], lower_is_better=False)
                 if target else ""),
            ]
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"\n## {name}")
    print(f"| {'measure':<{width}} | value | target | |")
    print(f"|{'-' * (width + 2)}|-------|--------|---|")
    for label, value, target, met in rows:
        print(f"| {label:<{width}} | {value} | {target} | {met} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", default="zh,en", help="zh, en or zh,en (default)")
    parser.add_argument("--models-dir", default=None, help="folder of model folders (default: the shipped ones)")
    parser.add_argument("--precision", choices=("auto", "float", "int8"), default="auto",
                        help="auto (the pipeline's default: int8 where int8.json allows it), float or int8")
    parser.add_argument("--zh-episodes", type=int, default=100, help="episodes of the Chinese series")
    parser.add_argument("--en-episodes", type=int, default=60, help="episodes of the English series")
    parser.add_argument("--repeat", type=int, default=1, help="cold runs per series (the fastest is kept)")
    parser.add_argument("--naive-lines", type=int, default=200,
                        help="lines per classifier for the one-at-a-time baseline (0: all)")
    parser.add_argument("--skip-cli", action="store_true", help="only the in-process classifier figures")
    parser.add_argument("--skip-classifiers", action="store_true", help="only the CLI runs")
    parser.add_argument("--keep", type=Path, default=None, help="build inputs here and keep them")
    parser.add_argument("--accuracy", nargs="?", const=",".join(ACCURACY_TASKS), default=None,
                        help="only measure int8 against float with `resonance evaluate` (default: every "
                             "shipped classifier, or a list like emotion:en,narrative:zh)")
    parser.add_argument("--write", action="store_true",
                        help="with --accuracy: record the figures in each model folder's int8.json")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="resonance-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RESONANCE_SERVER": "off"}  # only server_measures leaves a server behind
    if args.models_dir:
        env["RESONANCE_MODELS"] = str(Path(args.models_dir).resolve())
    int8 = {"auto": None, "float": False, "int8": True}[args.precision]
    flags = {"auto": [], "float": ["--no-int8"], "int8": ["--int8"]}[args.precision]
    env.pop("RESONANCE_INT8", None)
    report = {"machine_before": machine(), "precision": args.precision, "series": {}}
    print(f"machine: {report['machine_before']}  (2-core boxes shared with training: expect noise)",
          file=sys.stderr)
    if args.accuracy:
        models_dir = Path(args.models_dir or env.get("RESONANCE_MODELS") or ROOT / "models").resolve()
        try:
            report["accuracy"] = accuracy_measures(args.accuracy.split(","), models_dir, work, env, args.write)
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
        print_accuracy(report["accuracy"])
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return 0
    try:
        for lang in [s.strip() for s in args.series.split(",") if s.strip()]:
            series = (build_zh_series(work, args.zh_episodes) if lang == "zh"
                      else build_en_series(work, args.en_episodes))
            result: dict = {"input": series.name, "bytes": series.stat().st_size}
            if not args.skip_cli:
                print(f"[{lang}] CLI runs ...", file=sys.stderr)
                (work / lang).mkdir(exist_ok=True)
                result["cli"] = cli_measures(series, lang, work / lang, env, flags, args.repeat)
            if not args.skip_classifiers:
                print(f"[{lang}] classifiers in process ...", file=sys.stderr)
                result["classifiers"] = classifier_measures(series, env.get("RESONANCE_MODELS"), int8,
                                                            args.naive_lines)
            report["series"][lang] = result
            print_table(f"{lang}: {series.name} ({result['bytes']:,} bytes), precision {args.precision}", result)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report["machine_after"] = machine()
    print(f"\nload average before {report['machine_before']['load_1_5_15']}, "
          f"after {report['machine_after']['load_1_5_15']} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
