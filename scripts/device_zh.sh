#!/usr/bin/env bash
# One GPU lease for the Chinese encoder (issue 10): pretrain three sizes at once on the same corpus
# (masked LM, char tokenizer), fine-tune the CPED emotion classifier (multi-task) from each, and
# pack what comes back under $OUT within the device's limits (8 files, 16 MiB each, 64 MiB).
#
# Needs, carried: .device/zh_corpus (scripts/build_zh_corpus.py) and .device/gpu (ds.tar.gz with
# CPED, SMP2020 and NLPCC 2013 from ../shared/datasets, plus exp/ with the TF-IDF scorers and their
# results from scripts/zh_emotion_experiments.py --variants tfidf). On this machine, a dry run:
#     P=20 F=20 LIMIT=300 DEVICE=cpu OUT=/tmp/zhout bash scripts/device_zh.sh
# Unpack what came back with: cat part-* | tar -x -C .device/gpu-back && tar -xf enc-S.tar -C ...
set -u
P=${P:-270}            # seconds of masked-LM pretraining (all three sizes run side by side)
F=${F:-130}            # seconds of fine-tuning per variant
LIMIT=${LIMIT:-0}      # dry runs: cut every CPED split to N examples
DEVICE=${DEVICE:-cuda}
BATCH=${BATCH:-256}
OUT=${OUT:?set OUT}
W=${W:-/tmp/zhgpu}
PY=${PY:-python3}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
rm -rf "$W" && mkdir -p "$W/ds" "$W/exp" "$OUT"
tar -xzf .device/gpu/ds.tar.gz -C "$W/ds"
cp .device/gpu/exp/* "$W/exp/"
LOG="$OUT/log.txt"
say() { echo "[$(date +%T)] $*" >> "$LOG"; }
(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 || true) | sed 's/^/gpu: /' >> "$LOG"
say "start P=$P F=$F device=$DEVICE"

. scripts/device_lib.sh
pretrain_encoder S 4 256 4 1e-3 &
pretrain_encoder M 4 384 6 8e-4 &
pretrain_encoder L 6 512 8 6e-4 &
wait
say "pretraining done"
# insurance: the speed-sized encoder comes back even if fine-tuning fails
[ -f "$W/enc-S/model.safetensors" ] && tar -cf "$OUT/enc-S.tar" -C "$W" enc-S

finetune() {  # name lr
  [ -f "$W/enc-${1%%-*}/model.safetensors" ] || { say "no encoder for $1"; return; }
  timeout $((F + 100)) "$PY" scripts/zh_emotion_experiments.py --variants "pretrained-mt@$1" \
    --encoder "$W/enc-${1%%-*}" --lr "$2" --datasets "$W/ds" --out "$W/exp" --time-budget "$F" \
    --epochs 8 --threads 2 --device "$DEVICE" --limit "$LIMIT" 2>&1 | sed -u "s/^/[ft $1] /" >> "$LOG"
}
finetune S-2e-4 2e-4 &
finetune M-1e-4 1e-4 &
finetune M-2e-4 2e-4 &
finetune L-5e-5 5e-5 &
finetune L-1e-4 1e-4 &
wait
say "fine-tuning done"
cp "$W/exp/results.json" "$OUT/results.json"
# the emotion models best on dev first, as many as fit in 48 MiB with the small files
"$PY" - "$W" > "$W/pack.txt" <<'EOF'
import json, sys
from pathlib import Path
w = Path(sys.argv[1])
results = json.loads((w / "exp" / "results.json").read_text(encoding="utf-8"))
small = [str(p.relative_to(w)) for p in w.glob("enc-*/*") if p.name != "model.safetensors"]
small += [str(p.relative_to(w)) for p in (w / "exp").glob("*.npy")]
room = 48 * 2**20 - sum((w / p).stat().st_size for p in small)
ranked = sorted((r for n, r in results.items() if n.startswith("pretrained-mt@")),
                key=lambda r: -r["dev_weighted_f1"])
for r in ranked:
    folder = w / "exp" / "models" / r["variant"]
    size = sum(p.stat().st_size for p in folder.glob("*"))
    if folder.is_dir() and size <= room:
        small.append(str(folder.relative_to(w)))
        room -= size
print("\n".join(small))
EOF
tar -cf - -C "$W" -T "$W/pack.txt" | split -b 15m - "$OUT/part-"
say "packed: $(tr '\n' ' ' < "$W/pack.txt" | head -c 600)"
ls -la "$OUT" >> "$LOG"
