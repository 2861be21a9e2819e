"""Model folders: what loads, what is refused, and that a saved model predicts as it did.

Uses a tiny BERT encoder built in the test (a `{"kind": "folder"}` encoder with a vocab.txt
tokenizer, the same path the Chinese encoder takes), so nothing here needs the shipped models.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from resonance.classifiers import registry  # noqa: E402
from resonance.classifiers.folder import check_model_folder, load_model_folder, save_model_folder  # noqa: E402
from resonance.errors import ModelError  # noqa: E402

WORDS = ["we", "won", "lost", "him", "i", "am", "so", "happy", "sad", "!", ".", "she", "cried", "laughed", ":"]
LABELS = ["calm", "bright", "dark"]  # deliberately not alphabetical


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "encoder-tiny"
    folder.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


def tiny_model(encoder_dir, features=()):
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.model import ContextClassifier

    spec = {"kind": "folder", "path": str(encoder_dir)}
    torch.manual_seed(1)
    return ContextClassifier(load_encoder(spec), name="emotion.zh.v1", encoder_spec=spec,
                             heads={"mood": LABELS, "other": ["x", "y"]}, primary_head="mood",
                             trainable_layers=1, feature_names=features, max_length=32)


TEXTS = ["we won ! i am so happy", "she cried", "i am so sad ."]
CONTEXTS = [("him: we lost",), (), ("she: i laughed", "him: we won")]


def test_saved_model_loads_with_identical_outputs(encoder_dir, tmp_path):
    from resonance.classifiers.predict import predict_proba

    model = tiny_model(encoder_dir)
    before = predict_proba(model, TEXTS, CONTEXTS)
    model.save(tmp_path / "clf", "# tiny\n", dtype="float32")
    loaded = registry.load(tmp_path / "clf")
    after = predict_proba(loaded, TEXTS, CONTEXTS)
    assert set(after) == {"mood", "other"}
    for head in before:
        assert after[head].shape == before[head].shape
        assert abs(after[head] - before[head]).max() < 1e-6


def test_float16_storage_keeps_predictions(encoder_dir, tmp_path):
    from resonance.classifiers.predict import predict_proba

    model = tiny_model(encoder_dir)
    before = predict_proba(model, TEXTS, CONTEXTS)["mood"]
    model.save(tmp_path / "clf16", "# tiny\n", dtype="float16")
    after = predict_proba(registry.load(tmp_path / "clf16"), TEXTS, CONTEXTS)["mood"]
    assert abs(after - before).max() < 1e-2
    assert (after.argmax(axis=1) == before.argmax(axis=1)).all()


def test_only_trained_parameters_are_saved(encoder_dir, tmp_path):
    model = tiny_model(encoder_dir)
    model.save(tmp_path / "clf", "# tiny\n")
    _, tensors = load_model_folder(tmp_path / "clf")
    assert not any(name.startswith("embeddings") for name in tensors)
    assert {name.split(".")[0] for name in tensors} == {"top", "heads"}


def test_config_label_order_is_the_column_order(encoder_dir, tmp_path):
    from resonance.classifiers.predict import predict_proba

    model = tiny_model(encoder_dir)
    with torch.no_grad():  # make "dark" win whatever the input
        model.heads["mood"].bias.copy_(torch.tensor([0.0, 0.0, 20.0]))
    model.save(tmp_path / "clf", "# tiny\n")
    config = json.loads((tmp_path / "clf" / "config.json").read_text())
    probabilities = predict_proba(registry.load(tmp_path / "clf"), TEXTS)["mood"]
    assert config["labels"] == LABELS
    assert [config["labels"][i] for i in probabilities.argmax(axis=1)] == ["dark"] * len(TEXTS)
    assert abs(probabilities.sum(axis=1) - 1).max() < 1e-5


def test_extra_features_reach_the_heads(encoder_dir, tmp_path):
    from resonance.classifiers.predict import predict_proba

    model = tiny_model(encoder_dir, features=("position",))
    with torch.no_grad():
        model.heads["mood"].weight[:, -1] = torch.tensor([0.0, 0.0, 30.0])
    low = predict_proba(model, TEXTS, features=[[0.0]] * 3)["mood"]
    high = predict_proba(model, TEXTS, features=[[1.0]] * 3)["mood"]
    assert (high[:, 2] > low[:, 2]).all()
    with pytest.raises(ModelError, match="needs features"):
        predict_proba(model, TEXTS)


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pkl", "weights.pt", "ckpt.ckpt"])
def test_folder_with_pickle_is_refused(encoder_dir, tmp_path, name):
    model = tiny_model(encoder_dir)
    model.save(tmp_path / "clf", "# tiny\n")
    (tmp_path / "clf" / name).write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(ModelError, match="pickle"):
        registry.load(tmp_path / "clf")


def test_unexpected_file_type_is_refused(tmp_path):
    save_model_folder(tmp_path / "m", {"name": "emotion.en.v1"}, {"w": torch.zeros(2)}, "# card\n")
    (tmp_path / "m" / "hook.py").write_text("print('hi')\n")
    with pytest.raises(ModelError, match="unexpected file 'hook.py'"):
        check_model_folder(tmp_path / "m")


def test_sha256_mismatch_is_refused(encoder_dir, tmp_path):
    model = tiny_model(encoder_dir)
    model.save(tmp_path / "clf", "# tiny\n")
    weights = tmp_path / "clf" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # flip bits inside the last tensor
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match config.json"):
        registry.load(tmp_path / "clf")


def test_missing_hash_is_refused(tmp_path):
    save_model_folder(tmp_path / "m", {"name": "emotion.en.v1"}, {"w": torch.zeros(2)}, "# card\n")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    del config["weights_sha256"]
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="weights_sha256"):
        load_model_folder(tmp_path / "m")


def test_changed_base_encoder_is_refused(encoder_dir, tmp_path):
    import shutil

    model = tiny_model(encoder_dir)
    model.save(tmp_path / "clf", "# tiny\n")
    other = tmp_path / "encoder-other"
    shutil.copytree(encoder_dir, other)
    config = json.loads((tmp_path / "clf" / "config.json").read_text())
    config["encoder"]["path"] = str(other)
    torch.manual_seed(5)  # a different base with the same shapes
    transformers.BertModel(transformers.BertConfig.from_pretrained(other)).save_pretrained(other, safe_serialization=True)
    (tmp_path / "clf" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="base encoder"):
        registry.load(tmp_path / "clf")


def test_unknown_model_name_is_refused(tmp_path):
    save_model_folder(tmp_path / "m", {"name": "emotion.xx.v9"}, {"w": torch.zeros(2)}, "# card\n")
    with pytest.raises(ModelError, match="unknown model name"):
        registry.load(tmp_path / "m")


def test_missing_folder_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        registry.load(tmp_path / "nowhere")


def test_context_is_cut_from_its_far_end(encoder_dir):
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.inputs import encode_pairs

    tokenizer = load_encoder({"kind": "folder", "path": str(encoder_dir)}).tokenizer
    context = ("him: we lost", "she: i laughed", "him: so sad")
    encoding = encode_pairs(tokenizer, ["we won"], [context], max_length=10, max_text_tokens=4)
    tokens = tokenizer.convert_ids_to_tokens(encoding.input_ids[0])
    # the utterance stays whole; the oldest turn is dropped first, the newest kept
    assert tokens == ["[CLS]", "we", "won", "[SEP]", "laughed", "him", ":", "so", "sad", "[SEP]"]
    assert encoding.token_type_ids[0] == [0] * 4 + [1] * 6


def test_long_contexts_are_cut_quietly_and_tokenised_as_the_tokenizer_does(encoder_dir, capfd):
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.inputs import encode_pairs, token_ids

    tokenizer = load_encoder({"kind": "folder", "path": str(encoder_dir)}).tokenizer
    long_turn = "him: " + "we lost it all again " * 80  # far over the tokenizer's maximum length
    encoding = encode_pairs(tokenizer, ["we won"], [(long_turn,)], max_length=16, max_text_tokens=8)
    assert len(encoding.input_ids[0]) == 16
    assert "longer than the specified maximum" not in capfd.readouterr().err
    texts = ["we won", "", long_turn, "naïve café 😀"]
    assert token_ids(tokenizer, texts) == tokenizer(texts, add_special_tokens=False)["input_ids"]


def test_importing_the_cli_and_classifier_front_ends_loads_no_torch():
    code = ("import sys, resonance, resonance.cli, resonance.commands.emotion, resonance.classifiers.emotion, "
            "resonance.classifiers.registry, resonance.classifiers.folder; "
            "heavy = [m for m in ('torch', 'transformers') if m in sys.modules]; print(heavy); sys.exit(bool(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_char_tokenizer_json_encoder_folder_works_for_chinese(tmp_path):
    """The zh path: an encoder folder with only tokenizer.json (char-level) + BERT weights."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordPiece

    from resonance.classifiers.predict import predict_proba

    folder = tmp_path / "models" / "encoder-zh"
    folder.mkdir(parents=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"我们赢了她哭：！"]
    tokenizer = Tokenizer(WordPiece({token: i for i, token in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.save(str(folder / "tokenizer.json"))
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    transformers.BertModel(config).save_pretrained(folder, safe_serialization=True)

    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.model import ContextClassifier

    spec = {"kind": "folder", "path": "encoder-zh"}  # relative: found next to the classifier folder
    classifier_dir = tmp_path / "models" / "emotion-zh"
    encoder = load_encoder(spec, relative_to=classifier_dir)
    assert encoder.tokenizer.tokenize("我们赢了！") == ["我", "们", "赢", "了", "！"]
    model = ContextClassifier(encoder, name="emotion.zh.v1", encoder_spec=spec, heads={"emotion": LABELS},
                              trainable_layers=1)
    model.save(classifier_dir, "# zh\n", dtype="float32")
    before = predict_proba(model, ["我们赢了！", "她哭了"], [("她：我们了",), ()])["emotion"]
    after = predict_proba(registry.load(classifier_dir), ["我们赢了！", "她哭了"], [("她：我们了",), ()])["emotion"]
    assert before.shape == (2, 3)
    assert abs(after - before).max() < 1e-6


def test_a_branch_changes_only_its_own_head_and_survives_saving(encoder_dir, tmp_path):
    from resonance.classifiers.predict import predict_proba

    model = tiny_model(encoder_dir)
    before = predict_proba(model, TEXTS, CONTEXTS)
    model.add_branch("other", 1)
    with torch.no_grad():
        for parameter in model.branches["other"].parameters():
            parameter.add_(0.5 * torch.randn_like(parameter))
    after = predict_proba(model, TEXTS, CONTEXTS)
    assert abs(after["mood"] - before["mood"]).max() < 1e-6  # the shared path is untouched
    assert abs(after["other"] - before["other"]).max() > 1e-3
    model.save(tmp_path / "branched", "# tiny\n", dtype="float32")
    loaded = predict_proba(registry.load(tmp_path / "branched"), TEXTS, CONTEXTS)
    assert abs(loaded["other"] - after["other"]).max() < 1e-6


def _tiny_baseline(lang="en"):
    from resonance.classifiers.baseline import TfidfBaseline

    texts = ["we won so happy", "i am so happy", "she cried", "so sad she cried", "we lost", "calm day",
             "happy happy we won", "sad and lost"] * 3
    labels = ["bright", "bright", "dark", "dark", "dark", "calm", "bright", "dark"] * 3
    return TfidfBaseline(lang, Cs=(1.0, 4.0)).fit(texts, labels, texts[:8], labels[:8])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_exported_ngram_scorer_matches_scikit_learn(lang):
    import numpy as np

    from resonance.classifiers.ngram_text import TfidfScorer

    baseline = _tiny_baseline(lang)
    scorer = TfidfScorer.from_baseline(baseline)
    texts = ["We WON!!  so happy", "she\tcried and lost", "", "unseen words only", "我们赢了"]
    assert np.abs(scorer.log_proba(texts) - np.log(baseline.predict_proba(texts))).max() < 1e-9
    again = TfidfScorer.from_parts(scorer.to_json(), scorer.tensors("p."), "p.")
    assert np.abs(again.log_proba(texts) - scorer.log_proba(texts)).max() < 1e-5


def test_fused_model_saves_loads_and_keeps_the_transformer_alone(encoder_dir, tmp_path):
    from resonance.classifiers.fusion import FusedClassifier
    from resonance.classifiers.ngram_text import TfidfScorer
    from resonance.classifiers.predict import predict_proba

    neural = tiny_model(encoder_dir)
    scorer = TfidfScorer.from_baseline(_tiny_baseline())
    fused = FusedClassifier(neural, {"mood": scorer}, {"mood": 0.9}, "emotion.en.fusion.v1")
    alone = predict_proba(neural, TEXTS, CONTEXTS)
    mixed = predict_proba(fused, TEXTS, CONTEXTS)
    assert abs(mixed["other"] - alone["other"]).max() < 1e-6  # an unfused head is untouched
    assert [LABELS[i] for i in mixed["mood"].argmax(axis=1)] == ["bright", "dark", "dark"]  # words now count
    fused.save(tmp_path / "fused", "# fused\n", dtype="float32")
    loaded = registry.load(tmp_path / "fused")
    assert abs(predict_proba(loaded, TEXTS, CONTEXTS)["mood"] - mixed["mood"]).max() < 1e-5
    assert abs(predict_proba(loaded.neural, TEXTS, CONTEXTS)["mood"] - alone["mood"]).max() < 1e-6
