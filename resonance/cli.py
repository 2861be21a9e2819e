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


MaxBytesOption = Annotated[Optional[int], typer.Option(
    "--max-bytes", help="Refuse files larger than this many bytes (default 20 MiB).")]
FileTimeoutOption = Annotated[Optional[float], typer.Option(
    "--file-timeout", help="Per-file time limit in seconds (default 300; 0 = none).")]


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


def _load_settings(weights: Optional[Path], paywall: Optional[str], models_dir: Optional[Path],
                   max_bytes: Optional[int] = None, file_timeout: Optional[float] = None):
    """Config from files, then CLI overrides. Raises ConfigError."""
    from resonance.config import ConfigError, load_config, load_weights

    config = load_config().with_overrides(max_bytes=max_bytes, file_timeout_s=file_timeout)
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
    max_bytes: MaxBytesOption = None,
    file_timeout: FileTimeoutOption = None,
    engine: Annotated[str, typer.Option(help="local (this process) or ray (the Ray cluster at RAY_ADDRESS, "
                                             "else a local Ray; needs the 'ray' extra).")] = "local",
    workers: Annotated[Optional[int], typer.Option(help="Ray actors (default: one per CPU).", min=1)] = None,
    int8: Annotated[Optional[bool], typer.Option(
        "--int8/--no-int8", help="Run every encoder quantised to int8, or none (faster; default: "
                                 "$RESONANCE_INT8, else int8 only for the models whose int8.json records "
                                 "a cost within 1 F1 point; see docs/performance.md).")] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Keep running: score now and again after every save of "
                                                        "the files (models stay loaded; Ctrl-C stops).")] = False,
    no_server: Annotated[bool, typer.Option("--no-server", help="Score in this process even when a `resonance "
                                                                "serve` is running, and start none.")] = False,
) -> None:
    """Score every episode on emotional, cultural and narrative resonance, plus an overall rating."""
    from resonance.errors import ResonanceError
    from resonance.render import FORMATS

    if format not in FORMATS:
        _err(f"unknown --format '{format}' (use {', '.join(FORMATS)})")
        raise typer.Exit(2)
    if not (no_server or watch or engine != "local" or format == "jsonl"):
        _forward_to_server(paths=[str(p.absolute()) for p in paths], format=format, output=_absolute(output),
                           weights=_absolute(weights), paywall=paywall, models_dir=_absolute(models_dir),
                           no_cache=no_cache, max_bytes=max_bytes, file_timeout=file_timeout, int8=int8)
    try:
        config, calibration = _load_settings(weights, paywall, models_dir, max_bytes, file_timeout)
    except ResonanceError as err:
        _err(str(err))
        raise typer.Exit(2) from None
    from resonance.engines import score_paths

    if workers is not None and engine != "ray":
        _err("--workers applies to --engine ray")
        raise typer.Exit(2)
    options = {"workers": workers} if workers is not None else {}
    if watch:
        if engine != "local" or format == "jsonl":
            _err("--watch runs the local engine with table, json, csv, markdown or html output")
            raise typer.Exit(2)
        _watch_scores(list(paths), format, output, config, calibration, not no_cache, int8)
        return
    if format == "jsonl" and engine == "local":
        _score_streaming_jsonl(list(paths), config, calibration, not no_cache, output)
        return
    try:
        report = score_paths(list(paths), engine=engine, config=config, calibration=calibration,
                             use_cache=not no_cache, int8=int8, **options)
    except ResonanceError as err:  # an unknown engine, Ray not installed
        _err(str(err))
        raise typer.Exit(2) from None
    _show(report, format, output)
    if engine == "local" and not no_server:
        _leave_server_behind(sorted({script.language for script in report.scripts}) or ["zh", "en"])
    if report.errors:
        raise typer.Exit(1)


def _leave_server_behind(languages: list[str]) -> None:
    """In a terminal, start a background `resonance serve` for the next `score`, with the models of
    ``languages`` loaded (it exits after IDLE_EXIT_S without a request; RESONANCE_SERVER=off turns
    this off): see resonance/server.py."""
    from resonance.server import IDLE_EXIT_S, auto_start_wanted, start_background

    if auto_start_wanted():
        try:
            if start_background(preload=",".join(languages)):
                typer.echo("note: started a background `resonance serve` so that the next score skips loading the "
                           f"models (it stops after {IDLE_EXIT_S // 60} idle minutes; RESONANCE_SERVER=off turns this "
                           "off)", err=True)
        except OSError as error:  # a read-only cache folder: scoring itself went fine
            typer.echo(f"note: could not start a background server: {error}", err=True)


def _absolute(path: Optional[Path]) -> Optional[str]:
    return str(path.absolute()) if path is not None else None


