"""`resonance train encoder --lang zh`: masked-LM pretraining of the Chinese encoder.

Thin: options map onto resonance.classifiers.zh_encoder_build (corpus, tokenizer, pretraining,
export). Progress goes to stderr, the result record (JSON) to stdout.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from resonance.errors import ConfigError, ResonanceError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _log(message: str) -> None:
    typer.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)


def train_encoder(
    lang: Annotated[str, typer.Option("--lang", "-l", help="Only zh: English uses all-MiniLM-L6-v2.")] = "zh",
    out: Annotated[Path, typer.Option(help="Encoder folder to write.")] = PROJECT_ROOT / "models" / "encoder-zh",
    datasets: Annotated[Optional[Path], typer.Option(
        help="Datasets folder (default: $RESONANCE_DATASETS or ../shared/datasets).")] = None,
    corpus: Annotated[Path, typer.Option(help="Corpus folder (built when missing).")] = PROJECT_ROOT / ".device" / "zh_corpus",
    checkpoints: Annotated[Path, typer.Option(help="Checkpoint folder (resumed when present).")] = (
        PROJECT_ROOT / ".device" / "pretrain-zh"),
    include_tvsub: Annotated[bool, typer.Option(
        help="Also pretrain on tvsub_zh (CC BY-NC-ND: the weights become non-commercial).")] = False,
    time_budget: Annotated[float, typer.Option(help="Seconds of pretraining.")] = 3600.0,
    checkpoint_every: Annotated[float, typer.Option(help="Seconds between checkpoints.")] = 600.0,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    threads: Annotated[int, typer.Option(help="torch CPU threads (keep 1 on a shared machine).")] = 1,
    batch_size: Annotated[int, typer.Option(help="Sequences per step (raise on a GPU).")] = 32,
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 5e-4,
    hidden: Annotated[int, typer.Option(help="Hidden width.")] = 256,
    layers: Annotated[int, typer.Option(help="Transformer layers.")] = 4,
    fresh: Annotated[bool, typer.Option(help="Ignore an existing checkpoint.")] = False,
) -> None:
    """Pretrain the Chinese encoder (masked-LM) and write models/encoder-zh with its card."""
    try:
        if lang != "zh":
            raise ConfigError(f"only --lang zh has an encoder to pretrain (got {lang!r})")
        from resonance.classifiers.emotion_data import datasets_dir
        from resonance.classifiers.pretrain import PretrainConfig
        from resonance.classifiers.zh_encoder_build import DIALOGUE_WEIGHTS, ensure_corpus
        from resonance.classifiers.zh_encoder_build import train_encoder as run

        ensure_corpus(datasets_dir(datasets), corpus, include_tvsub, log=_log)
        config = PretrainConfig(hidden_size=hidden, num_layers=layers, num_heads=max(1, hidden // 64),
                                intermediate_size=4 * hidden, batch_size=batch_size, learning_rate=lr,
                                time_budget_s=time_budget, checkpoint_every_s=checkpoint_every,
                                source_weights=DIALOGUE_WEIGHTS)
        record = run(corpus, corpus / "tokenizer-char", checkpoints, config, device, threads, out,
                     resume=not fresh, log=_log)
    except ResonanceError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1)
    state = record["state"]
    typer.echo(json.dumps({"encoder": str(out), "tokens_seen": state["tokens_seen"], "steps": state["step"],
                           "heldout_mlm_loss": state["heldout_loss"], "hardware": record["hardware"]}))


def register(train_app: typer.Typer, evaluate_app: typer.Typer) -> None:
    train_app.command("encoder")(train_encoder)
