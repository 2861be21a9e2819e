"""`resonance train/evaluate narrative|cultural`: the two classifiers trained on our annotated
corpus share one pair of thin commands, built here for each task."""

import importlib
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from resonance.errors import ResonanceError

LangOption = Annotated[str, typer.Option("--lang", "-l", help="en or zh.")]


def _fail(err: Exception) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def register_task(task: str, train_app, evaluate_app) -> None:
    module_name = f"resonance.classifiers.{task}"

    def train_command(
        lang: LangOption = "en",
        out: Annotated[Optional[Path], typer.Option(help=f"Output folder (default models/{task}-LANG).")] = None,
        epochs: Annotated[int, typer.Option(help="Maximum epochs.")] = 12,
        lr: Annotated[float, typer.Option(help="Learning rate of the fine-tuned layers.")] = 1e-4,
        head_lr: Annotated[float, typer.Option(help="Learning rate of the heads.")] = 2e-3,
        batch_size: Annotated[int, typer.Option(help="Examples per step.")] = 16,
        trainable_layers: Annotated[int, typer.Option(help="Top encoder layers to fine-tune.")] = 2,
        class_weighting: Annotated[str, typer.Option(help="none, sqrt or balanced.")] = "sqrt",
        patience: Annotated[int, typer.Option(help="Epochs without dev gain before stopping.")] = 4,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
        max_minutes: Annotated[Optional[float], typer.Option(help="Wall-clock budget.")] = 30.0,
        threads: Annotated[int, typer.Option(help="torch threads.")] = 1,
        dev_metric: Annotated[str, typer.Option(help="Early stopping on dev 'macro' or 'weighted' F1.")] = "macro",
        max_length: Annotated[int, typer.Option(help="Tokens per input (line + context); the line keeps 3/4 of "
                                                     "them. Shorter is faster to run.")] = 128,
    ) -> None:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
        try:
            from resonance.classifiers.train import TrainSettings

            module = importlib.import_module(module_name)
            settings = TrainSettings(epochs=epochs, lr=lr, head_lr=head_lr, batch_size=batch_size,
                                     class_weighting=class_weighting, patience=patience, seed=seed,
                                     max_minutes=max_minutes, threads=threads, dev_metric=dev_metric)
            target = out or module.TASK.model_dir(lang)
            result = module.train(lang, target, settings, trainable_layers=trainable_layers, max_length=max_length,
                                  command=shlex.join(["resonance", *sys.argv[1:]]))
        except ResonanceError as err:
            _fail(err)
        typer.echo(json.dumps({"model": str(target), "best_epoch": result.best_epoch,
                               "best_dev_score": result.best_dev_score, "minutes": result.minutes}))

    def evaluate_command(
        lang: LangOption = "en",
        model: Annotated[Optional[Path], typer.Option(help=f"Model folder (default models/{task}-LANG).")] = None,
        split: Annotated[str, typer.Option(help="test or dev.")] = "test",
        write_card: Annotated[bool, typer.Option("--write-card", help="Write the results into the model card.")
                              ] = False,
    ) -> None:
        try:
            from resonance.classifiers.cards import metrics_table, write_results

            module = importlib.import_module(module_name)
            report = module.evaluate(lang, model, split)
            if write_card:
                folder = Path(model) if model else module.TASK.model_dir(lang)
                command = shlex.join(["resonance", *sys.argv[1:]])
                write_results(folder, f"Command: `{command}`\n\n" + metrics_table(report))
        except ResonanceError as err:
            _fail(err)
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))

    train_command.__doc__ = f"Train the {task} classifier on the annotated corpus (corpora/annotated)."
    evaluate_command.__doc__ = (f"Evaluate the {task} classifier on held-out series beside the rule and "
                                "TF-IDF baselines.")
    train_app.command(task)(train_command)
    evaluate_app.command(task)(evaluate_command)
