"""The shipped models behind the pipeline: one object with the methods analyze() needs.

Each model folder is read once per process, on first use. ``versions_for`` reads only the JSON
configs (name and weights sha256), so the result cache can be checked without importing torch.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from resonance.errors import ModelError
from resonance.types import CulturalMention

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TASKS = ("emotion", "narrative", "cultural")


INT8_RECORD = "int8.json"


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"unreadable {path.name}: {err}", source=str(path)) from None
    if not isinstance(value, dict):
        raise ModelError(f"{path.name} must hold a JSON object", source=str(path))
    return value


def _settings_tag(config: dict) -> str:
    """What a model's config decides beyond its weights, in its version (so cached results made
    with another setting are never reused): the culture threshold of a narrative model."""
    if "culture_threshold" not in config:
        return ""
    threshold = config["culture_threshold"]
    return "+culture-off" if threshold is None else f"+culture>={threshold}"


def default_models_dir() -> Path:
    return Path(os.environ.get("RESONANCE_MODELS") or PROJECT_ROOT / "models")


class ShippedModels:
    """``int8``: True runs every encoder dynamically quantised to int8 (classifiers/predict.py),
    False none; None reads ``RESONANCE_INT8`` and, where that is unset, uses int8 for exactly the
    models whose folder holds an ``int8.json`` that records, for these weights, an accuracy cost
    within 1 F1 point (written by ``scripts/bench.py --accuracy --write``). A model run in int8
    has ``+int8`` in its version, so cached float and int8 results are never mixed."""

    _shared: dict[tuple[Path, bool | None], "ShippedModels"] = {}
    _lock = threading.Lock()

    def __init__(self, models_dir: str | os.PathLike[str] | None = None, int8: bool | None = None):
        from resonance.classifiers.predict import int8_setting  # light: no torch at import

        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        self.int8 = int8_setting() if int8 is None else int8

    @classmethod
    def shared(cls, models_dir: str | os.PathLike[str] | None = None, int8: bool | None = None) -> "ShippedModels":
        from resonance.classifiers.predict import int8_setting

        key = (Path(models_dir) if models_dir else default_models_dir(), int8_setting() if int8 is None else int8)
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = cls(*key)
            return cls._shared[key]

    # ----- identity -----
    def folder(self, task: str, language: str) -> Path:
        path = self.models_dir / f"{task}-{language}"
        if not (path / "config.json").is_file():
            raise ModelError(f"no {task} model for language '{language}' (looked in {path})", source=str(path))
        return path

    def versions_for(self, language: str) -> dict[str, str]:
        versions = {}
        for task in TASKS:
            config = _read_json(self.folder(task, language) / "config.json")
            sha = config.get("weights_sha256")
            versions[config.get("name", task)] = str(sha or "")[:12] + (
                "+int8" if self.runs_int8(task, language, sha) else "") + _settings_tag(config)
        return versions

    def runs_int8(self, task: str, language: str, weights_sha256: str | None = None) -> bool:
        """``weights_sha256``: the model's, when the caller has already read its config.json."""
        if self.int8 is not None:
            return self.int8
        folder = self.folder(task, language)
        if not (folder / INT8_RECORD).is_file():
            return False
        try:
            record = _read_json(folder / INT8_RECORD)
        except ModelError:  # an unreadable record is no record: run in float
            return False
        if weights_sha256 is None:
            weights_sha256 = _read_json(folder / "config.json").get("weights_sha256")
        return record.get("within_1_point") is True and record.get("weights_sha256") == weights_sha256

    def preload(self, language: str) -> None:
        """Load this language's models and spaCy pipeline now (a watching process does this while
        it waits, so the first edit does not pay for imports and loading)."""
        from resonance.preprocess import get_nlp

        get_nlp(language)
        for task in TASKS:
            if (self.folder(task, language) / "config.json").is_file():
                self._model(task, language)

    def _model(self, task: str, language: str):
        # Before torch loads OpenMP: idle OpenMP threads then sleep instead of spinning, which on a
        # busy machine (a shared 2-core box, a Ray node running other actors) halved wall time.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        # A small oneDNN primitive cache: by default it keeps up to 1,024 primitives, each with its
        # own packed copy of a layer's weights, one per input shape, and length-sorted batches have
        # many shapes. 100-episode Chinese series (`scripts/bench.py --skip-classifiers`): peak RSS
        # 1,383 MB with the default, 728 MB with none, about 1,000 MB with 16; none cost the English
        # series' float models about 5 s of 45 (docs/performance.md), 16 costs nothing measurable.
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
        from resonance.classifiers.predict import load_cached

        return load_cached(self.folder(task, language), int8=self.runs_int8(task, language))

    # ----- emotional -----
    def emotion(self, language, texts, contexts, scenes):
        from resonance.classifiers.predict import predict_proba

        model = self._model("emotion", language)
        probs = predict_proba(model, texts, contexts, heads=[model.primary_head], dialogues=scenes)[model.primary_head]
        return [{label: round(float(p), 6) for label, p in zip(model.labels, row)} for row in probs]

    def valence_arousal(self, language, emotion):
        from resonance.classifiers.labels import CIRCUMPLEX

        total = sum(emotion.values()) or 1.0
        valence = sum(p * CIRCUMPLEX[k][0] for k, p in emotion.items()) / total
        arousal = sum(p * CIRCUMPLEX[k][1] for k, p in emotion.items()) / total
        return round(valence, 6), round(arousal, 6)

    # ----- narrative -----
    def narrative(self, language, texts, contexts, places):
        """(beat probabilities, P(cultural content), detected) per line, from one pass over every
        head of the narrative model; detected uses the culture threshold chosen on dev (none:
        never). A model without the culture head gives (…, 0.0, False)."""
        from resonance.classifiers.line_features import beat_features
        from resonance.classifiers.predict import predict_proba

        model = self._model("narrative", language)
        features = [beat_features(i, n, kind) for i, n, kind in places]
        heads = [h for h in ("beat", "culture") if h in model.head_labels]
        probs = predict_proba(model, texts, contexts, features, heads=heads)
        labels = model.head_labels["beat"]
        beats = [{label: round(float(p), 6) for label, p in zip(labels, row)} for row in probs["beat"]]
        if "culture" not in probs:
            return [(beat, 0.0, False) for beat in beats]
        threshold = getattr(model, "folder_config", {}).get("culture_threshold")
        yes = list(model.head_labels["culture"]).index("yes")
        return [(beat, round(float(row[yes]), 6), threshold is not None and bool(row[yes] >= threshold))
                for beat, row in zip(beats, probs["culture"])]

    def beats(self, language, texts, contexts, places):
        """The beat probabilities alone (scripts/tripod_turning_points.py)."""
        return [beat for beat, _, _ in self.narrative(language, texts, contexts, places)]

    # ----- cultural -----
    def mentions(self, language, text):
        from resonance.culture.matcher import find_cultural_spans

        return tuple(CulturalMention(text=s.text, term=s.term, type=s.type, specific=s.specific)
                     for s in find_cultural_spans(text, language))

    def integration(self, language, texts, contexts, kinds):
        from resonance.classifiers.line_features import cultural_features
        from resonance.classifiers.predict import predict_proba

        model = self._model("cultural", language)
        features = [cultural_features(kind) for kind in kinds]
        probs = predict_proba(model, texts, contexts, features, heads=["integration", "bridge"])
        labels = model.head_labels["integration"]
        yes = list(model.head_labels["bridge"]).index("yes")
        return [({label: round(float(p), 6) for label, p in zip(labels, row)}, round(float(b[yes]), 6))
                for row, b in zip(probs["integration"], probs["bridge"])]