def _forward_to_server(**params) -> None:
    """When a `resonance serve` answers, print its reply and exit with its code; else return."""
    from resonance.server import forward

    reply = forward(params)
    if reply is None:
        return
    sys.stdout.write(reply.get("stdout", ""))
    sys.stderr.write(reply.get("stderr", ""))
    raise typer.Exit(int(reply.get("code", 1)))


def _score_request(params: dict) -> int:
    """The server's side of `score`: the same command, in this process, never forwarded again."""
    import click

    paths = [Path(p) for p in params.pop("paths")]
    for key in ("output", "weights", "models_dir"):
        if params.get(key) is not None:
            params[key] = Path(params[key])
    try:
        score(paths, **params, engine="local", workers=None, watch=False, no_server=True)
    except click.exceptions.Exit as done:
        return done.exit_code
    return 0


@app.command()
def serve(
    socket_path: Annotated[Optional[Path], typer.Option(
        "--socket", help="Unix socket to listen on (default: $RESONANCE_SERVER_SOCKET, else server.sock in "
                         "the cache folder, where `resonance score` looks).")] = None,
    preload: Annotated[str, typer.Option(help="Languages whose models load before the first request "
                                              "(comma-separated; empty: load on first use).")] = "zh,en",
    idle_exit: Annotated[Optional[int], typer.Option(
        help="Stop after this many seconds without a request (default: run until stopped).", min=1)] = None,
    stop: Annotated[bool, typer.Option("--stop", help="Stop the server listening on the socket, then exit.")] = False,
    status: Annotated[bool, typer.Option("--status", help="Say whether a server listens on the socket "
                                                          "(pid, requests, time up), then exit.")] = False,
) -> None:
    """Keep the models loaded and score for every `resonance score` on this machine (Ctrl-C stops).

    A new `resonance score` process spends about 6 s importing torch and spaCy and loading models;
    while this server runs, `score` hands it the work and an edited episode comes back in well
    under a second. A retrained model folder is picked up at the next request."""
    import os

    from resonance.server import default_socket, serve as serve_forever, status as server_status, stop as stop_server

    path = socket_path or default_socket()
    if status:
        state = server_status(path)
        if state is None:
            _err(f"no resonance server answers on {path}")
            raise typer.Exit(1)
        idle = f", stops after {state['idle_exit_s']} s without a request" if state.get("idle_exit_s") else ""
        typer.echo(f"resonance server pid {state['pid']} on {state['socket']}: up {state['up_s']} s, "
                   f"{state['requests']} requests answered{idle}")
        return
    if stop:
        if not stop_server(path):
            _err(f"no resonance server answers on {path}")
            raise typer.Exit(1)
        typer.echo(f"stopped the resonance server on {path}", err=True)
        return
    from resonance.classifiers.bundle import ShippedModels

    def load_models() -> None:
        models = ShippedModels.shared()
        for language in [lang.strip() for lang in preload.split(",") if lang.strip()]:
            try:
                models.preload(language)
            except Exception as error:  # noqa: BLE001 - a missing language must not stop the server
                _err(f"could not preload {language}: {error}")

    try:
        serve_forever(_score_request, path, prepare=load_models, idle_exit_s=idle_exit, on_ready=lambda _: typer.echo(
            f"resonance server (pid {os.getpid()}) listening on {path}; Ctrl-C stops", err=True))
    except RuntimeError as error:
        _err(str(error))
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass
    typer.echo("server stopped", err=True)


def _show(report, format: str, output: Optional[Path]) -> None:
    """The report on the terminal (table), into --output (atomically) or to stdout; errors to stderr."""
    from resonance.render import render

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


def _watch_scores(paths: list[Path], format: str, output: Optional[Path], config, calibration,
                  use_cache: bool, int8: Optional[bool]) -> None:
    """`score --watch`: one process, models loaded once, a fresh report after every settled save."""
    import time

    from resonance.engines import score_paths
    from resonance.pipeline import default_models
    from resonance.watch import watch

    models = default_models(config, int8)
    loaded: set[str] = set()

    def run() -> None:
        started = time.perf_counter()
        report = score_paths(paths, engine="local", config=config, calibration=calibration,
                             use_cache=use_cache, models=models)
        _show(report, format, output)
        typer.echo(f"scored at {time.strftime('%H:%M:%S')} in {time.perf_counter() - started:.1f} s; "
                   f"watching {len(paths)} path(s) for changes (Ctrl-C stops)", err=True)
        for language in sorted({s.language for s in report.scripts} - loaded):
            getattr(models, "preload", lambda _: None)(language)  # an all-hit first run loaded nothing: the next save would pay
            loaded.add(language)

    try:
        watch(paths, run)
    except KeyboardInterrupt:
        typer.echo("stopped watching", err=True)


