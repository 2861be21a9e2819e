"""The `resonance` command line. Thin: each command maps options onto one library call.

Heavy libraries (torch, transformers, spaCy) are imported inside command bodies only.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from resonance import __version__
from resonance.commands import register_all

app = typer.Typer(
    name="resonance",
    help="Score drama scripts (Chinese micro-dramas and English vertical dramas) on emotional, "
         "cultural and narrative resonance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a model from the datasets in ../shared/datasets.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate a shipped model on its held-out test split.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
register_all(train_app, evaluate_app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"resonance {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None) -> None:
    """resonance: emotional, cultural and narrative resonance of drama scripts."""


def _err(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


class Format:
    JSON = "json"
    TABLE = "table"


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Script files or folders of episode files.")],
    format: Annotated[str, typer.Option("--format", "-f", help="json or table.")] = "table",
    max_bytes: Annotated[int, typer.Option(help="Refuse files larger than this many bytes.")] = 20 * 1024 * 1024,
) -> None:
    """Show the structure a script is read into: episodes, scenes, elements."""
    from resonance.io import read_paths
    from resonance.render import structure

    if format not in (Format.JSON, Format.TABLE):
        _err(f"unknown --format '{format}' (use json or table)")
        raise typer.Exit(2)
    scripts, errors = read_paths(list(paths), max_bytes=max_bytes)
    if format == Format.JSON:
        typer.echo(structure.to_json(scripts, errors))
    else:
        from rich.console import Console

        structure.print_table(scripts, Console())
    for error in errors:
        _err(str(error))
    if errors:
        raise typer.Exit(1)


def _load_settings(weights: Optional[Path], paywall: Optional[str], models_dir: Optional[Path]):
    """Config from files, then CLI overrides. Raises ConfigError."""
    from resonance.config import ConfigError, load_config, load_weights

    config = load_config()
    calibration = None
    if weights is not None:
        values, calibration = load_weights(weights)
        if values:
            config = config.with_overrides(weights=values)
    if paywall:
        try:
            start, end = (int(x) for x in paywall.split("-", 1))
        except ValueError:
            raise ConfigError(f"--paywall must look like 8-12, not {paywall!r}") from None
        config = config.with_overrides(paywall_start=start, paywall_end=end)
    if models_dir is not None:
        config = config.with_overrides(models_dir=str(models_dir))
    return config, calibration


@app.command()
def score(
    paths: Annotated[list[Path], typer.Argument(help="Script files or folders of episode files.")],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="table, json, jsonl, csv, markdown or html.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically).")] = None,
    weights: Annotated[Optional[Path], typer.Option(help="Weights file (JSON/TOML) or a calibration from "
                                                         "`resonance calibrate`.")] = None,
    paywall: Annotated[Optional[str], typer.Option(help="Paywall window, e.g. 8-12.")] = None,
    models_dir: Annotated[Optional[Path], typer.Option(help="Folder of model folders (default: shipped).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache.")] = False,
) -> None:
    """Score every episode on emotional, cultural and narrative resonance, plus an overall rating."""
    from resonance.errors import ResonanceError
    from resonance.render import FORMATS, render

    if format not in FORMATS:
        _err(f"unknown --format '{format}' (use {', '.join(FORMATS)})")
        raise typer.Exit(2)
    try:
        config, calibration = _load_settings(weights, paywall, models_dir)
    except ResonanceError as err:
        _err(str(err))
        raise typer.Exit(2) from None
    from resonance.pipeline import score_paths

    report = score_paths(list(paths), config=config, calibration=calibration, use_cache=not no_cache)
    if format == "table" and output is None:
        from rich.console import Console

        from resonance.render.table import print_report

        print_report(report, Console())
    else:
        text = render(report, "json" if format == "table" else format)
        if output is not None:
            from resonance.atomic import write_text_atomic

            write_text_atomic(output, text)
        else:
            sys.stdout.write(text)
    for error in report.errors:
        _err(f"{error['source']}: {error['message']}")
    if report.errors:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
