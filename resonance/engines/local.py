"""The local engine: every path in this process, through resonance.pipeline.score_paths.

Models are loaded once and reused for every script; each script's lines go through each
classifier in length-sorted batches (resonance.analyze); on a cache hit nothing imports torch.
"""
from __future__ import annotations

from resonance.config import Config
from resonance.report import Report


def score_paths(paths: list, *, config: Config, models=None, int8: bool | None = None, **options) -> Report:
    from resonance.pipeline import score_paths as run

    if models is None and int8 is not None:
        from resonance.classifiers.bundle import ShippedModels

        models = ShippedModels.shared(config.models_dir, int8=int8)
    return run(paths, config=config, models=models, **options)
