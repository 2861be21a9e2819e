"""Masked-LM pretraining of the Chinese encoder, end to end and time-budgeted.

Reads the corpus and tokenizer from scripts/build_zh_corpus.py, trains (resuming from the
checkpoint folder if one is there), checkpoints every ``--checkpoint-every`` seconds and, with
``--export``, writes the encoder folder (models/encoder-zh) with its card. Uses a CUDA GPU when
one is present (bfloat16 autocast, larger batches are up to you), else the CPU (bfloat16 autocast
where the CPU supports it).

    python scripts/pretrain_zh.py --time-budget 3600 --threads 1 --export models/encoder-zh
    python scripts/pretrain_zh.py --time-budget 540 --batch-size 256 --export models/encoder-zh  # GPU
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.pretrain import (  # noqa: E402
    PretrainConfig, build_model, encode_corpus, export_encoder, load_checkpoint, pretrain,
)
from resonance.classifiers.zh_cards import encoder_card  # noqa: E402
from resonance.classifiers.zh_tokenizer import load_tokenizer  # noqa: E402

# Dialogue-like sources count in full; older or written registers less (the classifier reads dialogue).
DIALOGUE_WEIGHTS = {
    "cped_train_series": 2.0, "chinese_shortscript": 1.0, "dgk_lost_conv": 1.0, "kdconv": 1.0,
    "lccc_toy": 1.0, "labeled_weibo_emotion_extra": 1.0, "sophonplus_sentiment": 0.5,
    "pd_modern_lit": 0.7, "pd_vernacular_classics": 0.3, "pg_late_qing_vernacular": 0.3, "tvsub_zh": 1.0,
}


def hardware(device: str, threads: int) -> str:
    import platform

    import torch

    if device.startswith("cuda"):
        return f"one {torch.cuda.get_device_name(0)} GPU"
    cpu = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU only ({cpu}, {threads} thread{'s' if threads != 1 else ''}; no GPU)"


def run(args: argparse.Namespace) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    config = PretrainConfig(
        hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
        intermediate_size=4 * args.hidden, seq_len=args.seq_len, batch_size=args.batch_size,
        learning_rate=args.lr, warmup_steps=args.warmup, time_budget_s=args.time_budget,
        max_steps=args.max_steps, checkpoint_every_s=args.checkpoint_every, log_every=args.log_every,
        source_weights=DIALOGUE_WEIGHTS if args.weights == "dialogue" else {},
    )

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    tokenizer = load_tokenizer(args.tokenizer)
    if args.export_only:
        return export_checkpoint(args, tokenizer, device, log)
    started = time.time()
    streams = encode_corpus(args.corpus / "corpus.txt.gz", tokenizer, config.heldout_fraction)
    sizes = {name: len(s) for name, s in streams.train.items()}
    log(f"encoded {sum(sizes.values()):,} tokens in {time.time() - started:.0f} s: {sizes}")
    model, state = pretrain(streams, config, args.checkpoints, device, resume=not args.fresh, log=log)
    record = {"config": vars(config) | {"source_weights": config.source_weights},
              "state": vars(state), "hardware": hardware(device, args.threads)}
    (args.checkpoints / "result.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    if args.export:
        manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
        card = encoder_card(manifest, vars(state), vars(config), record["hardware"])
        export_encoder(model.cpu().float(), args.tokenizer, args.export, card,
                       extra_config={"name": "encoder.zh.v1"})
        (args.export / "pretraining.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
        log(f"exported {args.export}")
    return record


def export_checkpoint(args: argparse.Namespace, tokenizer, device: str, log) -> dict:
    """Export the encoder of the checkpoint in ``--checkpoints`` without training further."""
    import torch

    saved = json.loads((args.checkpoints / "state.json").read_text(encoding="utf-8"))
    config = PretrainConfig(**saved["config"])
    model = build_model(config, tokenizer.get_vocab_size(), pad_id=tokenizer.token_to_id("[PAD]"))
    optimizer = torch.optim.AdamW(model.parameters())
    state = load_checkpoint(args.checkpoints, model, optimizer)
    record = {"config": vars(config), "state": vars(state), "hardware": hardware(device, args.threads)}
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
    card = encoder_card(manifest, vars(state), vars(config), record["hardware"])
    export_encoder(model, args.tokenizer, args.export, card, extra_config={"name": "encoder.zh.v1"})
    (args.export / "pretraining.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    log(f"exported step {state.step} ({state.tokens_seen:,} tokens) to {args.export}")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".device" / "zh_corpus")
    parser.add_argument("--tokenizer", type=Path, default=None, help="default: <corpus>/tokenizer-char")
    parser.add_argument("--checkpoints", type=Path, default=ROOT / ".device" / "pretrain-zh")
    parser.add_argument("--export", type=Path, default=None, help="write the encoder folder here at the end")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--time-budget", type=float, default=3600.0, help="seconds of training")
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--checkpoint-every", type=float, default=600.0, help="seconds")
    parser.add_argument("--log-every", type=int, default=50, help="steps")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--weights", choices=("dialogue", "uniform"), default="dialogue")
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument("--export-only", action="store_true",
                        help="export the checkpoint in --checkpoints to --export, no training")
    args = parser.parse_args()
    args.tokenizer = args.tokenizer or args.corpus / "tokenizer-char"
    run(args)


if __name__ == "__main__":
    main()
