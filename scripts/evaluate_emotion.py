"""Evaluate a shipped emotion model and write its figures into the model card.

    python scripts/evaluate_emotion.py --lang en          # = resonance evaluate emotion --lang en --write-card
    python scripts/evaluate_emotion.py --mapping-check    # how the unified head reads EmoryNLP dev labels

The first form runs the CLI command itself, so the card quotes the exact command. The mapping
check (dev split only) shows, for each native EmoryNLP label, the unified labels the MELD-trained
head assigns: the evidence behind mapping Peaceful and Powerful to joy (labels.py).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_cli(lang: str, split: str, model: Path | None) -> int:
    from resonance.cli import app

    args = ["evaluate", "emotion", "--lang", lang, "--split", split, "--format", "json"]
    if split == "test":
        args.append("--write-card")
    if model:
        args += ["--model", str(model)]
    sys.argv = ["resonance", *args]
    try:
        app(args)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def mapping_check(model_dir: Path | None) -> dict:
    from resonance.classifiers import emotion, emotion_data
    from resonance.classifiers.predict import load_cached

    examples = emotion_data.load_emorynlp("dev")
    model = load_cached(model_dir) if model_dir else emotion.load("en")
    result = emotion.predict([e.text for e in examples], [e.context for e in examples], "en", model=model)
    table: dict[str, Counter] = defaultdict(Counter)
    for example, predicted in zip(examples, result.top()):
        table[example.label][predicted] += 1
    return {label: dict(counts.most_common()) for label, counts in sorted(table.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    parser.add_argument("--split", default="test", choices=("dev", "test"))
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--mapping-check", action="store_true")
    args = parser.parse_args()
    if args.mapping_check:
        print(json.dumps(mapping_check(args.model), indent=2))
        return
    sys.exit(run_cli(args.lang, args.split, args.model))


if __name__ == "__main__":
    main()
