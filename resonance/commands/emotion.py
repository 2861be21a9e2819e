"""`resonance train emotion` and `resonance evaluate emotion`: thin wrappers over
resonance.classifiers.emotion.train / evaluate (heavy imports happen inside the bodies)."""
from __future__ import annotations

import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from resonance.errors import ResonanceError

LangOption = Annotated[str, typer.Option("--lang", "-l", help="en or zh.")]
DatasetsOption = Annotated[Optional[Path], typer.Option(
    "--datasets", help="Datasets folder (default: $RESONANCE_DATASETS or ../shared/datasets).")]


def _command_line() -> str:
    return shlex.join(["resonance", *sys.argv[1:]])


def _fail(err: Exception) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def _log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")


def train_emotion(
    lang: LangOption = "en",
    out: Annotated[Optional[Path], typer.Option(help="Output model folder (default models/emotion-LANG).")] = None,
    epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = 4,
    batch_size: Annotated[int, typer.Option(help="Examples per step.")] = 32,
    lr: Annotated[float, typer.Option(help="Learning rate of the fine-tuned encoder layers.")] = 5e-5,
    head_lr: Annotated[float, typer.Option(help="Learning rate of the heads.")] = 1e-3,
    trainable_layers: Annotated[int, typer.Option(help="Top encoder layers to fine-tune.")] = 2,
    pooling: Annotated[str, typer.Option(help="text_mean, mean or cls.")] = "text_mean",
    class_weighting: Annotated[str, typer.Option(help="none, sqrt or balanced.")] = "none",
    patience: Annotated[int, typer.Option(help="Epochs without dev gain before stopping.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
    max_minutes: Annotated[Optional[float], typer.Option(help="Wall-clock budget for training.")] = 60.0,
    threads: Annotated[int, typer.Option(help="torch threads (keep 1 on a shared machine).")] = 1,
    device: Annotated[str, typer.Option(help="Where the fine-tuned layers train (en): cpu, cuda or auto.")] = "cpu",
    extra: Annotated[Optional[list[str]], typer.Option(
        help="Extra training source (en: goemotions; zh: smp2020, nlpcc2013). Repeatable.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Use at most N examples per source split (dry runs).")] = None,
    extra_limit: Annotated[Optional[int], typer.Option(help="Sample at most N examples per extra source.")] = None,
    encoder: Annotated[Optional[str], typer.Option(
        help="Encoder folder for zh (default models/encoder-zh).")] = None,
    dtype: Annotated[str, typer.Option(help="Stored weight type: float16 or float32.")] = "float16",
    adjust_priors: Annotated[bool, typer.Option(
        help="Logit adjustment per head, its strength chosen on dev.")] = True,
    fuse: Annotated[bool, typer.Option(
        help="Then fuse each head with the TF-IDF + LR scorer, weight chosen on dev (en).")] = False,
    fuse_only: Annotated[bool, typer.Option(
        help="Do not train: fuse the model already in --out (or the shipped one) with its n-gram scorers.")] = False,
    dialogue: Annotated[bool, typer.Option(
        help="Do not train the classifier: add the dialogue stage (a BiGRU over each scene's lines, "
             "weights chosen on dev) to the model already in --out (or the shipped one) (zh).")] = False,
    dialogue_members: Annotated[int, typer.Option(help="GRUs averaged in the dialogue stage.")] = 3,
    dialogue_epochs: Annotated[int, typer.Option(help="Epochs of each dialogue GRU (best on dev kept).")] = 12,
    datasets: DatasetsOption = None,
) -> None:
    """Train an emotion model (English: MELD + EmoryNLP heads on MiniLM; Chinese: CPED on models/encoder-zh)."""
    _log_to_stderr()
    try:
        from resonance.classifiers import emotion
        from resonance.classifiers.train import TrainSettings

        settings = TrainSettings(epochs=epochs, batch_size=batch_size, lr=lr, head_lr=head_lr,
                                 class_weighting=class_weighting, patience=patience, seed=seed,
                                 max_minutes=max_minutes, threads=threads, device=device)
        spec = {"kind": "folder", "path": encoder} if encoder else None
        folder = out or emotion.default_model_dir(lang)
        if dialogue:
            import torch

            torch.set_num_threads(threads)
            choice = emotion.add_dialogue(lang, folder, root=datasets, limit=limit, members=dialogue_members,
                                          epochs=dialogue_epochs, command=_command_line())
            typer.echo(json.dumps({"model": str(folder), "weights": choice["weights"],
                                   "dev_weighted_f1_before": choice["dev_weighted_f1_before"],
                                   "dev_weighted_f1": choice["dev_weighted_f1"]}, indent=2))
            return
        if fuse_only:
            choices = emotion.add_fusion(lang, folder, root=datasets, limit=limit, command=_command_line())
            typer.echo(json.dumps({"model": str(folder), "fusion": choices}, indent=2))
            return
        result = emotion.train(lang, folder, settings, root=datasets, extra=extra or (), limit=limit,
                               extra_limit=extra_limit, trainable_layers=trainable_layers, pooling=pooling,
                               encoder=spec, dtype=dtype, adjust_priors=adjust_priors,
                               command=_command_line())
        if fuse:
            emotion.add_fusion(lang, folder, root=datasets, limit=limit, command=_command_line())
    except (ResonanceError, ValueError) as err:
        _fail(err)
    typer.echo(json.dumps({"model": str(folder), "best_epoch": result.best_epoch,
                           "best_dev_score": result.best_dev_score, "minutes": result.minutes,
                           "stopped": result.stopped, "history": result.history}, indent=2))


def evaluate_emotion(
    lang: LangOption = "en",
    model: Annotated[Optional[Path], typer.Option(help="Model folder (default models/emotion-LANG).")] = None,
    split: Annotated[str, typer.Option(help="dev or test.")] = "test",
    baseline: Annotated[bool, typer.Option(help="Also fit and score the TF-IDF + LR baseline.")] = True,
    write_card: Annotated[bool, typer.Option(help="Write the figures into the model's README.md and metrics.json.")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="json or table.")] = "table",
    threads: Annotated[int, typer.Option(help="torch threads.")] = 1,
    datasets: DatasetsOption = None,
) -> None:
    """Measure an emotion model on the held-out split(s), side by side with TF-IDF + LR."""
    if format not in ("json", "table"):
        _fail(ValueError(f"unknown --format '{format}' (use json or table)"))
    if split not in ("dev", "test"):
        _fail(ValueError(f"unknown --split '{split}' (use dev or test)"))
    try:
        import torch

        from resonance.classifiers import emotion
        from resonance.classifiers.emotion_card import update_card

        torch.set_num_threads(threads)
        folder = model or emotion.default_model_dir(lang)
        report = emotion.evaluate(lang, folder, split, root=datasets, baseline=baseline)
        if write_card:
            update_card(folder, report, _command_line())
    except (ResonanceError, ValueError) as err:
        _fail(err)
    if format == "json":
        typer.echo(json.dumps(report, indent=2))
        return
    _print_table(report)


def _print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{report['name']} on {report['split']}")
    for column in ("set", "head", "n", "model wF1", "model mF1", "transformer wF1", "TF-IDF wF1", "TF-IDF mF1",
                   "diff"):
        table.add_column(column)
    for name, entry in report["sets"].items():
        m, b, t = entry["model"], entry.get("baseline"), entry.get("transformer")
        table.add_row(name, entry["head"], str(m["n"]), f"{m['weighted_f1']:.3f}", f"{m['macro_f1']:.3f}",
                      f"{t['weighted_f1']:.3f}" if t else "-",
                      f"{b['weighted_f1']:.3f}" if b else "-", f"{b['macro_f1']:.3f}" if b else "-",
                      f"{entry['delta_weighted_f1']:+.3f}" if b else "-")
    Console().print(table)


def register(train_app: typer.Typer, evaluate_app: typer.Typer) -> None:
    train_app.command("emotion")(train_emotion)
    evaluate_app.command("emotion")(evaluate_emotion)
