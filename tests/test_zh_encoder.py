"""The Chinese encoder, its tokenizer, the n-gram scorer and the shipped Chinese emotion model."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
ENCODER = ROOT / "models" / "encoder-zh"
EMOTION = ROOT / "models" / "emotion-zh"
DATASETS = ROOT.parent / "shared" / "datasets"
needs_encoder = pytest.mark.skipif(not (ENCODER / "model.safetensors").is_file(), reason="models/encoder-zh not shipped")
needs_emotion = pytest.mark.skipif(not (EMOTION / "model.safetensors").is_file(), reason="models/emotion-zh not shipped")
needs_data = pytest.mark.skipif(not (DATASETS / "cped").is_dir(), reason="../shared/datasets not present")

JOYFUL = "我考上了！太好了，我终于考上了！"
GRIEVING = "妈走了……我再也见不到她了。"


# ----- tokenizer -----
@needs_encoder
@pytest.mark.parametrize("text", [JOYFUL, GRIEVING, "他叫Tony，住在Texas州。", "【闪回】十年前 · 雨夜"])
def test_tokenizer_round_trips_chinese_text(text):
    from resonance.classifiers.zh_tokenizer import detokenize, load_tokenizer, normalize

    tokenizer = load_tokenizer(ENCODER)
    encoding = tokenizer.encode(text)
    assert encoding.tokens[0] == "[CLS]" and encoding.tokens[-1] == "[SEP]"
    assert "[UNK]" not in encoding.tokens
    assert detokenize(encoding.tokens) == normalize(tokenizer, text)


@needs_encoder
def test_every_chinese_character_is_its_own_token():
    from resonance.classifiers.zh_tokenizer import load_tokenizer

    tokens = load_tokenizer(ENCODER).encode("妈走了", add_special_tokens=False).tokens
    assert tokens == ["妈", "走", "了"]


def test_a_tokenizer_trains_from_a_few_lines():
    from resonance.classifiers.zh_tokenizer import detokenize, measure, train_tokenizer

    lines = ["我考上了！", "太好了，我终于考上了！", "妈走了。", "我再也见不到她了。"] * 5
    tokenizer = train_tokenizer(lines, kind="char", vocab_size=200, min_frequency=1)
    assert detokenize(tokenizer.encode("我考上了").tokens) == "我考上了"
    stats = measure(tokenizer, "char", ["我考上了"])
    assert stats.tokens_per_char == 1.0 and stats.unknown == 0


# ----- encoder folder -----
@needs_encoder
def test_encoder_folder_has_no_pickle_and_its_hash_matches():
    from resonance.classifiers.folder import PICKLE_SUFFIXES, check_model_folder, sha256_file

    assert not [p for p in ENCODER.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
    config = check_model_folder(ENCODER)
    assert config["weights_sha256"] == sha256_file(ENCODER / "model.safetensors")
    assert config["model_type"] == "bert" and config["num_hidden_layers"] <= 4


@needs_encoder
def test_encoder_loads_as_a_bert_model_with_its_tokenizer():
    from resonance.classifiers.encoder import load_encoder

    encoder = load_encoder({"kind": "folder", "path": str(ENCODER)})
    assert encoder.hidden_size <= 384
    tokens = encoder.tokenizer.tokenize(JOYFUL)
    assert tokens and "[UNK]" not in tokens
    from resonance.classifiers.inputs import encode_pairs

    ids = encode_pairs(encoder.tokenizer, [JOYFUL], [()]).input_ids[0]
    assert ids[0] == encoder.tokenizer.cls_token_id and ids[-1] == encoder.tokenizer.sep_token_id
    assert len(ids) == len(tokens) + 2


@needs_encoder
def test_encoder_card_states_corpus_licenses_and_hardware():
    card = (ENCODER / "README.md").read_text(encoding="utf-8")
    for needle in ("tvsub_zh", "CC BY-NC-ND", "Apache-2.0", "Tokens seen", "Hardware: one NVIDIA"):
        assert needle in card


# ----- pretraining pieces (no training) -----
def test_masking_never_touches_special_tokens():
    from resonance.classifiers.pretrain import mask_tokens

    ids = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    rng = np.random.default_rng(0)
    rows = rng.integers(5, 100, size=(64, 32))
    rows[:, 0], rows[:, 16] = 2, 3
    inputs, labels = mask_tokens(rows, ids, 100, 0.15, rng)
    chosen = labels != -100
    assert not chosen[:, 0].any() and not chosen[:, 16].any()
    assert 0.10 < chosen.mean() < 0.20
    assert (inputs[chosen] == 4).mean() > 0.7
    assert (inputs[~chosen] == rows[~chosen]).all()


def test_windows_mark_the_turns_after_the_first_sep_as_segment_b():
    from resonance.classifiers.pretrain import WindowSampler

    stream = np.array([7, 8, 3, 9, 9, 3] * 50, dtype=np.uint16)
    sampler = WindowSampler({"a": stream}, 8, {}, cls_id=2, sep_id=3, pair_prob=1.0,
                            rng=np.random.default_rng(0))
    rows, types = sampler.batch(4)
    assert (rows[:, 0] == 2).all() and rows.shape == (4, 8)
    for row, row_types in zip(rows, types):
        first_sep = list(row).index(3)
        assert not row_types[:first_sep + 1].any() and row_types[first_sep + 1:].all()


@needs_data
def test_pretraining_text_never_holds_cped_dev_or_test_series():
    import csv

    from resonance.classifiers.zh_corpus import read_cped_train_series

    held = set()
    with (DATASETS / "cped" / "valid_split.csv").open(encoding="utf-8-sig", newline="") as handle:
        held |= {r["Utterance"] for r in csv.DictReader(handle) if r["TV_ID"] in {"30", "45"}}
    seen = {line for doc in read_cped_train_series(DATASETS / "cped") for line in doc}
    long_held = {u for u in held if len(u) >= 12}
    assert seen and not (long_held & seen)


# ----- n-gram scorer -----
def test_ngram_scorer_reproduces_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from resonance.classifiers.ngram import NgramScorer

    texts = ["太好了", "我好开心", "真开心啊", "好难过", "我想哭", "太难过了  呜呜"] * 3
    labels = ["joy", "joy", "joy", "sadness", "sadness", "sadness"] * 3
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=1, sublinear_tf=True)
    model = LogisticRegression(C=2.0, max_iter=1000).fit(vectorizer.fit_transform(texts), labels)
    scorer = NgramScorer.from_sklearn(vectorizer, model)
    probe = ["开心极了", "难过  哭", "Hello"]
    expected = model.predict_proba(vectorizer.transform(probe))
    assert np.allclose(np.exp(scorer.log_proba(probe)), expected, atol=1e-5)
    clone = NgramScorer.from_parts(scorer.vocabulary_json(), scorer.tensors())
    assert np.allclose(clone.log_proba(probe), scorer.log_proba(probe), atol=1e-6)


# ----- the shipped Chinese emotion model -----
@pytest.fixture(scope="module")
def shipped():
    from resonance.classifiers.bundle import ShippedModels

    return ShippedModels()


@pytest.mark.slow
def test_clear_feelings_are_recognised_in_chinese(shipped):
    rows = shipped.emotion("zh", [JOYFUL, GRIEVING], [(), ()], [0, 1])
    assert [max(r, key=r.get) for r in rows] == ["joy", "sadness"]


@pytest.mark.slow
def test_probabilities_follow_the_unified_labels(shipped):
    from resonance.classifiers.labels import UNIFIED

    rows = shipped.emotion("zh", [JOYFUL, "你说什么？"], [(), ("林晚: 我要走了",)], [0, 0])
    assert all(tuple(r) == UNIFIED for r in rows)
    assert all(abs(sum(r.values()) - 1.0) < 1e-3 for r in rows)


def test_emotion_folder_is_safe_and_small():
    from resonance.classifiers.folder import PICKLE_SUFFIXES, check_model_folder

    assert not [p for p in EMOTION.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES]
    config = check_model_folder(EMOTION)
    assert config["name"].startswith("emotion.zh")
    sizes = sum(p.stat().st_size for folder in (EMOTION, ENCODER) for p in folder.iterdir())
    assert sizes <= 40 * 1024 * 1024
