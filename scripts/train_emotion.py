"""Reproduce the shipped English emotion model, or compare settings on the dev sets.

    python scripts/train_emotion.py                      # the shipped models/emotion-en
    python scripts/train_emotion.py --out /tmp/emo       # the same, elsewhere
    python scripts/train_emotion.py --fuse-only models/emotion-en   # only the n-gram fusion step
    python scripts/train_emotion.py --sweep lr=5e-5,1e-4 --sweep-minutes 40
    python scripts/train_emotion.py --out /tmp/v --trainable-layers 4 --set lr=1e-4 --set device=auto

The shipped run is `resonance train emotion --lang en` with SHIPPED below (about an hour on 2 CPU
cores; `--set device=auto` trains on a GPU when there is one: scripts/device_en.sh ran it and 7
other recipes side by side on one lease, 2 minutes each, and the card compares them); it saves float32,
then `--half` (default on) measures float16 against float32 on the dev sets and keeps float16
only when the dev weighted F1 does not drop; finally each head is fused with the TF-IDF + LR
scorer (emotion.add_fusion, weights chosen on dev). `--sweep` trains one model per value on the same
cached frozen-layer outputs and prints dev scores only; the test split is never read here.
"""
from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHIPPED = {  # chosen on MELD dev + EmoryNLP dev among 8 recipes (the card's "Recipes compared on dev")
    "epochs": 6, "lr": 5e-5, "head_lr": 1e-3, "batch_size": 32, "class_weighting": "none",
    "patience": 2, "seed": 13, "max_minutes": 75.0, "threads": 2,
}
TRAINABLE_LAYERS = 6  # every MiniLM layer; the embeddings stay frozen and come from the pip package


def train_shipped(out: Path, half: bool, settings: dict, trainable_layers: int, extra=(), limit=None) -> None:
    from resonance.classifiers import emotion
    from resonance.classifiers.train import TrainSettings

    target = Path(tempfile.mkdtemp(prefix="emotion-en-f32-")) if half else out
    emotion.train("en", target, TrainSettings(**settings), trainable_layers=trainable_layers,
                  dtype="float32", command=_command(), extra=extra, limit=limit)
    if half:
        keep_half_if_lossless(target, out)
    fuse(out, limit)


def fuse(folder: Path, limit=None) -> None:
    from resonance.classifiers import emotion

    emotion.add_fusion("en", folder, limit=limit, command=_command())


def _command() -> str:
    return shlex.join(["python", "scripts/train_emotion.py", *sys.argv[1:]])


def overridden(pairs: list[str]) -> dict:
    """SHIPPED with ``NAME=VALUE`` overrides, each value parsed as the field's current type."""
    from resonance.classifiers.train import TrainSettings

    fields = TrainSettings().to_dict()
    settings = dict(SHIPPED)
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in fields:
            raise SystemExit(f"--set: unknown setting {name!r} (one of {', '.join(fields)})")
        current = SHIPPED.get(name, fields[name])
        settings[name] = value if isinstance(current, str) else float(value) if current is None else type(current)(value)
    return settings


def keep_half_if_lossless(float32_dir: Path, out: Path) -> None:
    """Save a float16 copy to ``out`` if its dev weighted F1 matches float32's; else float32."""
    from resonance.classifiers import emotion, registry
    from resonance.classifiers.emotion_card import render_card

    config = json.loads((float32_dir / "config.json").read_text(encoding="utf-8"))
    model = registry.load(float32_dir)
    full = emotion.evaluate("en", float32_dir, "dev", baseline=False, model=model)
    half_dir = Path(tempfile.mkdtemp(prefix="emotion-en-f16-"))
    model.save(half_dir, render_card("en", {**config, "weights_dtype": "float16"}), dtype="float16",
               extra_config={"training": config["training"]})
    half = emotion.evaluate("en", half_dir, "dev", baseline=False)
    comparison = {name: (full["sets"][name]["model"]["weighted_f1"], half["sets"][name]["model"]["weighted_f1"])
                  for name in full["sets"]}
    logging.info("dev weighted F1 float32 vs float16: %s", comparison)
    lossless = all(h >= f for f, h in comparison.values())
    chosen = half_dir if lossless else float32_dir
    out.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "model.safetensors", "README.md"):
        (out / name).write_bytes((chosen / name).read_bytes())
    precision = {"float32_dev_weighted_f1": {k: v[0] for k, v in comparison.items()},
                 "float16_dev_weighted_f1": {k: v[1] for k, v in comparison.items()},
                 "stored": "float16" if lossless else "float32"}
    (out / "precision.json").write_text(json.dumps(precision, indent=2) + "\n", encoding="utf-8")


def sweep(grid: dict[str, list], minutes: float) -> None:
    from resonance.classifiers import emotion
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.model import ContextClassifier
    from resonance.classifiers.train import TrainSettings, encode_examples, fit

    setup = emotion.setup_for("en")
    train, dev = emotion.training_data("en")
    encoded = None
    name, values = next(iter(grid.items()))
    for value in values:
        settings = TrainSettings(**overridden([f"max_minutes={minutes}", f"{name}={value}"]))
        model = ContextClassifier(load_encoder(setup.encoder), name=setup.name, encoder_spec=setup.encoder,
                                  heads=setup.heads, primary_head="emotion", trainable_layers=TRAINABLE_LAYERS)
        encoded = encoded or (encode_examples(model, train), encode_examples(model, dev))
        result = fit(model, train, dev, settings, encoded=encoded)
        print(json.dumps({name: value, "best_epoch": result.best_epoch, "best_dev_score": result.best_dev_score,
                          "history": result.history}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "emotion-en")
    parser.add_argument("--no-half", action="store_true", help="Store float32 without the float16 check.")
    parser.add_argument("--fuse-only", type=Path, help="Only add the n-gram fusion to a trained folder.")
    parser.add_argument("--sweep", help="NAME=v1,v2,... over one TrainSettings field (dev only).")
    parser.add_argument("--sweep-minutes", type=float, default=40.0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="Override one TrainSettings field of the shipped recipe (repeatable).")
    parser.add_argument("--trainable-layers", type=int, default=TRAINABLE_LAYERS)
    parser.add_argument("--extra", action="append", default=[], help="Extra training source (goemotions).")
    parser.add_argument("--limit", type=int, help="Cut every split to N examples (dry runs).")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.fuse_only:
        fuse(args.fuse_only, args.limit)
        return
    if args.sweep:
        name, values = args.sweep.split("=", 1)
        if name not in SHIPPED:
            parser.error(f"--sweep: unknown setting {name!r} (one of {', '.join(SHIPPED)})")
        sweep({name: values.split(",")}, args.sweep_minutes)
        return
    train_shipped(args.out, not args.no_half, overridden(args.set), args.trainable_layers, args.extra, args.limit)


if __name__ == "__main__":
    main()
