"""path -> parse -> Script -> analyze (models) -> score -> Report, one stage after another.

Each stage's time is logged at DEBUG level (``RESONANCE_LOG=debug``).
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from resonance.config import Config, load_config
from resonance.errors import ResonanceError
from resonance.report import Report, ScriptReport
from resonance.scoring.combine import Calibration
from resonance.scoring.episode import score_episode, series_report
from resonance.timelimit import time_limit
from resonance.types import Script

log = logging.getLogger("resonance")


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    log.debug("%s: %.3f s", name, time.perf_counter() - start)


def analyze_with_cache(script: Script, models, cache=None) -> list:
    """Model signals per episode; with a cache, only episodes not seen before reach the models
    (and an all-hit script never imports torch)."""
    from dataclasses import replace

    from resonance.analyze import analyze

    if cache is None:
        return analyze(script, models)
    from resonance.cache import episode_key

    versions = models.versions_for(script.language)
    keys = [episode_key(_unnumbered(ep), script.language, versions) for ep in script.episodes]
    found = [cache.get(k, ep, script.language) for k, ep in zip(keys, script.episodes)]
    missing = [i for i, f in enumerate(found) if f is None]
    if missing:
        fresh = analyze(replace(script, episodes=tuple(script.episodes[i] for i in missing)), models)
        for i, signals in zip(missing, fresh):
            cache.put(keys[i], signals)
            found[i] = signals
    return found


def _unnumbered(episode):
    """The episode with its file line numbers zeroed, for its cache key: a line added to episode 3
    moves every later line in the file, but the signals of episodes 4.. do not depend on where
    they sit in the file (cached signals are rebuilt on the episode's own elements), so they
    must still be hits."""
    from dataclasses import replace

    return replace(episode, scenes=tuple(replace(scene, elements=tuple(replace(e, line=0) for e in scene.elements))
                                         for scene in episode.scenes))


def score_script(script: Script, models, config: Config,
                 calibration: Calibration | None = None, cache=None) -> ScriptReport:
    with stage(f"analyze {script.source}"):
        signals = analyze_with_cache(script, models, cache)
    with stage("score"):
        episodes = tuple(score_episode(s, config, calibration) for s in signals)
    return ScriptReport(source=script.source, language=script.language, format=script.format,
                        models=models.versions_for(script.language), series=series_report(list(episodes), config),
                        episodes=episodes, title=script.title)


def score(path_or_text, *, config: Config | None = None, models=None,
          calibration: Calibration | None = None, use_cache: bool = True) -> Report:
    """Score one path (file or folder) or a script text. Raises ResonanceError on bad input.

    With ``use_cache`` (the default) episodes seen before are answered from the result cache."""
    import resonance

    config = config or load_config()
    script = resonance.parse(Path(path_or_text) if isinstance(path_or_text, os.PathLike) else path_or_text,
                             **({"max_bytes": config.max_bytes} if _is_path(path_or_text) else {}))
    models = models or default_models(config)
    cache = None
    if use_cache:
        from resonance.cache import ResultCache

        cache = ResultCache()
    return Report(scripts=(score_script(script, models, config, calibration, cache),))


def score_paths(paths: list, *, config: Config, models=None, calibration: Calibration | None = None,
                use_cache: bool = False, on_result=None, on_progress=None) -> Report:
    """Score many paths; a bad file is reported under errors and the others are still scored.

    One process, models loaded once (resonance.engines.ray_engine spreads the same work over a
    Ray cluster)."""
    cache = None
    if use_cache:
        from resonance.cache import ResultCache

        cache = ResultCache()
    reports, errors = [], []
    for path in paths:
        try:
            report = score_path(path, config=config, models=models, calibration=calibration, cache=cache)
        except ResonanceError as err:
            errors.append(error_entry(err, path))
            continue
        finally:
            if on_progress is not None:
                on_progress()
        reports.append(report)
        if on_result is not None:
            on_result(report)
    return Report(scripts=tuple(reports), errors=tuple(errors))


def score_path(path, *, config: Config, models=None, calibration: Calibration | None = None,
               cache=None) -> ScriptReport:
    """One file or folder -> its ScriptReport, within the per-file time limit. Raises ResonanceError."""
    from resonance.io import read_script

    with time_limit(config.file_timeout_s, str(path)):
        script = read_script(path, max_bytes=config.max_bytes)
        return score_script(script, models or default_models(config), config, calibration, cache)


def error_entry(err: ResonanceError, path) -> dict:
    return {"source": err.source or str(path), "message": err.message, "line": err.line}


def default_models(config: Config, int8: bool | None = None):
    """The shipped models of ``config.models_dir``, loaded once per process; ``int8`` as
    ShippedModels takes it (None: each model's int8.json decides)."""
    from resonance.classifiers.bundle import ShippedModels

    return ShippedModels.shared(config.models_dir, int8=int8)


def _is_path(value) -> bool:
    return isinstance(value, os.PathLike) or (isinstance(value, str) and "\n" not in value
                                              and os.path.exists(value))
