"""Emotion models: train, evaluate against the TF-IDF baseline, load, predict.

English (``emotion.en.v1``): MiniLM (pip package) with its top layers fine-tuned, two heads: the
unified 7 labels (trained on MELD) and EmoryNLP's native 7 labels (trained on EmoryNLP), so one
model serves the pipeline and is measured on both official test sets.

Chinese (``emotion.zh.v1``): the same classifier over our own encoder folder
(``models/encoder-zh``, char tokenizer), trained on CPED's training series (optionally plus the
Weibo sets) and measured on CPED's held-out series.

Leakage: MELD and EmoryNLP are both Friends and their official splits are not episode-disjoint
from each other, so training examples from any episode that appears in a dev or test split of
the other dataset are dropped (``drop_groups``); likewise CPED is split by series.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from resonance.classifiers import emotion_data as data
from resonance.classifiers.inputs import Example
from resonance.classifiers.labels import EMORYNLP, UNIFIED, valence_arousal
from resonance.errors import ConfigError

log = logging.getLogger(__name__)
LANGS = ("en", "zh")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class EvalSet:
    """A labeled dataset the model is measured on: its head and its split loader."""

    name: str
    head: str
    load: Callable[..., list[Example]]


@dataclass(frozen=True)
class EmotionSetup:
    name: str
    encoder: dict
    heads: dict[str, tuple[str, ...]]
    eval_sets: tuple[EvalSet, ...]
    extra_train: dict[str, Callable[..., list[Example]]] = field(default_factory=dict)
    # Heads that get a private copy of the last trained layer after the joint fine-tuning, tuned
    # on their eval set's full official train split: examples that had to be kept away from the
    # shared layers (they share episodes with another head's test set) still reach a branch
    # that no other head reads. Kept only if the head's dev score improves.
    branch_heads: tuple[str, ...] = ()
    fusion_name: str | None = None  # registered name of the model fused with n-gram scorers
    # Measured by `evaluate` when the model has their head (never trained on by `train`): CPED's
    # own 3-class sentiment for a Chinese model trained with a sentiment head.
    report_sets: tuple[EvalSet, ...] = ()


SETUPS = {
    "en": EmotionSetup(
        name="emotion.en.v1", encoder={"kind": "minilm"},
        heads={"emotion": UNIFIED, "emorynlp": EMORYNLP},
        eval_sets=(EvalSet("meld", "emotion", data.load_meld), EvalSet("emorynlp", "emorynlp", data.load_emorynlp)),
        extra_train={"goemotions": data.load_goemotions_ekman},
        branch_heads=("emorynlp",),
        fusion_name="emotion.en.fusion.v1",
    ),
    "zh": EmotionSetup(
        name="emotion.zh.v1", encoder={"kind": "folder", "path": "encoder-zh"},
        heads={"emotion": UNIFIED},
        eval_sets=(EvalSet("cped", "emotion", data.load_cped),),
        report_sets=(EvalSet("cped_sentiment", "sentiment", data.load_cped_sentiment),),
        extra_train={"smp2020": data.load_smp2020, "nlpcc2013": data.load_nlpcc2013},
    ),
}


def setup_for(lang: str) -> EmotionSetup:
    if lang not in SETUPS:
        raise ConfigError(f"unknown language {lang!r} (use one of {', '.join(LANGS)})")
    return SETUPS[lang]


def default_model_dir(lang: str, models_dir: str | Path | None = None) -> Path:
    return Path(models_dir or PROJECT_ROOT / "models") / f"emotion-{lang}"


# ----- data -----
def training_data(lang: str, root=None, extra: Sequence[str] = (), limit: int | None = None,
                  extra_limit: int | None = None) -> tuple[list[Example], list[Example]]:
    """(train, dev) examples for ``lang``, leakage-filtered; ``limit`` caps each source's split
    (for dry runs), ``extra`` names additional training sources (``goemotions``...)."""
    setup = setup_for(lang)
    held_out = {s.name: [e for split in ("dev", "test") for e in s.load(split, root)] for s in setup.eval_sets}
    train, dev = [], []
    for eval_set in setup.eval_sets:
        others = [e for name, examples in held_out.items() if name != eval_set.name for e in examples]
        examples = eval_set.load("train", root)
        kept = data.drop_groups(examples, others)
        log.info("%s train: %d examples, %d kept after dropping groups shared with other held-out sets",
                 eval_set.name, len(examples), len(kept))
        train += kept[:limit]
        dev += eval_set.load("dev", root)[:limit]
    for name in extra:
        if name not in setup.extra_train:
            raise ConfigError(f"unknown extra source {name!r} for {lang} (use {', '.join(setup.extra_train)})")
        extra_examples = setup.extra_train[name]("train", root)
        cap = extra_limit or limit
        if cap and cap < len(extra_examples):
            extra_examples = random.Random(0).sample(extra_examples, cap)
        train += extra_examples
    return train, dev


# ----- train -----
def train(lang: str, out_dir: str | Path, settings=None, *, root=None, extra: Sequence[str] = (),
          limit: int | None = None, extra_limit: int | None = None, trainable_layers: int = 2,
          pooling: str = "text_mean", encoder: dict | None = None, dtype: str = "float16",
          adjust_priors: bool = True, command: str = ""):
    """Train the emotion model for ``lang`` and save it to ``out_dir``; returns TrainResult."""
    setup = setup_for(lang)
    from resonance.classifiers.emotion_card import hardware, render_card
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.model import ContextClassifier
    from resonance.classifiers.train import TrainSettings, fit

    settings = settings or TrainSettings()
    if settings.threads:
        import torch

        torch.set_num_threads(settings.threads)
    out_dir = Path(out_dir)
    spec = dict(encoder or setup.encoder)
    base = load_encoder(spec, relative_to=out_dir)
    model = ContextClassifier(base, name=setup.name, encoder_spec=spec, heads=setup.heads, primary_head="emotion",
                              trainable_layers=trainable_layers, pooling=pooling)
    train_examples, dev_examples = training_data(lang, root, extra, limit, extra_limit)
    result = fit(model, train_examples, dev_examples, settings)
    branches = [_tune_branch(model, setup, head, result, settings, root, limit) for head in setup.branch_heads]
    adjustments = _adjust_priors(model, setup, result, branches, root, limit) if adjust_priors else []
    training = {"settings": settings.to_dict(), "extra_sources": list(extra), "limit": limit,
                "extra_limit": extra_limit, "history": result.history, "best_epoch": result.best_epoch,
                "best_dev_score": result.best_dev_score, "minutes": result.minutes, "stopped": result.stopped,
                "train_counts": result.train_counts, "branches": branches, "prior_adjustment": adjustments,
                "command": command, "hardware": hardware(settings.device)}
    config = {**model.to_config(), "weights_dtype": dtype, "training": training}
    model.save(out_dir, render_card(lang, config), dtype=dtype, extra_config={"training": training})
    return result


def _tune_branch(model, setup: EmotionSetup, head: str, joint, settings, root, limit) -> dict:
    """Branch ``head`` off the last trained layer and tune it alone on its full train split."""
    from resonance.classifiers.train import fit

    eval_set = next(s for s in setup.eval_sets if s.head == head)
    before = joint.history[joint.best_epoch - 1]["dev_weighted_f1"][head]
    snapshot = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.add_branch(head, 1)
    train_examples = eval_set.load("train", root)[:limit]
    result = fit(model, train_examples, eval_set.load("dev", root)[:limit], settings,
                 trainable=(f"branches.{head}.", f"heads.{head}."))
    kept = result.best_dev_score > before
    if not kept:
        model.remove_branch(head)
        model.load_state_dict(snapshot)
    log.info("branch %s: dev weighted F1 %.4f -> %.4f (%s)", head, before, result.best_dev_score,
             "kept" if kept else "dropped")
    return {"head": head, "layers": 1, "train_examples": len(train_examples), "dev_before": before,
            "dev_after": result.best_dev_score, "kept": kept, "history": result.history,
            "minutes": result.minutes, "train_counts": result.train_counts.get(head, {})}


def _adjust_priors(model, setup: EmotionSetup, joint, branches: list[dict], root, limit) -> list[dict]:
    """Logit adjustment per head, tau chosen on the head's dev split (see train.adjust_for_priors)."""
    from resonance.classifiers.train import adjust_for_priors

    counts = dict(joint.train_counts)
    for branch in branches:
        if branch["kept"]:
            counts[branch["head"]] = branch["train_counts"]
    return [adjust_for_priors(model, s.head, s.load("dev", root)[:limit], counts.get(s.head, {}))
            for s in setup.eval_sets]


