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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
