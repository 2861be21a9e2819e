"""The baseline every model card compares against: TF-IDF n-grams + logistic regression.

Features: word 1-2-grams plus char 2-5-grams (within word boundaries) for English, char 1-3-grams
for Chinese. The regularisation C and the class weighting are chosen on the dev split only
(weighted F1); the test split is touched once, by the caller, after the choice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

DEFAULT_CS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_CLASS_WEIGHTS = (None, "balanced")


def make_vectorizer(lang: str):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    if lang == "zh":
        return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                 lowercase=True, token_pattern=r"(?u)\b\w+\b|[!?]")),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                 lowercase=True)),
    ])


@dataclass
class TfidfBaseline:
    """sklearn-style: ``fit`` selects C and class_weight on dev and returns self;
    ``classes_`` is the column order of ``predict_proba``."""

    lang: str = "en"
    Cs: Sequence[float] = DEFAULT_CS
    class_weights: Sequence[str | None] = DEFAULT_CLASS_WEIGHTS
    random_state: int = 0
    selection_: list = field(default_factory=list, init=False, repr=False)

    def fit(self, texts: Sequence[str], labels: Sequence[str], dev_texts: Sequence[str],
            dev_labels: Sequence[str]) -> "TfidfBaseline":
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import f1_score

        self.vectorizer_ = make_vectorizer(self.lang)
        train_x = self.vectorizer_.fit_transform(list(texts))
        dev_x = self.vectorizer_.transform(list(dev_texts))
        best = None
        self.selection_ = []
        for class_weight in self.class_weights:
            for c in self.Cs:
                model = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000,
                                           random_state=self.random_state)
                model.fit(train_x, list(labels))
                score = f1_score(list(dev_labels), model.predict(dev_x), average="weighted", zero_division=0)
                self.selection_.append({"C": c, "class_weight": class_weight, "dev_weighted_f1": round(float(score), 4)})
                if best is None or score > best[0]:
                    best = (score, c, class_weight, model)
        self.dev_weighted_f1_, self.C_, self.class_weight_, self.model_ = best
        self.classes_ = list(self.model_.classes_)
        return self

    def predict_proba(self, texts: Sequence[str]):
        return self.model_.predict_proba(self.vectorizer_.transform(list(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return list(self.model_.predict(self.vectorizer_.transform(list(texts))))

    def describe(self) -> dict:
        return {"features": "char 1-3-grams" if self.lang == "zh" else "word 1-2-grams + char_wb 2-5-grams",
                "C": self.C_, "class_weight": self.class_weight_,
                "dev_weighted_f1": round(float(self.dev_weighted_f1_), 4)}
