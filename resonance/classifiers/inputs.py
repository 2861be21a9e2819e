"""What a classifier reads: an utterance, the turns before it, and optional numeric features.

An input is a tokenizer pair, ``[CLS] utterance [SEP] context [SEP]``, with segment ids 0 and 1.
The context is the previous turns, oldest first, each written ``SPEAKER: text``. When the pair is
too long the utterance keeps up to ``max_text_tokens`` and the context is cut from its far end
(the oldest words go first), because the turn just before a line says most about its feeling.
The pair is assembled here rather than by the tokenizer so that every tokenizer (MiniLM's
WordPiece, a Chinese char tokenizer.json) truncates the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Example:
    """One labeled (or unlabeled) utterance.

    ``head`` names the label space ``label`` belongs to (a multi-task model has one head per
    space); ``group`` is the unit the example must not share with held-out data (an episode,
    a TV series) and ``source`` the dataset it came from.
    """

    text: str
    context: tuple[str, ...] = ()
    label: str | None = None
    head: str = "emotion"
    features: tuple[float, ...] = ()
    group: str = ""
    source: str = ""
    dialogue: str = ""  # the conversation (scene) the utterance belongs to, for dialogue-level models


def format_turn(speaker: str | None, text: str) -> str:
    speaker = (speaker or "").strip()
    return f"{speaker}: {text.strip()}" if speaker else text.strip()


@dataclass(frozen=True)
class PairEncoding:
    input_ids: list[list[int]]
    token_type_ids: list[list[int]]


def token_ids(tokenizer, texts: list[str]) -> list[list[int]]:
    """Ids without special tokens, untruncated (``encode_pairs`` cuts them itself).

    A fast tokenizer is asked through its ``tokenizers`` backend: the same ids as calling it, without
    transformers' "sequence length is longer than the specified maximum" warning for long
    contexts (they are cut below, never fed whole) and without its per-call overhead."""
    if not texts:
        return []
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return tokenizer(texts, add_special_tokens=False)["input_ids"]
    backend.no_truncation()
    backend.no_padding()
    return [encoding.ids for encoding in backend.encode_batch(texts, add_special_tokens=False)]


def encode_pairs(tokenizer, texts: Sequence[str], contexts: Sequence[Sequence[str]],
                 max_length: int = 128, max_text_tokens: int = 96) -> PairEncoding:
    """Token ids for each (utterance, context) pair, at most ``max_length`` ids each."""
    if len(texts) != len(contexts):
        raise ValueError("texts and contexts must have the same length")
    text_ids = token_ids(tokenizer, list(texts))
    context_ids = token_ids(tokenizer, [" ".join(turn for turn in context if turn) for context in contexts])
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    all_ids, all_types = [], []
    for a, b in zip(text_ids, context_ids):
        a = a[:min(max_text_tokens, max_length - 2)]
        budget = max_length - 3 - len(a)
        b = b[len(b) - budget:] if 0 < budget < len(b) else (b if budget > 0 else [])
        ids = [cls, *a, sep]
        types = [0] * len(ids)
        if b:
            ids += [*b, sep]
            types += [1] * (len(b) + 1)
        all_ids.append(ids)
        all_types.append(types)
    return PairEncoding(all_ids, all_types)


def collate(ids: Sequence[Sequence[int]], types: Sequence[Sequence[int]], pad_id: int):
    """Pad to the longest sequence: returns (input_ids, attention_mask, token_type_ids) tensors."""
    import torch

    width = max(len(row) for row in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    token_types = torch.zeros((len(ids), width), dtype=torch.long)
    for i, (row, row_types) in enumerate(zip(ids, types)):
        input_ids[i, :len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, :len(row)] = 1
        token_types[i, :len(row)] = torch.tensor(row_types, dtype=torch.long)
    return input_ids, mask, token_types
