#!/usr/bin/env bash
# The tvsub_zh question of issue 10 on a GPU lease: the same small encoder (4 x 256, the shipped
# size and settings) pretrained side by side for the same time on the corpus without tvsub_zh
# (what ships) and with it (CC BY-NC-ND: such weights would be non-commercial). Both encoders
# come back under $OUT; fine-tune and compare them with scripts/zh_emotion_experiments.py.
#
# Needs, carried: .device/zh_corpus (scripts/build_zh_corpus.py) and .device/tvsub (tvsub.txt.gz:
# the tvsub_zh section that `build_corpus(include_tvsub=True)` appends after the other sources,
# and that run's manifest.json). Dry run here: P=5 DEVICE=cpu BATCH=8 OUT=/tmp/o bash scripts/device_zh_tvsub.sh
set -u
P=${P:-90}
DEVICE=${DEVICE:-cuda}
BATCH=${BATCH:-256}
PY=${PY:-python3}
OUT=${OUT:?set OUT}
W=${W:-/tmp/zhtv}
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
rm -rf "$W" && mkdir -p "$W/with" "$OUT"
cat .device/zh_corpus/corpus.txt.gz .device/tvsub/tvsub.txt.gz > "$W/with/corpus.txt.gz"  # gzip members concatenate
cp .device/tvsub/manifest.json "$W/with/"
cp -r .device/zh_corpus/tokenizer-char "$W/with/"
LOG="$OUT/log.txt"
. scripts/device_lib.sh
pretrain() {  # name corpus: the shipped size and settings
  pretrain_encoder "$1" 4 256 4 1e-3 --corpus "$2" --tokenizer .device/zh_corpus/tokenizer-char
  [ -f "$W/enc-$1/model.safetensors" ] && tar -cf "$OUT/enc-$1.tar" -C "$W" "enc-$1"
}
pretrain without .device/zh_corpus &
pretrain with "$W/with" &
wait
ls -la "$OUT" >> "$LOG"
