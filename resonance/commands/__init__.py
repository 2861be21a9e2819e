"""Model commands (`resonance train ...`, `resonance evaluate ...`), one module per task.

Each module exposes ``register(train_app, evaluate_app)``; bodies import heavy libraries lazily.
"""
from __future__ import annotations

import importlib

TASK_MODULES = ("emotion", "encoder", "narrative", "cultural")


def register_all(train_app, evaluate_app) -> None:
    for name in TASK_MODULES:
        try:
            module = importlib.import_module(f"resonance.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"resonance.commands.{name}":
                raise
            continue
        module.register(train_app, evaluate_app)
