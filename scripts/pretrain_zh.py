"""Masked-LM pretraining of the Chinese encoder, end to end and time-budgeted.

Reads the corpus and tokenizer of scripts/build_zh_corpus.py, trains (resuming from the
checkpoint folder if one is there), checkpoints every ``--checkpoint-every`` seconds and, with
``--export``, writes the encoder folder (models/encoder-zh) with its card. Uses a CUDA GPU when
one is present (bfloat16 autocast; raise ``--batch-size``), else the CPU (bfloat16 autocast where
the CPU supports it).

    python scripts/pretrain_zh.py --time-budget 3900 --threads 1 --export models/encoder-zh
    python scripts/pretrain_zh.py --time-budget 540 --batch-size 256 --lr 1e-3 --export models/encoder-zh  # GPU
    python scripts/pretrain_zh.py --export-only --export models/encoder-zh  # the last checkpoint
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.pretrain import PretrainConfig  # noqa: E402
from resonance.classifiers.zh_encoder_build import (  # noqa: E402
    DIALOGUE_WEIGHTS, export_checkpoint, train_encoder,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".device" / "zh_corpus")
    parser.add_argument("--tokenizer", type=Path, default=None, help="default: <corpus>/tokenizer-char")
    parser.add_argument("--checkpoints", type=Path, default=ROOT / ".device" / "pretrain-zh")
    parser.add_argument("--export", type=Path, default=None, help="write the encoder folder here at the end")
    parser.add_argument("--export-only", action="store_true",
                        help="export the checkpoint in --checkpoints to --export, no training")
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
    args = parser.parse_args()
    tokenizer = args.tokenizer or args.corpus / "tokenizer-char"
    if args.export_only:
        if not args.export:
            parser.error("--export-only needs --export")
        record = export_checkpoint(args.corpus, tokenizer, args.checkpoints, args.export, threads=args.threads)
        log(f"exported step {record['state']['step']} to {args.export}")
        return
    config = PretrainConfig(
        hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
        intermediate_size=4 * args.hidden, seq_len=args.seq_len, batch_size=args.batch_size,
        learning_rate=args.lr, warmup_steps=args.warmup, time_budget_s=args.time_budget,
        max_steps=args.max_steps, checkpoint_every_s=args.checkpoint_every, log_every=args.log_every,
        source_weights=DIALOGUE_WEIGHTS if args.weights == "dialogue" else {},
    )
    train_encoder(args.corpus, tokenizer, args.checkpoints, config, args.device, args.threads,
                  args.export, resume=not args.fresh, log=log)


if __name__ == "__main__":
    main()
