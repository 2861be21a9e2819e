"""Engines: where the scoring of many paths runs. Same inputs, same Report, byte for byte.

- ``local``: this process, one script after another, models loaded once (the default).
- ``ray``: a Ray Data pipeline whose actors each keep the models loaded, on a local Ray or the
  cluster ``RAY_ADDRESS`` names; for thousands of scripts. Needs ``pip install 'resonance[ray]'``.

Nothing heavy is imported here.
"""
from __future__ import annotations

from resonance.errors import ConfigError

ENGINES = ("local", "ray")


def score_paths(paths: list, *, engine: str = "local", **options):
    """``pipeline.score_paths`` on the named engine; ``options`` are that function's keywords plus
    ``int8`` (None: the models' default) and, for ray, ``workers``."""
    if engine == "local":
        from resonance.engines.local import score_paths as run
    elif engine == "ray":
        from resonance.engines.ray_engine import score_paths as run
    else:
        raise ConfigError(f"unknown engine {engine!r} (use {' or '.join(ENGINES)})")
    return run(list(paths), **options)
