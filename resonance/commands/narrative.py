"""`resonance train narrative` and `resonance evaluate narrative`."""
from __future__ import annotations

from resonance.commands.corpus_models import register_task


def register(train_app, evaluate_app) -> None:
    register_task("narrative", train_app, evaluate_app)
