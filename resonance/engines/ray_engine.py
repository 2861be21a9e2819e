"""The ray engine: a Ray Data pipeline over the paths, for thousands of scripts.

    paths -> ray.data.from_items -> map_batches(ScriptScorer, actor pool) -> Report

Each actor of the pool loads the models once (on its first script) and keeps them for every
script it is handed; a script is scored exactly as the local engine scores it (one
``pipeline.score_path`` call), so the Report is the same, byte for byte, in the input order.

``ray.init()`` is called without an address, so ``RAY_ADDRESS`` (else a Ray already running on
this machine) decides where the work goes; with neither, a local Ray is started and stopped again. The paths
and the models folder must be readable on every node (a shared file system), relative paths are
read from the driver's working folder; with the result cache on, each node keeps its own cache
(``RESONANCE_CACHE_DIR`` is passed on when set).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from resonance.config import Config
from resonance.errors import ConfigError, ResonanceError
from resonance.report import Report

log = logging.getLogger("resonance")


class ScriptScorer:
    """A Ray Data actor: the models, loaded once per worker, and one ``score_path`` per path."""

    def __init__(self, config: Config, calibration=None, use_cache: bool = False, models=None,
                 int8: bool | None = None, cache_dir: str | None = None, cwd: str | None = None):
        if cwd and os.path.isdir(cwd):  # relative paths mean what they meant to the driver
            os.chdir(cwd)
        if cache_dir:
            os.environ["RESONANCE_CACHE_DIR"] = cache_dir
        if models is None:
            from resonance.classifiers.bundle import ShippedModels

            models = ShippedModels.shared(config.models_dir, int8=int8)
        self.config, self.calibration, self.models = config, calibration, models
        self.cache = None
        if use_cache:
            from resonance.cache import ResultCache

            self.cache = ResultCache()

    def __call__(self, batch: dict) -> dict:
        from resonance.pipeline import error_entry, score_path

        reports, errors = [], []
        for path in batch["path"]:
            try:
                reports.append(score_path(str(path), config=self.config, models=self.models,
                                          calibration=self.calibration, cache=self.cache))
                errors.append(None)
            except ResonanceError as err:
                reports.append(None)
                errors.append(error_entry(err, path))
        return {"index": list(batch["index"]), "report": reports, "error": errors}


def score_paths(paths: list, *, config: Config, models=None, calibration=None, use_cache: bool = False,
                int8: bool | None = None, workers: int | None = None, on_result=None, on_progress=None) -> Report:
    """Score ``paths`` on Ray; same Report as ``resonance.pipeline.score_paths``.

    ``workers``: actors in the pool (default: one per CPU of the cluster, at most one per path).
    ``models``: an object with the methods of ``resonance.analyze.Models`` to ship to the actors
    instead of the shipped models (it must pickle).
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError("the ray engine needs Ray: pip install 'resonance[ray]'") from None
    if not paths:
        return Report()
    if models is None:
        from resonance.classifiers.bundle import default_models_dir
        from resonance.classifiers.predict import int8_setting

        # resolved here, so every worker reads the same folder and precision as this process
        config = config.with_overrides(models_dir=str(Path(config.models_dir or default_models_dir()).resolve()))
        int8 = int8_setting() if int8 is None else int8
    started_here = not ray.is_initialized()
    if started_here:
        _init(ray)
    try:
        rows = _run(ray, [str(p) for p in paths], workers, on_progress, dict(
            config=config, calibration=calibration, use_cache=use_cache, models=models, int8=int8,
            cache_dir=os.environ.get("RESONANCE_CACHE_DIR"), cwd=os.getcwd()))
    finally:
        if started_here:
            ray.shutdown()
    reports, errors = [], []
    for row in sorted(rows, key=lambda r: r["index"]):
        if row["error"] is not None:
            errors.append(row["error"])
            continue
        reports.append(row["report"])
        if on_result is not None:
            on_result(row["report"])
    return Report(scripts=tuple(reports), errors=tuple(errors))


def _init(ray) -> None:
    # no address: RAY_ADDRESS, else a Ray already running on this machine, else a new local one
    ray.init(logging_level=logging.WARNING, log_to_driver=False)


def _run(ray, paths: list[str], workers: int | None, on_progress, scorer_args: dict) -> list[dict]:
    from ray.data import ActorPoolStrategy, DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # its per-run INFO and progress notices
    cpus = int(ray.cluster_resources().get("CPU", 1))
    size = max(1, min(workers or cpus, len(paths)))
    items = [{"index": i, "path": path} for i, path in enumerate(paths)]
    scored = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        ScriptScorer, batch_size=1, batch_format="default", compute=ActorPoolStrategy(size=size), num_cpus=1,
        fn_constructor_kwargs=scorer_args)
    log.debug("ray engine: %d paths on %d actors (%d CPUs)", len(paths), size, cpus)
    rows = []
    for row in scored.iter_rows():
        rows.append(row)
        if on_progress is not None:
            on_progress()
    return rows
