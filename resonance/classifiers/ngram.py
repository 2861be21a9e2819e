"""The char n-gram TF-IDF + logistic-regression scorer of the Chinese emotion model.

The same numpy re-implementation of scikit-learn as resonance.classifiers.ngram_text's
``TfidfScorer`` (one ``char`` vectorizer: lowercase, whitespace runs -> one space, char n-gram
counts, sublinear tf, idf, L2 norm, ``x @ coef.T + intercept``), kept under this name for the
file layout the Chinese emotion folders use: the vocabulary as ``{"labels", "ngram_range",
"grams"}`` in a JSON side file and ``idf`` / ``coef`` / ``intercept`` tensors under ``ngram.``.
The Chinese emotion model fuses its log-probabilities with the transformer's
(resonance.classifiers.emotion_zh).
"""
from __future__ import annotations

import json

import numpy as np

from resonance.classifiers.ngram_text import NgramVocabulary, TfidfScorer


class NgramScorer(TfidfScorer):
    @classmethod
    def from_sklearn(cls, vectorizer, model) -> "NgramScorer":
        """From a fitted TfidfVectorizer(analyzer="char") and a multinomial LogisticRegression."""
        if vectorizer.analyzer != "char" or not vectorizer.sublinear_tf or vectorizer.norm != "l2":
            raise ValueError("only char analyzers with sublinear tf and l2 norm are supported")
        coef, intercept = np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary: sigmoid(z) == softmax([0, z])[1]
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([np.zeros_like(intercept), intercept])
        part = NgramVocabulary("char", tuple(vectorizer.ngram_range),
                               {gram: int(i) for gram, i in vectorizer.vocabulary_.items()},
                               vectorizer.idf_.astype(np.float64))
        return cls([part], coef, intercept, tuple(str(c) for c in model.classes_))

    # ----- persistence: tensors go into the model's safetensors, the vocabulary into a JSON file
    def tensors(self, prefix: str = "ngram.") -> dict:
        import torch

        arrays = {"idf": self.parts[0].idf, "coef": self.coef, "intercept": self.intercept}
        return {f"{prefix}{name}": torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))
                for name, value in arrays.items()}

    def vocabulary_json(self) -> str:
        part = self.parts[0]
        grams = sorted(part.vocabulary, key=part.vocabulary.get)
        return json.dumps({"labels": list(self.labels), "ngram_range": list(part.ngram_range), "grams": grams},
                          ensure_ascii=False)

    @classmethod
    def from_parts(cls, vocabulary_json: str, tensors: dict, prefix: str = "ngram.") -> "NgramScorer":
        data = json.loads(vocabulary_json)
        vocabulary = {gram: i for i, gram in enumerate(data["grams"])}
        array = lambda name: tensors[f"{prefix}{name}"].double().numpy()  # noqa: E731
        part = NgramVocabulary("char", tuple(data["ngram_range"]), vocabulary, array("idf"))
        scorer = cls([part], array("coef"), array("intercept"), tuple(data["labels"]))
        if scorer.coef.shape != (len(scorer.labels), len(vocabulary)) or part.idf.shape != (len(vocabulary),):
            raise ValueError("n-gram tensors do not match the vocabulary")
        return scorer
