"""A char n-gram TF-IDF + logistic-regression scorer stored as plain arrays (no pickle, no sklearn).

It is the baseline of resonance.classifiers.baseline (char 1-3-grams, C chosen on dev), exported
as a vocabulary (a JSON side file) plus ``idf``, ``coef`` and ``intercept`` tensors, and re-run
in numpy exactly as scikit-learn computes it: lowercase, whitespace runs -> one space, char
n-gram counts, sublinear tf (1 + log tf), times idf, L2-normalised, then ``x @ coef.T +
intercept`` and a softmax. The Chinese emotion model fuses these log-probabilities with the
transformer's (resonance.classifiers.emotion_zh).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_WHITE = re.compile(r"\s\s+")


@dataclass
class NgramScorer:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (C, V)
    intercept: np.ndarray  # (C,)
    labels: tuple[str, ...]
    ngram_range: tuple[int, int] = (1, 3)

    @classmethod
    def from_sklearn(cls, vectorizer, model) -> "NgramScorer":
        """From a fitted TfidfVectorizer(analyzer="char") and a multinomial LogisticRegression."""
        if vectorizer.analyzer != "char" or not vectorizer.sublinear_tf or vectorizer.norm != "l2":
            raise ValueError("only char analyzers with sublinear tf and l2 norm are supported")
        vocabulary = {gram: int(i) for gram, i in vectorizer.vocabulary_.items()}
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:  # binary: sigmoid(z) == softmax([0, z])[1]
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([np.zeros_like(intercept), intercept])
        return cls(vocabulary, vectorizer.idf_.astype(np.float32), np.ascontiguousarray(coef, dtype=np.float32),
                   np.ascontiguousarray(intercept, dtype=np.float32), tuple(str(c) for c in model.classes_),
                   tuple(vectorizer.ngram_range))

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        text = _WHITE.sub(" ", text.lower())
        counts: dict[int, int] = {}
        low, high = self.ngram_range
        for n in range(low, high + 1):
            for i in range(len(text) - n + 1):
                index = self.vocabulary.get(text[i:i + n])
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[indices]
        values /= np.linalg.norm(values)
        return indices, values.astype(np.float32)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), len(self.labels)), dtype=np.float32)
        for row, text in enumerate(texts):
            indices, values = self._row(text)
            out[row] = self.coef[:, indices] @ values + self.intercept
        return out

    def log_proba(self, texts: Sequence[str]) -> np.ndarray:
        logits = self.logits(texts).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        return (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(np.float32)

    # ----- persistence: tensors go into the model's safetensors, the vocabulary into a JSON file
    def tensors(self, prefix: str = "ngram.") -> dict:
        import torch

        return {f"{prefix}{name}": torch.from_numpy(np.ascontiguousarray(getattr(self, name), dtype=np.float32))
                for name in ("idf", "coef", "intercept")}

    def vocabulary_json(self) -> str:
        import json

        grams = sorted(self.vocabulary, key=self.vocabulary.get)
        return json.dumps({"labels": list(self.labels), "ngram_range": list(self.ngram_range), "grams": grams},
                          ensure_ascii=False)

    @classmethod
    def from_parts(cls, vocabulary_json: str, tensors: dict, prefix: str = "ngram.") -> "NgramScorer":
        import json

        data = json.loads(vocabulary_json)
        vocabulary = {gram: i for i, gram in enumerate(data["grams"])}
        array = lambda name: tensors[f"{prefix}{name}"].float().numpy()  # noqa: E731
        scorer = cls(vocabulary, array("idf"), array("coef"), array("intercept"), tuple(data["labels"]),
                     tuple(data["ngram_range"]))
        if scorer.coef.shape != (len(scorer.labels), len(vocabulary)) or scorer.idf.shape != (len(vocabulary),):
            raise ValueError("n-gram tensors do not match the vocabulary")
        return scorer
