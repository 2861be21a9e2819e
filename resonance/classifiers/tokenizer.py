"""The tokenizer of an encoder folder, read with the ``tokenizers`` library alone.

The classifiers need token ids without special tokens (``inputs.token_ids``, which asks the
``tokenizers`` backend directly) and the ids of [CLS], [SEP] and [PAD]. Wrapping the same
tokenizer.json in transformers' ``PreTrainedTokenizerFast`` gives the same ids but imports
transformers (see classifiers/bert.py for what that costs).
"""
from __future__ import annotations

from pathlib import Path

from resonance.errors import ModelError

SPECIAL = {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "unk": "[UNK]", "mask": "[MASK]"}


class Tokenizer:
    """``backend_tokenizer`` (a ``tokenizers.Tokenizer``) and ``<name>_token_id`` for the BERT
    special tokens, as transformers' fast tokenizers expose them."""

    def __init__(self, backend, source: str = ""):
        self.backend_tokenizer = backend
        for name, token in SPECIAL.items():
            token_id = backend.token_to_id(token)
            if token_id is None and name in ("cls", "sep", "pad"):
                raise ModelError(f"tokenizer lacks {token}", source=source)
            setattr(self, f"{name}_token_id", token_id)

    def __len__(self) -> int:
        return self.backend_tokenizer.get_vocab_size()

    def tokenize(self, text: str) -> list[str]:
        """The tokens of ``text``, without special tokens."""
        return self.backend_tokenizer.encode(text, add_special_tokens=False).tokens


def load_tokenizer(folder: str | Path) -> Tokenizer:
    """The tokenizer.json in ``folder``."""
    from tokenizers import Tokenizer as Backend

    path = Path(folder) / "tokenizer.json"
    if not path.is_file():
        raise ModelError("tokenizer.json is missing", source=str(folder))
    try:
        return Tokenizer(Backend.from_file(str(path)), str(folder))
    except Exception as err:  # tokenizers raises plain Exception on a malformed file
        raise ModelError(f"cannot load the tokenizer: {err}", source=str(path)) from None
