"""The contrastive test: does the strong draft beat the weak one on the dimension that differs?

For each pair in corpora/contrast/pairs.jsonl (two drafts of one episode that differ mainly in
one dimension), score both with the shipped models and report, per dimension and language:
the share of pairs where the strong draft scores higher on that dimension (target >= 90%),
the mean change on that dimension, and the mean absolute change on the other two (they should
move less). Held-out: the pairs are never used for training or tuning.

    python scripts/evaluate_contrast.py [--lang zh|en] [--out results.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIMS = ("emotional", "cultural", "narrative")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contrast", type=Path, default=ROOT / "corpora" / "contrast")
    parser.add_argument("--lang", choices=("zh", "en"), default=None)
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from resonance.classifiers.bundle import ShippedModels
    from resonance.config import Config
    from resonance.io import read_script
    from resonance.pipeline import score_script

    models = ShippedModels(args.models_dir)
    config = Config()
    pairs = [json.loads(line) for line in (args.contrast / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    rows = []
    for pair in pairs:
        if args.lang and pair["language"] != args.lang:
            continue
        scores = {}
        for side in ("strong", "weak"):
            report = score_script(read_script(args.contrast / pair[side]), models, config)
            scores[side] = report.series.scores
        delta = {d: round(scores["strong"][d] - scores["weak"][d], 1) for d in (*DIMS, "overall")}
        rows.append({"id": pair["id"], "language": pair["language"], "dimension": pair["dimension"],
                     "strong": scores["strong"], "weak": scores["weak"], "delta": delta})
        print(f"{pair['id']:<24} {pair['dimension']:<10} " + " ".join(f"{d[:4]} {delta[d]:+6.1f}" for d in DIMS),
              flush=True)

    summary = defaultdict(dict)
    groups = defaultdict(list)
    for row in rows:
        groups[(row["dimension"], row["language"])].append(row)
        groups[(row["dimension"], "all")].append(row)
    print("\n| dimension | language | pairs | strong wins | mean Δ target | mean |Δ| others |")
    print("|---|---|---|---|---|---|")
    for (dim, lang), members in sorted(groups.items()):
        wins = sum(r["delta"][dim] > 0 for r in members)
        target = sum(r["delta"][dim] for r in members) / len(members)
        others = [abs(r["delta"][o]) for r in members for o in DIMS if o != dim]
        other_mean = sum(others) / len(others)
        summary[dim][lang] = {"pairs": len(members), "strong_wins": wins, "win_rate": round(wins / len(members), 3),
                              "mean_target_delta": round(target, 2), "mean_abs_other_delta": round(other_mean, 2)}
        print(f"| {dim} | {lang} | {len(members)} | {wins}/{len(members)} ({wins / len(members):.0%}) | "
              f"{target:+.1f} | {other_mean:.1f} |")
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "pairs": rows}, ensure_ascii=False, indent=2),
                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
