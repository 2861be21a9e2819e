"""Batched inference: probabilities whose columns follow the model's labels.

Inputs are sorted by length before batching (less padding), run under ``torch.inference_mode``,
and returned in the caller's order. Models are loaded once per process (``load_cached``) so a
pipeline that scores many episodes reads each folder once.

``int8=True`` gives a copy of the model whose encoder Linear layers are dynamically quantised to
int8 (about twice as fast on CPU; the heads stay float). ``load_cached`` gives it when asked, or
when ``RESONANCE_INT8=1``; the pipeline's own default is per model (classifiers/bundle.py), and
the measured accuracy cost is in docs/performance.md.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Sequence

_CACHE: dict[tuple[Path, int, int, bool], object] = {}
_INT8_BASES: dict[tuple[Path, str], object] = {}  # float base encoder -> its int8 copy, shared too
_LOCK = threading.RLock()
INT8_ENV = "RESONANCE_INT8"


def int8_setting() -> bool | None:
    """``RESONANCE_INT8``: 1 forces int8, 0 forces float; unset (None) leaves it to the caller."""
    value = os.environ.get(INT8_ENV, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def load_cached(path: str | Path, int8: bool | None = None):
    """``registry.load(path)``, once per process per folder (reloaded if its weights or its
    config.json change)."""
    from resonance.classifiers.folder import CONFIG, WEIGHTS
    from resonance.classifiers.registry import load
    from resonance.errors import ModelError

    int8 = bool(int8_setting()) if int8 is None else int8
    folder = Path(path).resolve()
    try:
        files = tuple((s.st_mtime_ns, s.st_size) for s in ((folder / WEIGHTS).stat(), (folder / CONFIG).stat()))
    except OSError:
        raise ModelError("model folder not found or has no model.safetensors and config.json",
                         source=str(folder)) from None
    key = (folder, files, int8)
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            model = quantize_int8(load(folder)) if int8 else load(folder)
            for stale in [k for k in _CACHE if k[0] == folder and k[1] != files]:
                del _CACHE[stale]
            _CACHE[key] = model
    return model


def quantize_int8(model):
    """A copy of ``model`` with its Linear layers, heads excepted, dynamically quantised to int8.

    A model built on a shared frozen base (``_encoder``, see classifiers/model.py) gets a shared
    int8 copy of that base, so the three classifiers on one encoder still hold one base; a dialogue
    stage (classifiers/dialogue.py) is shared with the float model, not copied.
    """
    import copy
    import dataclasses
    import warnings

    import torch
    from torch import nn

    if not isinstance(model, nn.Module) and isinstance(getattr(model, "neural", None), nn.Module):
        composite = copy.copy(model)  # a fusion.FusedClassifier: its transformer runs in int8
        composite.neural = quantize_int8(model.neural)
        return composite
    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; quantize_dynamic still works
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        # one scale per output row: on emotion-en's MELD test lines, 92 % of argmaxes agree with
        # float against 87 % with one scale per matrix, at the same speed
        qconfig = per_channel_dynamic_qconfig
        base = getattr(model, "_encoder", None)
        # not copied: the frozen base, the tokenizer, and a dialogue stage (frozen too, and float:
        # its encoder is the same loaded encoder-zh the Chinese narrative and cultural models read)
        keep = (base, vars(model).get("tokenizer"), vars(model).get("dialogue"))
        shared = [item for item in keep if item is not None]
        quantized = copy.deepcopy(model, memo={id(item): item for item in shared})
        layers = {name: qconfig for name, module in quantized.named_modules()
                  if isinstance(module, nn.Linear) and not name.startswith("heads.")}
        quantize_dynamic(quantized, layers, dtype=torch.qint8, inplace=True)
        if base is not None:
            key = (base.path, base.weights_sha256)
            with _LOCK:
                if key not in _INT8_BASES:
                    _INT8_BASES[key] = dataclasses.replace(
                        base, model=quantize_dynamic(base.model, {nn.Linear: qconfig}, dtype=torch.qint8))
                object.__setattr__(quantized, "_encoder", _INT8_BASES[key])
    quantized.eval()
    return quantized


# Lines per forward pass. Measured on 2 CPU cores with the shipped int8 models (bare forward over
# the 100-episode Chinese bench series, scripts/bench.py's inputs): the Chinese beat model runs
# 439 / 460 / 488-518 / 423 / 357 lines/s at 8 / 16 / 32 / 64 / 128, the Chinese emotion model
# 650 / 882 / 1048 / 1034 / 943; the English models lose 3-4 % at 32 against 64.
BATCH_SIZE = 32


def predict_proba(model, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None,
                  features: Sequence[Sequence[float]] | None = None, heads: Sequence[str] | None = None,
                  batch_size: int = BATCH_SIZE, dialogues: Sequence[object] | None = None) -> dict:
    """Softmax probabilities per head: ``{head: array (len(texts), len(model.head_labels[head]))}``.

    ``heads`` defaults to every head of the model. Column j of a head is its j-th label.
    ``dialogues[i]`` names the dialogue of line i, for a model with a dialogue stage (others
    ignore it).
    """
    import numpy as np
    import torch

    if hasattr(model, "predict_heads"):  # a composite model (fusion.FusedClassifier) predicts itself
        return model.predict_heads(texts, contexts, features, heads, batch_size, dialogues=dialogues)
    heads = list(heads or model.head_labels)
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
            logits = model(ids, mask, types) if feats is None else model(ids, mask, types, feats)
            for head in heads:
                out[head][chunk] = torch.softmax(logits[head].float(), dim=-1).numpy()
    return out
