"""`resonance train cultural` and `resonance evaluate cultural`."""
from __future__ import annotations

from resonance.commands.corpus_models import register_task


def register(train_app, evaluate_app) -> None:
    register_task("cultural", train_app, evaluate_app)
