"""A context classifier fused with TF-IDF n-gram scorers, head by head.

For a fused head, ``log p = (1 - w) * log p_transformer + w * log p_ngram`` (renormalised). The
two disagree usefully: the transformer reads context and paraphrase, the n-grams the exact words
and punctuation that mark a feeling, and they were trained differently (the n-gram model with
balanced class weights when dev says so). ``w`` is chosen per head on that head's dev split;
``w = 0`` means the head is not fused. The folder keeps the transformer's own config and weights,
so ``neural`` alone can always be measured beside the fusion.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from resonance.classifiers.ngram_text import TfidfScorer
from resonance.classifiers.predict import BATCH_SIZE
from resonance.classifiers.registry import register
from resonance.errors import ModelError

FUSION_NAMES = ("emotion.en.fusion.v1",)
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
PREFIX = "ngram."


def safe_log(probabilities):
    """Log-probabilities of a probability table, zeros floored at 1e-12 (so mixing stays finite)."""
    import numpy as np

    return np.log(np.clip(probabilities, 1e-12, None))


def mix(neural_probabilities, ngram_log_probabilities, weight: float):
    """Renormalised geometric mix of two probability tables (same columns)."""
    return mix_log(safe_log(neural_probabilities), ngram_log_probabilities, weight)


def mix_log(neural_log_probabilities, ngram_log_probabilities, weight: float):
    """``softmax((1 - w) * neural + w * ngram)`` of two log-probability tables (same columns); at
    ``w = 1`` the neural table may be None (its share is zero, so it need not be computed)."""
    return mix_parts({"neural": neural_log_probabilities, "ngram": ngram_log_probabilities},
                     {"neural": 1.0 - weight, "ngram": weight})


def mix_parts(parts: Mapping[str, object], weights: Mapping[str, float]):
    """``softmax(sum of weight * log-probabilities)`` over named tables (same columns); a part
    whose weight is 0 is left out, so it may be None (never computed)."""
    return softmax_rows(sum(weights[name] * parts[name] for name in parts if weights.get(name, 0) > 0))


def softmax_rows(log_scores):
    """Softmax over the last axis of (mixed) log-probabilities, as float32."""
    import numpy as np

    shifted = log_scores - log_scores.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    return (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)


def choose_weight(neural_probabilities, ngram_log_probabilities, targets: Sequence[int],
                  weights: Sequence[float] = WEIGHTS) -> tuple[float, dict[float, float]]:
    """The mixing weight with the best dev weighted F1 (ties: the smaller weight)."""
    from sklearn.metrics import f1_score

    scores = {w: round(float(f1_score(targets, mix(neural_probabilities, ngram_log_probabilities, w).argmax(axis=1),
                                      average="weighted", zero_division=0)), 4) for w in weights}
    return max(weights, key=lambda w: (scores[w], -w)), scores


@register(*FUSION_NAMES)
class FusedClassifier:
    """Same interface as ContextClassifier for prediction (``head_labels``, ``primary_head``,
    ``labels``, ``predict_heads``); ``neural`` is the transformer alone."""

    def __init__(self, neural, scorers: Mapping[str, TfidfScorer], weights: Mapping[str, float], name: str):
        unknown = set(scorers) - set(neural.head_labels)
        if unknown:
            raise ModelError(f"n-gram scorers for unknown heads: {', '.join(sorted(unknown))}")
        self.neural = neural
        self.scorers = dict(scorers)
        self.weights = {head: float(weights[head]) for head in scorers}
        self.name = name

    head_labels = property(lambda self: self.neural.head_labels)
    primary_head = property(lambda self: self.neural.primary_head)
    labels = property(lambda self: self.neural.labels)
    feature_names = property(lambda self: self.neural.feature_names)

    def predict_heads(self, texts, contexts=None, features=None, heads=None, batch_size: int = BATCH_SIZE,
                      dialogues=None) -> dict:
        """``dialogues`` is accepted for the common signature and unused: no dialogue stage here."""
        from resonance.classifiers.predict import predict_proba

        out = predict_proba(self.neural, texts, contexts, features, heads, batch_size)
        for head, probabilities in out.items():
            weight = self.weights.get(head, 0.0)
            if weight > 0 and len(texts):
                ngram = self.scorers[head].log_proba(list(texts), self.head_labels[head])
                out[head] = mix(probabilities, ngram, weight)
        return out

    def save(self, path: str | Path, card: str, dtype: str = "float16", extra_config: Mapping | None = None) -> Path:
        import torch

        from resonance.classifiers.folder import save_model_folder

        target = getattr(torch, dtype)
        tensors = {key: value.to(target) for key, value in self.neural.state_dict().items()}
        files, fusion = {}, {}
        for head, scorer in self.scorers.items():  # kept in float32: sparse sums are precision-sensitive
            tensors.update(scorer.tensors(f"{PREFIX}{head}."))
            files[f"ngram_{head}.json"] = scorer.to_json()
            fusion[head] = {"weight": self.weights[head], "file": f"ngram_{head}.json"}
        config = {**self.neural.to_config(), "name": self.name, "neural_name": self.neural.name,
                  "weights_dtype": dtype, "fusion": fusion, **(extra_config or {})}
        return save_model_folder(path, config, tensors, card, files)

    @classmethod
    def from_folder(cls, path: Path, config: Mapping, tensors: Mapping) -> "FusedClassifier":
        from resonance.classifiers.model import ContextClassifier

        neural_tensors = {k: v for k, v in tensors.items() if not k.startswith(PREFIX)}
        neural = ContextClassifier.from_folder(path, {**config, "name": config.get("neural_name", "")}, neural_tensors)
        scorers, weights = {}, {}
        for head, entry in config.get("fusion", {}).items():
            try:
                text = (Path(path) / entry["file"]).read_text(encoding="utf-8")
                scorers[head] = TfidfScorer.from_parts(text, tensors, f"{PREFIX}{head}.")
            except (OSError, KeyError, ValueError) as err:
                raise ModelError(f"cannot read the n-gram scorer of head {head!r}: {err}", source=str(path)) from None
            weights[head] = entry["weight"]
        return cls(neural, scorers, weights, config["name"])