# ----- evaluate -----
def evaluate(lang: str, model_dir: str | Path | None = None, split: str = "test", *, root=None,
             baseline: bool = True, model=None) -> dict:
    """Score the model on every eval set's ``split``; with ``baseline``, also fit TF-IDF + LR on
    that set's own train split (C and class weights picked on its dev split) and score it on
    the same ``split``. Returns a JSON-able dict."""
    from resonance.classifiers.baseline import TfidfBaseline
    from resonance.classifiers.metrics import classification_metrics
    from resonance.classifiers.predict import load_cached, predict_proba

    setup = setup_for(lang)
    folder = Path(model_dir) if model_dir else default_model_dir(lang)
    model = model or load_cached(folder)
    name = getattr(model, "name", None) or _config_name(folder)
    report = {"model": str(folder), "name": name, "split": split, "sets": {}}
    for eval_set in setup.eval_sets + setup.report_sets:
        if eval_set.head not in model.head_labels:  # e.g. CPED sentiment, for a model without that head
            continue
        examples = eval_set.load(split, root)
        labels = list(model.head_labels[eval_set.head])
        texts, contexts, dialogues = [e.text for e in examples], [e.context for e in examples], [e.dialogue for e in examples]
        probabilities = predict_proba(model, texts, contexts, heads=[eval_set.head], dialogues=dialogues)[eval_set.head]
        predicted = [labels[i] for i in probabilities.argmax(axis=1)]
        entry = {"head": eval_set.head, "model": classification_metrics([e.label for e in examples], predicted, labels)}
        stage = getattr(model, "dialogue", None)
        if stage is not None and eval_set.head == model.primary_head:
            entry.update(_without_dialogue(model, stage, texts, contexts, dialogues, [e.label for e in examples], labels))
        if hasattr(model, "neural"):  # a fused model: also the transformer alone
            alone = predict_proba(model.neural, [e.text for e in examples], [e.context for e in examples],
                                  heads=[eval_set.head])[eval_set.head]
            entry["transformer"] = classification_metrics(
                [e.label for e in examples], [labels[i] for i in alone.argmax(axis=1)], labels)
            entry["fusion_weight"] = model.weights.get(eval_set.head, 0.0)
        if baseline:
            train_set, dev_set = eval_set.load("train", root), eval_set.load("dev", root)
            tfidf = TfidfBaseline(lang).fit([e.text for e in train_set], [e.label for e in train_set],
                                            [e.text for e in dev_set], [e.label for e in dev_set])
            entry["baseline"] = {**tfidf.describe(), **classification_metrics(
                [e.label for e in examples], tfidf.predict([e.text for e in examples]), labels)}
            entry["delta_weighted_f1"] = round(entry["model"]["weighted_f1"] - entry["baseline"]["weighted_f1"], 4)
        report["sets"][eval_set.name] = entry
        log.info("%s %s: weighted F1 %.4f", eval_set.name, split, entry["model"]["weighted_f1"])
    return report