def _score_streaming_jsonl(paths: list[Path], config, calibration, use_cache: bool, output: Optional[Path]) -> None:
    """JSON Lines, one script per line, written and flushed as each script is scored, so a batch
    killed half-way keeps every result already reported."""
    import json

    from resonance.pipeline import score_paths

    handle = open(output, "a", encoding="utf-8") if output is not None else sys.stdout

    def emit(report) -> None:
        handle.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
        handle.flush()

    try:
        report = score_paths(paths, config=config, calibration=calibration, use_cache=use_cache, on_result=emit)
        for error in report.errors:
            handle.write(json.dumps({"error": dict(error)}, ensure_ascii=False) + "\n")
    finally:
        if output is not None:
            handle.close()
    for error in report.errors:
        _err(f"{error['source']}: {error['message']}")
    if report.errors:
        raise typer.Exit(1)


def _score_or_exit(paths: list[Path], config, calibration, use_cache: bool, progress: bool = False):
    from resonance.pipeline import score_paths

    if not progress:
        return score_paths(paths, config=config, calibration=calibration, use_cache=use_cache)
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("scoring", total=len(paths))
        return score_paths(paths, config=config, calibration=calibration, use_cache=use_cache,
                           on_progress=lambda: bar.advance(task))


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Script files or folders of episode files.")],
    min_overall: Annotated[Optional[float], typer.Option(help="Minimum series overall of each script.")] = None,
    min_episode: Annotated[Optional[float], typer.Option(help="Minimum overall of every episode.")] = None,
    min_emotional: Annotated[Optional[float], typer.Option(help="Minimum emotional score of every episode.")] = None,
    min_cultural: Annotated[Optional[float], typer.Option(help="Minimum cultural score of every episode.")] = None,
    min_narrative: Annotated[Optional[float], typer.Option(help="Minimum narrative score of every episode.")] = None,
    junit: Annotated[Optional[Path], typer.Option(help="Write JUnit XML (one test case per episode).")] = None,
    weights: Annotated[Optional[Path], typer.Option(help="Weights or calibration file.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the result cache.")] = False,
) -> None:
    """CI gate: exit 0 when every script and episode passes, 1 when any is below, 2 on usage errors."""
    from resonance.checks import THRESHOLD_KEYS, run_checks, to_junit
    from resonance.errors import ResonanceError

    try:
        config, calibration = _load_settings(weights, None, None)
    except ResonanceError as err:
        _err(str(err))
        raise typer.Exit(2) from None
    given = {"min_overall": min_overall, "min_episode": min_episode, "min_emotional": min_emotional,
             "min_cultural": min_cultural, "min_narrative": min_narrative}
    thresholds = {k: v for k, v in {**config.thresholds, **{k: v for k, v in given.items() if v is not None}}.items()
                  if k in THRESHOLD_KEYS}
    if not thresholds:
        _err("no thresholds: pass --min-overall/--min-episode/... or set [tool.resonance.thresholds]")
        raise typer.Exit(2)
    if any(not 0 <= v <= 100 for v in thresholds.values()):
        _err("thresholds are scores between 0 and 100")
        raise typer.Exit(2)
    report = _score_or_exit(list(paths), config, calibration, not no_cache)
    results = run_checks(report, thresholds)
    for result in results:
        where = result.source if result.episode is None else f"{result.source} episode {result.episode}"
        if not result.passed:
            typer.echo(f"FAIL {where}: {'; '.join(result.failures)}")
    failed = sum(not r.passed for r in results)
    typer.echo(f"{len(results) - failed} passed, {failed} failed")
    if junit is not None:
        from resonance.atomic import write_text_atomic

        write_text_atomic(junit, to_junit(results, report.errors))
    for error in report.errors:
        _err(f"{error['source']}: {error['message']}")
    raise typer.Exit(1 if failed or report.errors else 0)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier draft.")],
    new: Annotated[Path, typer.Argument(help="The later draft.")],
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the result cache.")] = False,
) -> None:
    """Compare two drafts: episodes aligned by number, score deltas, flags gained and lost."""
    import json

    from resonance.diffing import diff_reports, series_delta

    if format not in ("table", "json"):
        _err(f"unknown --format '{format}' (use table or json)")
        raise typer.Exit(2)
    config, calibration = _load_settings(None, None, None)
    report = _score_or_exit([old, new], config, calibration, not no_cache)
    if report.errors:
        for error in report.errors:
            _err(f"{error['source']}: {error['message']}")
        raise typer.Exit(1)
    a, b = report.scripts
    episodes = diff_reports(a, b)
    if format == "json":
        typer.echo(json.dumps({"old": a.source, "new": b.source, "series_delta": series_delta(a, b),
                               "episodes": [e.to_dict() for e in episodes]}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{a.source} → {b.source}")
    for col in ("ep", "emotional", "cultural", "narrative", "overall", "flags +", "flags -"):
        table.add_column(col, justify="right" if col not in ("flags +", "flags -") else "left")

    def cell(e, k):
        if e.old is None:
            return f"new {e.new[k]:.0f}"
        if e.new is None:
            return "removed"
        d = e.delta[k]
        color = "green" if d > 0 else "red" if d < 0 else "dim"
        return f"{e.new[k]:.0f} [{color}]({d:+.1f})[/]"

    for e in episodes:
        table.add_row(str(e.number), *(cell(e, k) for k in ("emotional", "cultural", "narrative", "overall")),
                      " ".join(e.flags_added), " ".join(e.flags_removed))
    console = Console()
    console.print(table)
    delta = series_delta(a, b)
    console.print("series: " + ", ".join(f"{k} {v:+.1f}" for k, v in delta.items()))


@app.command()
def triage(
    folder: Annotated[Path, typer.Argument(help="A folder of submissions: one script per file or sub-folder.")],
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="Also write the ranking as CSV.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the result cache.")] = False,
    max_bytes: MaxBytesOption = None,
    file_timeout: FileTimeoutOption = None,
) -> None:
    """Rank a folder of submissions by series score, with a one-paragraph summary each."""
    import csv
    import io
    import json

    from resonance.triage import rank, submissions

    if format not in ("table", "csv", "json"):
        _err(f"unknown --format '{format}' (use table, csv or json)")
        raise typer.Exit(2)
    if not folder.is_dir():
        _err(f"{folder}: not a folder")
        raise typer.Exit(2)
    config, calibration = _load_settings(None, None, None, max_bytes, file_timeout)
    items = submissions(folder)
    report = _score_or_exit(items, config, calibration, not no_cache, progress=format == "table")
    ranked = rank(list(report.scripts))
    rows = [r.row() for r in ranked]
    buffer = io.StringIO()
    fields = ["rank", "source", "title", "episodes", "emotional", "cultural", "narrative", "overall", "summary"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if csv_path is not None:
        from resonance.atomic import write_text_atomic

        write_text_atomic(csv_path, buffer.getvalue())
    if format == "csv":
        sys.stdout.write(buffer.getvalue())
    elif format == "json":
        typer.echo(json.dumps({"ranking": rows, "errors": list(report.errors)}, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"triage of {folder} ({len(rows)} scored)", show_lines=True)
        for col in ("#", "submission", "overall", "emo", "cult", "narr", "summary"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r["rank"]), Path(r["source"]).name, f"{r['overall']:.1f}", f"{r['emotional']:.0f}",
                          f"{r['cultural']:.0f}", f"{r['narrative']:.0f}", r["summary"])
        Console().print(table)
    if report.errors:
        typer.echo(f"{len(report.errors)} submission(s) could not be scored:", err=True)
        for error in report.errors:
            _err(f"{error['source']}: {error['message']}")
        raise typer.Exit(1)


@app.command()
def calibrate(
    outcomes: Annotated[Path, typer.Option(help="CSV with columns source, episode, outcome.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the calibration JSON.")
                      ] = Path("resonance-calibration.json"),
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the result cache.")] = False,
) -> None:
    """Fit the overall rating to audience outcomes; use the result with `score --weights`."""
    import json

    from resonance.atomic import write_text_atomic
    from resonance.errors import ResonanceError
    from resonance.scoring.calibrate import calibrate_from_reports, calibration_json, read_outcomes

    try:
        table = read_outcomes(outcomes)
        config, _ = _load_settings(None, None, None)
        sources = sorted({source for source, _ in table})
        report = _score_or_exit([Path(s) for s in sources], config, None, not no_cache, progress=True)
        calibration = calibrate_from_reports(report.scripts, table, folds=folds)
    except ResonanceError as err:
        _err(str(err))
        raise typer.Exit(1) from None
    write_text_atomic(output, json.dumps(calibration_json(calibration), indent=2) + "\n")
    m = calibration.metrics
    typer.echo(f"{m['episodes']} episodes, {m['folds']}-fold CV Spearman: calibrated {m['spearman_cv']:+.3f}, "
               f"length only {m['spearman_length_only']:+.3f}, uncalibrated overall "
               f"{m['spearman_uncalibrated_overall']:+.3f}; written to {output}")
    for warning in m.get("warnings", []):
        typer.echo(f"warning: {warning}", err=True)


cache_app = typer.Typer(help="The per-episode result cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached result."""
    from resonance.cache import ResultCache

    cache = ResultCache()
    count = cache.clear()
    typer.echo(f"cleared {count} cached episode(s) from {cache.path}")


@cache_app.command("path")
def cache_path() -> None:
    """Print where the cache lives."""
    from resonance.cache import default_path

    typer.echo(str(default_path()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
