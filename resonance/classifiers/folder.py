"""Model folders: ``config.json`` + ``model.safetensors`` + ``README.md`` (the model card).

One save/load pair serves every task. Loading is defensive because a model folder is code-adjacent
input: pickled files (``.bin``, ``.pt``, ``.pkl``...) can run arbitrary code when loaded, so a
folder holding one is refused outright, as is any file type we do not expect. ``config.json``
records the sha256 of ``model.safetensors``; a mismatch means the weights are not the ones the
config (and the card's figures) describe, and is refused too.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Mapping

from resonance.errors import ModelError

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
CARD = "README.md"
SHA_KEY = "weights_sha256"

PICKLE_SUFFIXES = frozenset({
    ".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz", ".h5", ".msgpack",
})
# Plain-text side files a folder may carry: tokenizers (tokenizer.json, vocab.txt,
# tokenizer_config.json, special_tokens_map.json) and evaluation results (metrics.json).
TEXT_SUFFIXES = frozenset({".json", ".txt", ".md"})


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def check_model_folder(path: str | Path, require_sha: bool = True) -> dict:
    """Validate a folder's files and weights hash; return its parsed config.json.

    Raises ModelError for a missing folder or file, a pickle, an unexpected file or
    sub-folder, an unreadable config, or weights whose sha256 differs from the config's.
    With ``require_sha=False`` a config without a hash (a plain Hugging Face folder) passes,
    but a hash that is present must still match.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ModelError("model folder not found", source=str(folder))
    for item in sorted(folder.iterdir()):
        if item.name.startswith("."):
            continue
        suffix = item.suffix.lower()
        if suffix in PICKLE_SUFFIXES:
            raise ModelError(f"refusing to load '{item.name}': pickle-based files can run code "
                             "when loaded; only model.safetensors is accepted", source=str(folder))
        if item.is_dir():
            raise ModelError(f"unexpected sub-folder '{item.name}' in a model folder", source=str(folder))
        if item.name != WEIGHTS and suffix not in TEXT_SUFFIXES:
            raise ModelError(f"unexpected file '{item.name}' in a model folder "
                             f"(allowed: {WEIGHTS}, .json, .txt, .md)", source=str(folder))
    for required in (CONFIG, WEIGHTS):
        if not (folder / required).is_file():
            raise ModelError(f"{required} is missing", source=str(folder))
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(f"config.json is not valid JSON: {err}", source=str(folder)) from None
    if not isinstance(config, dict):
        raise ModelError("config.json must hold a JSON object", source=str(folder))
    expected = config.get(SHA_KEY)
    if expected is None:
        if require_sha:
            raise ModelError(f"config.json has no '{SHA_KEY}' for {WEIGHTS}", source=str(folder))
        return config
    actual = sha256_file(folder / WEIGHTS)
    if actual != expected:
        raise ModelError(f"{WEIGHTS} does not match config.json (sha256 {actual[:12]}... != "
                         f"{str(expected)[:12]}...): the weights were changed or corrupted",
                         source=str(folder))
    return config


def save_model_folder(path: str | Path, config: Mapping, tensors: Mapping, card: str,
                      extra_files: Mapping[str, str] | None = None) -> Path:
    """Write ``tensors`` (name -> torch tensor) as safetensors, the config with the weights'
    sha256, the card, and optional text side files (name -> content). Returns the folder."""
    from safetensors.torch import save_file

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for name in extra_files or {}:
        if Path(name).name != name or Path(name).suffix.lower() not in TEXT_SUFFIXES:
            raise ModelError(f"side file '{name}' must be a plain .json/.txt/.md name", source=str(folder))
    stale = [item.name for item in folder.iterdir() if item.suffix.lower() in PICKLE_SUFFIXES]
    if stale:
        raise ModelError(f"folder already holds pickle files: {', '.join(stale)}", source=str(folder))
    contiguous = {name: tensor.detach().contiguous().cpu() for name, tensor in tensors.items()}
    save_file(contiguous, str(folder / WEIGHTS), metadata={"format": "pt"})
    full = dict(config)
    full[SHA_KEY] = sha256_file(folder / WEIGHTS)
    (folder / CONFIG).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / CARD).write_text(card, encoding="utf-8")
    for name, content in (extra_files or {}).items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def load_model_folder(path: str | Path) -> tuple[dict, dict]:
    """Check the folder (see ``check_model_folder``) and return (config, tensors)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    config = check_model_folder(path)
    try:
        tensors = load_file(str(Path(path) / WEIGHTS))
    except (SafetensorError, OSError) as err:
        raise ModelError(f"cannot read {WEIGHTS}: {err}", source=str(path)) from None
    return config, tensors