def _without_dialogue(model, stage, texts, contexts, dialogues, gold, labels) -> dict:
    """The model without its dialogue stage (transformer + n-grams as fused before it) and the
    dialogue stage alone, on the same lines."""
    from resonance.classifiers.metrics import classification_metrics

    before = model.predict_proba(texts, contexts, weights=model.weights_without_dialogue())
    alone = stage.log_proba(texts, dialogues)
    return {"without_dialogue": classification_metrics(gold, [labels[i] for i in before.argmax(axis=1)], labels),
            "dialogue_alone": classification_metrics(gold, [labels[i] for i in alone.argmax(axis=1)], labels),
            "dialogue_weights": dict(stage.weights)}


def add_fusion(lang: str, model_dir: str | Path | None = None, *, root=None, limit: int | None = None,
               command: str = "") -> dict:
    """Fuse a trained model's heads with TF-IDF + LR scorers, in place.

    Each eval set's scorer is the baseline itself (fit on that set's official train split, C and
    class weights chosen on its dev split); the mixing weight is chosen on the same dev split.
    Heads whose best weight is 0 stay unfused. Returns the per-head choices."""
    from resonance.classifiers import registry
    from resonance.classifiers.baseline import TfidfBaseline
    from resonance.classifiers.emotion_card import render_card
    from resonance.classifiers.fusion import FusedClassifier, choose_weight
    from resonance.classifiers.ngram_text import TfidfScorer
    from resonance.classifiers.predict import predict_proba

    setup = setup_for(lang)
    if not setup.fusion_name:
        raise ConfigError(f"no fusion is defined for {lang}")
    folder = Path(model_dir) if model_dir else default_model_dir(lang)
    loaded = registry.load(folder)
    config, neural = loaded.folder_config, getattr(loaded, "neural", loaded)
    scorers, weights, choices = {}, {}, {}
    for eval_set in setup.eval_sets:
        train_set, dev_set = eval_set.load("train", root)[:limit], eval_set.load("dev", root)[:limit]
        baseline = TfidfBaseline(lang).fit([e.text for e in train_set], [e.label for e in train_set],
                                           [e.text for e in dev_set], [e.label for e in dev_set])
        scorer = TfidfScorer.from_baseline(baseline)
        labels = neural.head_labels[eval_set.head]
        probabilities = predict_proba(neural, [e.text for e in dev_set], [e.context for e in dev_set],
                                      heads=[eval_set.head])[eval_set.head]
        weight, scores = choose_weight(probabilities, scorer.log_proba([e.text for e in dev_set], labels),
                                       [labels.index(e.label) for e in dev_set])
        choices[eval_set.head] = {"weight": weight, "dev_weighted_f1_by_weight": {str(k): v for k, v in scores.items()},
                                  "ngram": baseline.describe()}
        log.info("fusion %s: weight %.1f, dev weighted F1 by weight %s", eval_set.head, weight, scores)
        if weight > 0:
            scorers[eval_set.head], weights[eval_set.head] = scorer, weight
    training = {**config.get("training", {}), "fusion": choices, "fusion_command": command}
    if scorers:
        for stale in folder.glob("ngram_*.json"):
            stale.unlink()
        fused = FusedClassifier(neural, scorers, weights, setup.fusion_name)
        dtype = config.get("weights_dtype", "float16")
        card_config = {**neural.to_config(), "name": setup.fusion_name, "weights_dtype": dtype, "training": training}
        fused.save(folder, render_card(lang, card_config), dtype=dtype, extra_config={"training": training})
    return choices


