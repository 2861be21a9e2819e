"""Training and evaluating the classifiers that learn from our annotated corpus (narrative beats,
cultural integration): one recipe, two task descriptions.

The split is by series (corpora/annotated/splits.json): train for fitting, dev for early
stopping and the baselines' C, test touched only by ``evaluate``. Every evaluation reports the
model beside a rule baseline and TF-IDF + logistic regression on the same split.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from resonance.classifiers.corpus import DEFAULT_ROOT, LabeledLine, load_corpus, load_splits, split_of
from resonance.classifiers.inputs import Example
from resonance.errors import ConfigError

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENCODERS = {"en": {"kind": "minilm"}, "zh": {"kind": "folder", "path": "encoder-zh"}}


@dataclass(frozen=True)
class CorpusTask:
    """What differs between the corpus-trained classifiers."""

    task: str  # "narrative" or "cultural"
    heads: dict[str, tuple[str, ...]]
    primary_head: str
    feature_names: tuple[str, ...]
    examples: Callable[[LabeledLine], list[Example]]  # zero or more examples per gold line
    rule: Callable[[LabeledLine], str]  # the rule baseline's label for the primary head
    card: Callable[[str, dict], str]  # (lang, config) -> model card markdown
    head_rules: dict[str, Callable[[LabeledLine], str]] = field(default_factory=dict)  # other heads' rules
    # (model, lang, dev lines, dev examples) -> settings chosen on dev after training, kept in config.json
    tune: Callable[..., dict] | None = None

    def name(self, lang: str) -> str:
        return f"{self.task}.{lang}.v1"

    def model_dir(self, lang: str, models_dir: str | Path | None = None) -> Path:
        return Path(models_dir or PROJECT_ROOT / "models") / f"{self.task}-{lang}"


def split_examples(task: CorpusTask, lang: str, root: Path = DEFAULT_ROOT
                   ) -> dict[str, tuple[list[LabeledLine], list[Example]]]:
    if lang not in ENCODERS:
        raise ConfigError(f"unknown language {lang!r} (use en or zh)")
    splits = load_splits(root)
    out: dict[str, tuple[list[LabeledLine], list[Example]]] = {"train": ([], []), "dev": ([], []), "test": ([], [])}
    for line in load_corpus(root, lang):
        examples = task.examples(line)
        if not examples:
            continue
        lines, exs = out[split_of(line.series, splits)]
        lines.append(line)
        exs.extend(examples)
    return out


def train(task: CorpusTask, lang: str, out_dir: str | Path, settings=None, *, root: Path = DEFAULT_ROOT,
          trainable_layers: int = 2, dtype: str = "float16", command: str = "", max_length: int = 128):
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.model import ContextClassifier
    from resonance.classifiers.train import TrainSettings, fit

    settings = settings or TrainSettings(epochs=12, patience=4, lr=1e-4, head_lr=2e-3, batch_size=16,
                                         class_weighting="sqrt")
    out_dir = Path(out_dir)
    data = split_examples(task, lang, root)
    spec = dict(ENCODERS[lang])
    base = load_encoder(spec, relative_to=out_dir)
    model = ContextClassifier(base, name=task.name(lang), encoder_spec=spec, heads=task.heads,
                              primary_head=task.primary_head, trainable_layers=min(trainable_layers, base.num_layers),
                              feature_names=task.feature_names, max_length=max_length,
                              max_text_tokens=max_length * 3 // 4)
    result = fit(model, data["train"][1], data["dev"][1], settings)
    training = {"settings": settings.to_dict(), "history": result.history, "best_epoch": result.best_epoch,
                "best_dev_score": result.best_dev_score, "minutes": result.minutes, "stopped": result.stopped,
                "train_counts": result.train_counts, "command": command,
                "series": {k: sorted({l.series for l in v[0]}) for k, v in data.items()}}
    tuned = task.tune(model, lang, *data["dev"]) if task.tune else {}
    config = {**model.to_config(), "training": training, **tuned}
    model.save(out_dir, task.card(lang, config), dtype=dtype, extra_config={"training": training, **tuned})
    return result


def evaluate(task: CorpusTask, lang: str, model_dir: str | Path | None = None, split: str = "test", *,
             root: Path = DEFAULT_ROOT, model=None) -> dict:
    """Model, rule baseline and TF-IDF + LR on the same held-out series, per head."""
    from resonance.classifiers.baseline import TfidfBaseline
    from resonance.classifiers.metrics import classification_metrics
    from resonance.classifiers.predict import load_cached, predict_proba

    folder = Path(model_dir) if model_dir else task.model_dir(lang)
    model = model or load_cached(folder)
    data = split_examples(task, lang, root)
    lines, examples = data[split]
    report: dict = {"model": str(folder), "name": model.name, "split": split,
                    "series": sorted({l.series for l in lines}), "heads": {}}
    for head, labels in task.heads.items():
        exs = [e for e in examples if e.head == head]
        if not exs:
            continue
        probs = predict_proba(model, [e.text for e in exs], [e.context for e in exs],
                              [e.features for e in exs], heads=[head])[head]
        predicted = [labels[i] for i in probs.argmax(axis=1)]
        truth = [e.label for e in exs]
        entry = {"examples": len(exs), "model": classification_metrics(truth, predicted, list(labels))}
        train_exs = [e for e in data["train"][1] if e.head == head]
        dev_exs = [e for e in data["dev"][1] if e.head == head]
        tfidf = TfidfBaseline(lang).fit([e.text for e in train_exs], [e.label for e in train_exs],
                                        [e.text for e in dev_exs], [e.label for e in dev_exs])
        entry["tfidf"] = {**tfidf.describe(), **classification_metrics(
            truth, tfidf.predict([e.text for e in exs]), list(labels))}
        rule = task.rule if head == task.primary_head else task.head_rules.get(head)
        if rule is not None:
            head_lines = [l for l in lines if any(x.head == head for x in task.examples(l))]
            entry["rule"] = classification_metrics(truth, [rule(l) for l in head_lines], list(labels))
        report["heads"][head] = entry
        if head == task.primary_head:
            report["probabilities"] = probs
            report["truth"] = truth
    report.pop("probabilities", None)
    report.pop("truth", None)
    return report


CHANGES, LIMITS = "## Changes", "## Limits"


def rerender_card(task: CorpusTask, folder: Path, lang: str, config: dict) -> None:
    """Write ``folder``/README.md from ``config`` again, keeping its results and its change log."""
    from resonance.classifiers.card_sections import put_section, section_of
    from resonance.classifiers.cards import RESULTS_END, RESULTS_START

    old = (folder / "README.md").read_text(encoding="utf-8")
    card = task.card(lang, config)
    kept = section_of(old, RESULTS_START, RESULTS_END)
    if kept is not None and section_of(card, RESULTS_START, RESULTS_END) is not None:
        card = put_section(card, kept, RESULTS_START, RESULTS_END)
    if CHANGES in old and LIMITS in old[old.index(CHANGES):] and LIMITS in card:
        changes = old[old.index(CHANGES):old.index(LIMITS, old.index(CHANGES))]
        card = card.replace(LIMITS, changes + LIMITS, 1)
    (folder / "README.md").write_text(card, encoding="utf-8")
