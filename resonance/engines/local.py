"""The local engine: every path in this process, through resonance.pipeline.score_paths.

Models are loaded once and reused for every script; each script's lines go through each
classifier in length-sorted batches (resonance.analyze); on a cache hit nothing imports torch.
"""
from __future__ import annotations

from resonance.config import Config
from resonance.report import Report


def score_paths(paths: list, *, config: Config, models=None, int8: bool | None = None, **options) -> Report:
    from resonance.pipeline import default_models, score_paths as run

    return run(paths, config=config, models=models or default_models(config, int8), **options)
