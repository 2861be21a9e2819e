"""A context-aware utterance classifier: a pretrained encoder, its top layers fine-tuned, and
one linear head per label space.

Only the top ``trainable_layers`` transformer layers and the heads are trained. The layers below
are the base encoder's own (shared, frozen, never registered as sub-modules), so
``state_dict()`` holds exactly the trained parameters and a saved model is a few MB: at load
time the frozen base comes from the pip package or the encoder folder, and the config records
its sha256 so a different base is refused.

Heads: ``heads`` maps a head name to its labels (output column order); ``primary_head`` is the
one ``predict`` reports by default (the unified emotion labels). Several heads make a multi-task
model, e.g. the unified 7 labels plus EmoryNLP's native 7. Extra numeric ``features`` (say, the
position of a line in its episode) are concatenated to the pooled vector before the heads.

Branches: a head may own private copies of the last few trained layers (``branches``,
head -> layers, made by ``add_branch`` from the shared layers). A branch can then be fine-tuned
on data that must not reach the shared layers (another head's test episodes) without changing
what the other heads compute.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Mapping, Sequence

import torch
from torch import nn

from resonance.classifiers.bert import attention_mask_4d
from resonance.classifiers.encoder import Encoder, load_encoder
from resonance.classifiers.inputs import collate, encode_pairs
from resonance.classifiers.registry import register
from resonance.errors import ModelError

POOLINGS = ("text_mean", "mean", "cls")
MODEL_NAMES = ("emotion.en.v1", "emotion.zh.v1", "narrative.en.v1", "narrative.zh.v1",
               "cultural.en.v1", "cultural.zh.v1")


@register(*MODEL_NAMES)
class ContextClassifier(nn.Module):
    """``pooling``: ``text_mean`` averages the utterance's tokens (segment A) after the top
    layers have attended to the context; ``mean`` averages all tokens; ``cls`` takes [CLS]."""

    config_keys = ("name", "encoder", "heads", "primary_head", "trainable_layers", "pooling",
                   "feature_names", "max_length", "max_text_tokens", "dropout", "branches")

    def __init__(self, encoder: Encoder, *, name: str, encoder_spec: Mapping, heads: Mapping[str, Sequence[str]],
                 primary_head: str | None = None, trainable_layers: int = 2, pooling: str = "text_mean",
                 feature_names: Sequence[str] = (), max_length: int = 128, max_text_tokens: int = 96,
                 dropout: float = 0.1, branches: Mapping[str, int] | None = None):
        super().__init__()
        if pooling not in POOLINGS:
            raise ModelError(f"unknown pooling {pooling!r} (use one of {', '.join(POOLINGS)})")
        if not heads:
            raise ModelError("a classifier needs at least one head")
        if not 0 <= trainable_layers <= encoder.num_layers:
            raise ModelError(f"trainable_layers must be 0..{encoder.num_layers}")
        self.name = name
        self.encoder_spec = {**encoder_spec, "weights_sha256": encoder.weights_sha256}
        self.head_labels = {head: tuple(labels) for head, labels in heads.items()}
        self.primary_head = primary_head or next(iter(self.head_labels))
        if self.primary_head not in self.head_labels:
            raise ModelError(f"primary head {self.primary_head!r} is not among the heads")
        self.trainable_layers = trainable_layers
        self.pooling = pooling
        self.feature_names = tuple(feature_names)
        self.max_length = max_length
        self.max_text_tokens = max_text_tokens
        self.dropout_p = dropout
        object.__setattr__(self, "_encoder", encoder)  # not a sub-module: frozen and shared
        first_trained = encoder.num_layers - trainable_layers
        self.top = nn.ModuleList(copy.deepcopy(layer) for layer in encoder.model.encoder.layer[first_trained:])
        for parameter in self.top.parameters():
            parameter.requires_grad_(True)
        self.dropout = nn.Dropout(dropout)
        width = encoder.hidden_size + len(self.feature_names)
        self.heads = nn.ModuleDict({head: nn.Linear(width, len(labels)) for head, labels in self.head_labels.items()})
        self.branch_layers: dict[str, int] = {}
        self.branches = nn.ModuleDict()
        for head, layers in (branches or {}).items():
            self.add_branch(head, layers)

    def add_branch(self, head: str, layers: int = 1) -> None:
        """Give ``head`` its own copy of the last ``layers`` trained layers (as trained so far)."""
        if head not in self.head_labels:
            raise ModelError(f"no head {head!r} to branch")
        if not 1 <= layers <= self.trainable_layers:
            raise ModelError(f"a branch needs 1..{self.trainable_layers} layers (the trained ones)")
        self.branches[head] = nn.ModuleList(copy.deepcopy(layer) for layer in self.top[len(self.top) - layers:])
        self.branch_layers[head] = layers

    def remove_branch(self, head: str) -> None:
        del self.branches[head]
        del self.branch_layers[head]

    # ----- inputs -----
    @property
    def labels(self) -> tuple[str, ...]:
        """The primary head's labels: the column order of its probabilities."""
        return self.head_labels[self.primary_head]

    @property
    def tokenizer(self):
        return self._encoder.tokenizer

    def encode(self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None):
        contexts = contexts if contexts is not None else [()] * len(texts)
        return encode_pairs(self.tokenizer, texts, contexts, self.max_length, self.max_text_tokens)

    def batch(self, ids, types):
        return collate(ids, types, self.tokenizer.pad_token_id)

    # ----- forward -----
    @torch.no_grad()
    def frozen_states(self, input_ids, attention_mask, token_type_ids) -> torch.Tensor:
        """Hidden states after the frozen layers (the input of the trained top)."""
        base = self._encoder.model
        hidden = base.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        mask = attention_mask_4d(attention_mask)
        for layer in base.encoder.layer[:base.config.num_hidden_layers - self.trainable_layers]:
            hidden = layer(hidden, mask)
        return hidden

    def _pooled_width(self, attention_mask, token_type_ids) -> int | None:
        """How many leading positions pooling reads: with ``text_mean`` only the utterance (segment
        A, at the start of every row), so a path's last layer computes those alone (about a
        quarter of the tokens when the context is three lines); None: every position."""
        if self.pooling != "text_mean":
            return None
        return max(1, int((attention_mask * (token_type_ids == 0)).sum(dim=1).max()))

    def _paths(self, hidden, attention_mask, token_type_ids, heads: Sequence[str]) -> dict[str | None, torch.Tensor]:
        """Final hidden states per path: None = the shared top layers, a head name = its branch.
        A path's last layer computes only the positions pooling reads (``_pooled_width``)."""
        mask = attention_mask_4d(attention_mask)
        width = self._pooled_width(attention_mask, token_type_ids)
        total = len(self.top)
        needed = {self.branch_layers.get(head, 0) for head in heads}
        shared = {0: hidden}
        state = hidden
        for depth in range(1, total + 1):
            if depth > total - min(needed):
                break
            state = self.top[depth - 1](state, mask, width if depth == total else None)
            shared[depth] = state
        paths: dict[str | None, torch.Tensor] = {}
        for head in heads:
            layers = self.branch_layers.get(head, 0)
            key = head if layers else None
            if key in paths:
                continue
            state = shared[total - layers]
            branch = self.branches[head] if layers else ()
            for i, layer in enumerate(branch):
                state = layer(state, mask, width if i == len(branch) - 1 else None)
            paths[key] = state
        return paths

    def _finish(self, state, attention_mask, token_type_ids, features) -> torch.Tensor:
        width = state.shape[1]  # the path's last layer may have computed only the leading positions
        pooled = self._pool(state, attention_mask[:, :width], token_type_ids[:, :width])
        if self.feature_names:
            if features is None or features.shape[-1] != len(self.feature_names):
                raise ModelError(f"this model needs features {', '.join(self.feature_names)}")
            pooled = torch.cat([pooled, features.to(pooled.dtype)], dim=-1)
        return pooled

    def pooled_top(self, hidden, attention_mask, token_type_ids, features=None, head: str | None = None) -> torch.Tensor:
        """The vector ``head`` reads (default: the primary head): top layers or its branch,
        pooling, then any extra features."""
        head = head or self.primary_head
        paths = self._paths(hidden, attention_mask, token_type_ids, [head])
        return self._finish(next(iter(paths.values())), attention_mask, token_type_ids, features)

    def forward_top(self, hidden, attention_mask, token_type_ids, features=None,
                    heads: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        """Logits per head (default: every head) from the frozen states: the trained part."""
        heads = list(heads or self.head_labels)
        paths = self._paths(hidden, attention_mask, token_type_ids, heads)
        pooled = {key: self.dropout(self._finish(state, attention_mask, token_type_ids, features))
                  for key, state in paths.items()}
        return {head: self.heads[head](pooled[head if head in self.branch_layers else None]) for head in heads}

    def forward(self, input_ids, attention_mask, token_type_ids, features=None,
                heads: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        hidden = self.frozen_states(input_ids, attention_mask, token_type_ids)
        return self.forward_top(hidden, attention_mask, token_type_ids, features, heads)

    def _pool(self, hidden, attention_mask, token_type_ids) -> torch.Tensor:
        if self.pooling == "cls":
            return hidden[:, 0]
        from resonance.classifiers.bert import masked_mean

        return masked_mean(hidden, attention_mask * (token_type_ids == 0) if self.pooling == "text_mean"
                           else attention_mask)

    # ----- persistence -----
    def to_config(self) -> dict:
        return {
            "name": self.name, "encoder": dict(self.encoder_spec),
            "heads": {head: list(labels) for head, labels in self.head_labels.items()},
            "primary_head": self.primary_head, "labels": list(self.labels),
            "trainable_layers": self.trainable_layers, "pooling": self.pooling,
            "feature_names": list(self.feature_names), "max_length": self.max_length,
            "max_text_tokens": self.max_text_tokens, "dropout": self.dropout_p,
            "branches": dict(self.branch_layers),
        }

    def save(self, path: str | Path, card: str, dtype: str = "float16", extra_config: Mapping | None = None,
             extra_files: Mapping[str, str] | None = None) -> Path:
        from resonance.classifiers.folder import save_model_folder

        target = getattr(torch, dtype)
        tensors = {key: value.to(target) for key, value in self.state_dict().items()}
        config = {**self.to_config(), "weights_dtype": dtype, **(extra_config or {})}
        return save_model_folder(path, config, tensors, card, extra_files)

    @classmethod
    def from_folder(cls, path: Path, config: Mapping, tensors: Mapping[str, torch.Tensor]) -> "ContextClassifier":
        try:
            encoder = load_encoder(config["encoder"], relative_to=path)
            model = cls(encoder, name=config["name"], encoder_spec=config["encoder"], heads=config["heads"],
                        primary_head=config.get("primary_head"), trainable_layers=config["trainable_layers"],
                        pooling=config.get("pooling", "text_mean"), feature_names=config.get("feature_names", ()),
                        max_length=config.get("max_length", 128), max_text_tokens=config.get("max_text_tokens", 96),
                        dropout=config.get("dropout", 0.1), branches=config.get("branches"))
        except KeyError as err:
            raise ModelError(f"config.json lacks {err}", source=str(path)) from None
        if list(config.get("labels", model.labels)) != list(model.labels):
            raise ModelError("config 'labels' differ from the primary head's labels", source=str(path))
        state = {key: value.float() for key, value in tensors.items()}
        try:
            result = model.load_state_dict(state, strict=False)
        except RuntimeError as err:  # a tensor of the wrong shape
            raise ModelError(f"model.safetensors does not fit config.json: {str(err)[:200]}", source=str(path)) from None
        if result.missing_keys or result.unexpected_keys:
            raise ModelError("model.safetensors does not fit config.json (missing "
                             f"{result.missing_keys[:3]}, unexpected {result.unexpected_keys[:3]})", source=str(path))
        model.eval()
        return model
