"""The TF-IDF + logistic-regression baseline as plain arrays, so a model folder can carry it.

``TfidfScorer.from_baseline`` exports a fitted ``baseline.TfidfBaseline`` (a TfidfVectorizer or
a FeatureUnion of them, then a multinomial LogisticRegression) as vocabularies (a JSON side file)
and ``idf`` / ``coef`` / ``intercept`` tensors, and ``logits`` recomputes in numpy exactly what
scikit-learn computes: lowercase; word tokens by the vectorizer's token pattern, or char n-grams
(``char_wb``: inside space-padded words); counts; sublinear tf ``1 + log(tf)`` times idf;
L2-normalised per vectorizer; concatenated; ``x @ coef.T + intercept``. No pickle, no sklearn at
prediction time.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

ANALYZERS = ("word", "char_wb", "char")
_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass
class NgramVocabulary:
    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray
    token_pattern: str = r"(?u)\b\w\w+\b"

    def __post_init__(self):
        if self.analyzer not in ANALYZERS:
            raise ValueError(f"unsupported analyzer {self.analyzer!r}")
        self._pattern = re.compile(self.token_pattern)

    def grams(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            tokens = self._pattern.findall(text)
            return [" ".join(tokens[i:i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]
        text = _WHITE_SPACES.sub(" ", text)
        if self.analyzer == "char":
            return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]
        out = []
        for word in text.split():
            word = f" {word} "
            for n in range(low, high + 1):
                offset = 0
                out.append(word[offset:offset + n])
                while offset + n < len(word):
                    offset += 1
                    out.append(word[offset:offset + n])
                if offset == 0:  # a word shorter than n is counted once
                    break
        return out

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and L2-normalised sublinear tf-idf values of one text."""
        counts: dict[int, int] = {}
        for gram in self.grams(text):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[indices]
        return indices, values / np.linalg.norm(values)

    def describe(self) -> dict:
        grams = sorted(self.vocabulary, key=self.vocabulary.get)
        return {"analyzer": self.analyzer, "ngram_range": list(self.ngram_range),
                "token_pattern": self.token_pattern, "grams": grams}


@dataclass
class TfidfScorer:
    parts: list[NgramVocabulary]
    coef: np.ndarray  # (labels, total vocabulary)
    intercept: np.ndarray  # (labels,)
    labels: tuple[str, ...]

    @classmethod
    def from_baseline(cls, baseline) -> "TfidfScorer":
        """From a fitted ``baseline.TfidfBaseline``; ``labels`` = its classes_ (column order)."""
        vectorizers = ([v for _, v in baseline.vectorizer_.transformer_list]
                       if hasattr(baseline.vectorizer_, "transformer_list") else [baseline.vectorizer_])
        parts = []
        for vectorizer in vectorizers:
            if not vectorizer.sublinear_tf or vectorizer.norm != "l2" or not vectorizer.lowercase:
                raise ValueError("only lowercased, sublinear, L2-normalised TF-IDF is supported")
            parts.append(NgramVocabulary(vectorizer.analyzer, tuple(vectorizer.ngram_range),
                                         {g: int(i) for g, i in vectorizer.vocabulary_.items()},
                                         vectorizer.idf_.astype(np.float64), vectorizer.token_pattern))
        model = baseline.model_
        return cls(parts, np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64),
                   tuple(str(c) for c in model.classes_))

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        out = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            offset = 0
            for part in self.parts:
                indices, values = part.row(text)
                out[row] += self.coef[:, offset + indices] @ values
                offset += len(part.vocabulary)
        return out

    def log_proba(self, texts: Sequence[str], labels: Sequence[str] | None = None) -> np.ndarray:
        """Log-probabilities, columns in ``labels`` order (default: the scorer's own); a label
        the scorer never saw gets a very low log-probability."""
        logits = self.logits(texts)
        logits = logits - logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        if labels is None:
            return log_p
        out = np.full((len(texts), len(labels)), -30.0)
        for j, label in enumerate(labels):
            if label in self.labels:
                out[:, j] = log_p[:, self.labels.index(label)]
        return out

    # ----- persistence: arrays into the model's safetensors, vocabularies into a JSON file
    def tensors(self, prefix: str) -> dict:
        import torch

        tensors = {f"{prefix}coef": torch.from_numpy(self.coef.astype(np.float32)),
                   f"{prefix}intercept": torch.from_numpy(self.intercept.astype(np.float32))}
        for i, part in enumerate(self.parts):
            tensors[f"{prefix}idf{i}"] = torch.from_numpy(part.idf.astype(np.float32))
        return tensors

    def to_json(self) -> str:
        return json.dumps({"labels": list(self.labels), "parts": [p.describe() for p in self.parts]},
                          ensure_ascii=False)

    @classmethod
    def from_parts(cls, text: str, tensors: dict, prefix: str) -> "TfidfScorer":
        data = json.loads(text)
        parts = []
        for i, part in enumerate(data["parts"]):
            vocabulary = {gram: j for j, gram in enumerate(part["grams"])}
            parts.append(NgramVocabulary(part["analyzer"], tuple(part["ngram_range"]), vocabulary,
                                         tensors[f"{prefix}idf{i}"].double().numpy(), part["token_pattern"]))
        scorer = cls(parts, tensors[f"{prefix}coef"].double().numpy(), tensors[f"{prefix}intercept"].double().numpy(),
                     tuple(data["labels"]))
        total = sum(len(p.vocabulary) for p in parts)
        if scorer.coef.shape != (len(scorer.labels), total) or any(len(p.idf) != len(p.vocabulary) for p in parts):
            raise ValueError("n-gram tensors do not match the vocabulary")
        return scorer