def add_dialogue(lang: str, model_dir: str | Path | None = None, *, root=None, limit: int | None = None,
                 members: int = 3, epochs: int = 12, hidden: int = 64, command: str = "") -> dict:
    """Train the dialogue stage (resonance.classifiers.dialogue) of a Chinese emotion model in place:
    GRU members on the eval set's train split, each kept at its best dev epoch, then the weights of
    transformer, n-grams and dialogue chosen together on the dev split. Returns what was chosen."""
    import time

    from sklearn.metrics import f1_score

    from resonance.classifiers import dialogue, registry
    from resonance.classifiers.card_sections import put_section
    from resonance.classifiers.emotion_card import DIALOGUE_END, DIALOGUE_START, dialogue_section
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.fusion import mix_parts, safe_log

    setup = setup_for(lang)
    if lang != "zh":
        raise ConfigError("the dialogue stage is defined for the Chinese emotion model (zh)")
    folder = Path(model_dir) if model_dir else default_model_dir(lang)
    started = time.time()
    model = registry.load(folder)
    model.dialogue = None
    eval_set = setup.eval_sets[0]
    train_set, dev_set = eval_set.load("train", root)[:limit], eval_set.load("dev", root)[:limit]
    labels = list(model.head_labels[eval_set.head])
    spec = dict(setup.encoder)
    encoder = load_encoder(spec, relative_to=folder)
    vectors = {name: dialogue.line_vectors(encoder, [e.text for e in examples])
               for name, examples in (("train", train_set), ("dev", dev_set))}
    dev_targets = [labels.index(e.label) for e in dev_set]
    trained, history = dialogue.train_members(
        vectors["train"], [labels.index(e.label) for e in train_set], [e.dialogue for e in train_set],
        vectors["dev"], dev_targets, [e.dialogue for e in dev_set], len(labels),
        hidden=hidden, members=members, epochs=epochs)
    dev_texts, dev_contexts = [e.text for e in dev_set], [e.context for e in dev_set]
    parts = {"transformer": model.head_log_proba(dev_texts, dev_contexts), "ngram": model.ngram_log_proba(dev_texts),
             "dialogue": safe_log(dialogue.mean_probabilities(
                 trained, vectors["dev"], dialogue.group_rows([e.dialogue for e in dev_set])))}
    weights, tried = dialogue.choose_weights(parts, dev_targets)
    before = round(float(f1_score(dev_targets, mix_parts(parts, model.weights_without_dialogue()).argmax(axis=1),
                                  average="weighted")), 4)
    after = max(t["dev_weighted_f1"] for t in tried)
    model.dialogue = dialogue.DialogueStage(trained, encoder, spec, hidden, weights)
    choice = {"weights": weights, "dev_weighted_f1_before": before, "dev_weighted_f1": after,
              "members": history, "hidden": hidden, "epochs": epochs, "train_examples": len(train_set),
              "dev_examples": len(dev_set), "limit": limit, "minutes": round((time.time() - started) / 60, 2),
              "top_of_grid": sorted(tried, key=lambda t: -t["dev_weighted_f1"])[:8], "command": command}
    log.info("dialogue stage: weights %s, dev weighted F1 %.4f -> %.4f", weights, before, after)
    config = model.folder_config
    training = {**config.get("training", {}), "dialogue": choice}
    card = (folder / "README.md").read_text(encoding="utf-8") if (folder / "README.md").is_file() else ""
    card = put_section(card, dialogue_section(choice), DIALOGUE_START, DIALOGUE_END, before="## Training")
    model.save(folder, card, folder, extra_config={k: v for k, v in config.items()
                                                   if k not in model.to_config() and k not in ("weights_sha256",)}
               | {"training": training})
    return choice


