"""resonance.classifiers.bert: the same numbers as transformers' BertModel, from the same files,
without importing transformers when scoring."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[1]


def _tiny_config():
    return transformers.BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                   intermediate_size=64, max_position_embeddings=40)


def _batch():
    torch.manual_seed(0)
    ids = torch.randint(5, 50, (3, 12))
    mask = torch.ones_like(ids)
    mask[1, 7:] = 0  # a padded row
    types = torch.zeros_like(ids)
    types[:, 6:] = 1
    return ids, mask, types


@pytest.mark.parametrize("saved_as", ["BertModel", "BertForMaskedLM"])
def test_a_transformers_checkpoint_gives_the_same_hidden_states(tmp_path, saved_as):
    from resonance.classifiers.bert import load_bert

    torch.manual_seed(1)
    reference = getattr(transformers, saved_as)(_tiny_config()).eval()
    reference.save_pretrained(tmp_path, safe_serialization=True)
    ours = load_bert(tmp_path)
    ids, mask, types = _batch()
    with torch.inference_mode():
        bert = reference.bert if saved_as == "BertForMaskedLM" else reference
        expected = bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        got = ours(ids, mask, types).last_hidden_state
    real = mask.bool()
    assert torch.allclose(got[real], expected[real], atol=1e-5)


def test_a_folder_whose_weights_do_not_fit_its_config_is_refused(tmp_path):
    from resonance.classifiers.bert import load_bert
    from resonance.errors import ModelError

    transformers.BertModel(_tiny_config()).save_pretrained(tmp_path, safe_serialization=True)
    config = (tmp_path / "config.json").read_text(encoding="utf-8").replace('"num_hidden_layers": 2', '"num_hidden_layers": 3')
    (tmp_path / "config.json").write_text(config, encoding="utf-8")
    with pytest.raises(ModelError, match="do not fit"):
        load_bert(tmp_path)


def test_scoring_with_the_shipped_models_never_imports_transformers(tmp_path):
    script = next((ROOT / "corpora" / "contrast" / "zh").glob("*strong*"))
    code = ("import sys; from resonance.pipeline import score_paths; from resonance.config import Config; "
            f"score_paths([{str(script)!r}], config=Config(), use_cache=False); "
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["True", "False"]  # the models ran (torch), transformers stayed out


def test_a_last_layer_asked_for_the_leading_positions_gives_what_the_whole_layer_gives_there():
    """ContextClassifier's last layer computes only the utterance's positions (what pooling reads);
    they must be the full layer's values, padding and context still attended to."""
    from resonance.classifiers.bert import BertConfig, Layer, attention_mask_4d

    torch.manual_seed(2)
    layer = Layer(BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
                             intermediate_size=64, max_position_embeddings=40)).eval()
    hidden = torch.randn(3, 12, 32)
    _, mask, _ = _batch()
    with torch.inference_mode():
        whole = layer(hidden, attention_mask_4d(mask))
        leading = layer(hidden, attention_mask_4d(mask), queries=5)
    assert leading.shape == (3, 5, 32)
    assert torch.allclose(leading, whole[:, :5], atol=1e-6)
