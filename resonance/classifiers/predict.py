"""Batched inference: probabilities whose columns follow the model's labels.

Inputs are sorted by length before batching (less padding), run under ``torch.inference_mode``,
and returned in the caller's order. Models are loaded once per process (``load_cached``) so a
pipeline that scores many episodes reads each folder once.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

_CACHE: dict[tuple[Path, int, int], object] = {}
_LOCK = threading.Lock()


def load_cached(path: str | Path):
    """``registry.load(path)``, once per process per folder (reloaded if the weights change)."""
    from resonance.classifiers.folder import WEIGHTS
    from resonance.classifiers.registry import load
    from resonance.errors import ModelError

    folder = Path(path).resolve()
    try:
        stat = (folder / WEIGHTS).stat()
    except OSError:
        raise ModelError("model folder not found or has no model.safetensors", source=str(folder)) from None
    key = (folder, stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            model = load(folder)
            for stale in [k for k in _CACHE if k[0] == folder]:
                del _CACHE[stale]
            _CACHE[key] = model
    return model


def predict_proba(model, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None,
                  features: Sequence[Sequence[float]] | None = None, heads: Sequence[str] | None = None,
                  batch_size: int = 64) -> dict:
    """Softmax probabilities per head: ``{head: array (len(texts), len(model.head_labels[head]))}``.

    ``heads`` defaults to every head of the model. Column j of a head is its j-th label.
    """
    import numpy as np
    import torch

    heads = list(heads or model.head_labels)
    if hasattr(model, "predict_heads"):  # a model that needs more than forward() (the zh n-gram fusion)
        return model.predict_heads(list(texts), [tuple(c) for c in contexts] if contexts is not None else None,
                                   heads, batch_size)
    out = {head: np.zeros((len(texts), len(model.head_labels[head])), dtype=np.float32) for head in heads}
    if not len(texts):
        return out
    if contexts is not None and len(contexts) != len(texts):
        raise ValueError("contexts must have one entry per text")
    if features is not None and len(features) != len(texts):
        raise ValueError("features must have one entry per text")
    encoding = model.encode(list(texts), [tuple(c) for c in contexts] if contexts is not None else None)
    order = sorted(range(len(texts)), key=lambda i: len(encoding.input_ids[i]))
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            ids, mask, types = model.batch([encoding.input_ids[i] for i in chunk],
                                           [encoding.token_type_ids[i] for i in chunk])
            feats = (torch.tensor([list(features[i]) for i in chunk], dtype=torch.float32)
                     if features is not None else None)
            logits = model(ids, mask, types, feats)
            for head in heads:
                out[head][chunk] = torch.softmax(logits[head].float(), dim=-1).numpy()
    return out