def _config_name(folder: Path) -> str:
    import json

    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8")).get("name", "")
    except (OSError, ValueError):
        return ""


# ----- use -----
@dataclass(frozen=True)
class EmotionPrediction:
    """Per-utterance probabilities over ``labels`` (rows follow the input order) and the
    probability-weighted valence and arousal in [-1, 1] (see labels.CIRCUMPLEX)."""

    labels: tuple[str, ...]
    probabilities: object  # numpy array (n, len(labels))
    valence: object  # numpy array (n,)
    arousal: object  # numpy array (n,)

    def top(self) -> list[str]:
        return [self.labels[i] for i in self.probabilities.argmax(axis=1)]

    def as_dicts(self) -> list[dict[str, float]]:
        return [{label: float(p) for label, p in zip(self.labels, row)} for row in self.probabilities]


def load(lang: str, models_dir: str | Path | None = None):
    """The shipped emotion model for ``lang`` (loaded once per process)."""
    from resonance.classifiers.predict import load_cached

    setup_for(lang)
    return load_cached(default_model_dir(lang, models_dir))


def predict(texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None, lang: str = "en",
            model=None, models_dir: str | Path | None = None) -> EmotionPrediction:
    """Unified-label probabilities for each text; ``contexts[i]`` = previous turns of text i,
    oldest first, each ``"SPEAKER: text"``."""
    from resonance.classifiers.predict import predict_proba

    model = model or load(lang, models_dir)
    probabilities = predict_proba(model, texts, contexts, heads=[model.primary_head])[model.primary_head]
    valence, arousal = valence_arousal(probabilities, model.labels)
    return EmotionPrediction(tuple(model.labels), probabilities, valence, arousal)
