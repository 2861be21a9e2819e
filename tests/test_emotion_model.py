"""The shipped English emotion model, the unified labels, and the leakage rules of its data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resonance.classifiers import labels
from resonance.cli import app

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "models" / "emotion-en"
DATASETS = ROOT.parent / "shared" / "datasets"
needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").is_file(), reason="models/emotion-en not shipped")
needs_data = pytest.mark.skipif(not (DATASETS / "meld").is_dir(), reason="../shared/datasets not present")

JOYFUL = "We won! I can't believe it, this is the best day of my life!"
GRIEVING = "She's gone. My mother died this morning and I never got to say goodbye."


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from resonance.classifiers import emotion

    return emotion.load("en")


@pytest.mark.slow
@needs_model
def test_clear_feelings_are_recognised(shipped):
    from resonance.classifiers import emotion

    result = emotion.predict([JOYFUL, GRIEVING], [(), ("Doctor: I'm so sorry.",)], lang="en", model=shipped)
    assert result.top() == ["joy", "sadness"]
    assert result.valence[0] > 0.3 > -0.3 > result.valence[1]


@pytest.mark.slow
@needs_model
def test_output_columns_follow_config_labels(shipped):
    from resonance.classifiers import emotion

    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    result = emotion.predict([JOYFUL, GRIEVING, "Okay."], lang="en", model=shipped)
    assert list(result.labels) == config["labels"] == list(labels.UNIFIED)
    assert result.probabilities.shape == (3, len(labels.UNIFIED))
    assert abs(result.probabilities.sum(axis=1) - 1).max() < 1e-4
    assert result.as_dicts()[0]["joy"] == pytest.approx(float(result.probabilities[0, labels.UNIFIED.index("joy")]))


@pytest.mark.slow
@needs_model
def test_emorynlp_head_speaks_its_own_labels(shipped):
    from resonance.classifiers.predict import predict_proba

    probabilities = predict_proba(shipped, [JOYFUL], heads=["emorynlp"])["emorynlp"]
    assert list(shipped.head_labels["emorynlp"]) == list(labels.EMORYNLP)
    assert labels.EMORYNLP[int(probabilities.argmax())] in {"Joyful", "Powerful", "Peaceful"}


@needs_model
def test_shipped_folder_is_safe_and_small():
    from resonance.classifiers.folder import check_model_folder

    config = check_model_folder(MODEL_DIR)  # hash and file types
    assert config["encoder"]["kind"] == "minilm"  # base weights come from the pip package
    assert sum(p.stat().st_size for p in (ROOT / "models").rglob("*") if p.is_file()) < 80 * 1024 * 1024
    card = (MODEL_DIR / "README.md").read_text(encoding="utf-8")
    assert "resonance evaluate emotion --lang en" in card and "TF-IDF" in card


def test_every_source_label_maps_into_the_unified_space():
    for source, mapping in labels.SOURCE_MAPS.items():
        assert set(mapping.values()) - {None} <= set(labels.UNIFIED), source
    cped = labels.SOURCE_MAPS["cped"]  # exactly the datasets README's 7-class mapping
    assert [k for k, v in cped.items() if v == "joy"] == ["happy", "grateful", "relaxed", "positive-other"]
    assert cped["worried"] == "fear" and cped["depress"] == "sadness" and cped["negative-other"] is None
    assert set(labels.SOURCE_MAPS["emorynlp"]) == set(labels.EMORYNLP)


def test_valence_and_arousal_follow_the_probabilities():
    import numpy as np

    one_hot = np.eye(len(labels.UNIFIED))
    valence, arousal = labels.valence_arousal(one_hot)
    by_label = dict(zip(labels.UNIFIED, zip(valence, arousal)))
    assert by_label["joy"][0] > by_label["neutral"][0] > by_label["sadness"][0]
    assert by_label["anger"][1] > by_label["neutral"][1] > by_label["sadness"][1]
    assert (np.abs(valence) <= 1).all() and (np.abs(arousal) <= 1).all()


@needs_data
def test_english_training_data_shares_no_episode_with_either_test_set():
    from resonance.classifiers import emotion, emotion_data

    train, dev = emotion.training_data("en")
    meld_test = {e.group for e in emotion_data.load_meld("test")}
    emory_test = {e.group for e in emotion_data.load_emorynlp("test")}
    assert not {e.group for e in train if e.source == "emorynlp"} & meld_test
    assert not {e.group for e in train if e.source == "meld"} & emory_test
    assert {e.head for e in train} == {"emotion", "emorynlp"}
    assert sum(bool(e.context) for e in dev) > 0.7 * len(dev)  # all but first turns carry context


@needs_data
def test_cped_is_split_by_series():
    from resonance.classifiers import emotion_data

    series = {split: {e.group for e in emotion_data.load_cped(split)} for split in emotion_data.SPLITS}
    assert series["test"] == {"cped:27", "cped:29", "cped:34"}
    assert series["dev"] == {"cped:30", "cped:45"}
    assert not series["train"] & (series["dev"] | series["test"])


def test_cli_rejects_an_unknown_language():
    result = CliRunner().invoke(app, ["train", "emotion", "--lang", "fr", "--out", "unused"])
    assert result.exit_code == 1
    assert "unknown language 'fr'" in result.output


def test_cli_evaluate_reports_an_unsafe_folder_in_one_line(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    result = CliRunner().invoke(app, ["evaluate", "emotion", "--lang", "en", "--model", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("error:") and "pickle" in result.output
