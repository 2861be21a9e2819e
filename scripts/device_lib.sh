# Shared by scripts/device_zh.sh and scripts/device_zh_tvsub.sh (sourced, not run).
# Needs PY, DEVICE, P (seconds), BATCH, W (work folder) and LOG set by the caller.

# pretrain_encoder NAME LAYERS HIDDEN HEADS LR [more scripts/pretrain_zh.py options]
# masked-LM pretraining for P seconds; the encoder is exported to $W/enc-NAME
pretrain_encoder() {
  local name=$1 layers=$2 hidden=$3 heads=$4 lr=$5
  shift 5
  "$PY" scripts/pretrain_zh.py --device "$DEVICE" --threads 2 --time-budget "$P" --layers "$layers" \
    --hidden "$hidden" --heads "$heads" --seq-len 128 --batch-size "$BATCH" --lr "$lr" --warmup 400 \
    --checkpoint-every 100000 --log-every 500 --checkpoints "$W/ck-$name" --fresh --export "$W/enc-$name" "$@" \
    2>&1 | sed -u "s/^/[pre $name] /" >> "$LOG"
}
