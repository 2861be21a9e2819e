"""A BERT encoder in plain torch, with the layout and weight names of transformers' ``BertModel``.

Every classifier here runs on a BERT encoder (MiniLM for English, our encoder-zh for Chinese).
transformers' own ``BertModel`` computes the same thing, but importing it pulls in
``torch._dynamo``, ``torch.distributed``, sympy and scipy: about 2.2 s on a 2-core box, a third
of the fixed cost a new ``resonance score`` process pays before it scores one changed episode
(docs/performance.md). This module is the part of it the classifiers use (absolute positions,
bidirectional attention through ``scaled_dot_product_attention``, exact GELU, post-LayerNorm) and
reads the same checkpoints: a folder saved by transformers (``BertModel`` or ``BertForMaskedLM``,
whose ``bert.`` prefix and ``cls.`` head are dropped) loads unchanged, and a state dict saved from
one loads into the other. Masked-LM pretraining (classifiers/pretrain.py) still uses transformers.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F

from resonance.errors import ModelError

DEFAULTS = {"hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "layer_norm_eps": 1e-12,
            "type_vocab_size": 2, "pad_token_id": 0, "hidden_act": "gelu", "initializer_range": 0.02,
            "position_embedding_type": "absolute"}
REQUIRED = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "max_position_embeddings")


class BertConfig(SimpleNamespace):
    """config.json's fields as attributes (unknown ones kept, so ``to_dict`` round-trips)."""

    def __init__(self, **values):
        missing = [key for key in REQUIRED if key not in values]
        if missing:
            raise ModelError(f"BERT config lacks {', '.join(missing)}")
        if values.get("hidden_act", "gelu") != "gelu" or values.get("position_embedding_type", "absolute") != "absolute":
            raise ModelError("only BERT with gelu and absolute positions is supported")
        super().__init__(**{**DEFAULTS, **values})

    def to_dict(self) -> dict:
        return dict(vars(self))

    def __reduce__(self):  # copies and pickles rebuild through __init__ with every field
        return _config_from_dict, (self.to_dict(),)


def _config_from_dict(values: dict) -> BertConfig:
    return BertConfig(**values)


def attention_mask_4d(attention_mask: torch.Tensor) -> torch.Tensor:
    """(batch, 1, 1, length) booleans, True where a token may be attended to."""
    return attention_mask[:, None, None, :].bool()


def masked_mean(hidden: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean of ``hidden`` (batch, length, width) over the positions where ``weights`` (batch,
    length; 0/1) is 1: the pooling of every classifier here (a row with none gives zeros)."""
    weights = weights.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class Embeddings(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        # in transformers' order (word + type, then + position), so the sums are bit for bit the same
        hidden = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        hidden = hidden + self.position_embeddings(positions)[None]
        return self.dropout(self.LayerNorm(hidden))


class SelfAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        if config.hidden_size % config.num_attention_heads:
            raise ModelError("hidden_size must be a multiple of num_attention_heads")
        self.heads = config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout_p = config.attention_probs_dropout_prob

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None, queries: int | None = None) -> torch.Tensor:
        """``queries``: attend from the first ``queries`` positions only (every position is still
        attended to); the output then has that many positions."""
        batch, length, width = hidden.shape
        asking = hidden if queries is None else hidden[:, :queries]
        q = self.query(asking).view(batch, asking.shape[1], self.heads, -1).transpose(1, 2)
        k, v = (layer(hidden).view(batch, length, self.heads, -1).transpose(1, 2) for layer in (self.key, self.value))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                 dropout_p=self.dropout_p if self.training else 0.0)
        return context.transpose(1, 2).reshape(batch, asking.shape[1], width)


class DenseResidual(nn.Module):
    """dense, dropout, then LayerNorm over the sum with the block's input."""

    def __init__(self, width_in: int, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(width_in, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class Attention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = SelfAttention(config)
        self.output = DenseResidual(config.hidden_size, config)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None, queries: int | None = None) -> torch.Tensor:
        return self.output(self.self(hidden, mask, queries), hidden if queries is None else hidden[:, :queries])


class Intermediate(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(hidden))


class Layer(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = DenseResidual(config.intermediate_size, config)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None = None,
                queries: int | None = None) -> torch.Tensor:
        """``mask``: ``attention_mask_4d`` of the batch (None: every token attends to every one).
        ``queries``: compute only the first ``queries`` positions' outputs (a last layer whose
        other positions nobody reads); each is what the whole layer would give there."""
        attended = self.attention(hidden, mask, queries)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config.num_hidden_layers))


class BertModel(nn.Module):
    """Embeddings and transformer layers (no pooler); ``forward`` returns an object whose
    ``last_hidden_state`` is (batch, length, hidden), as transformers' does."""

    def __init__(self, config: BertConfig, initialise: bool = True):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Encoder(config)
        if initialise:  # not for weights about to be loaded
            self.apply(self._init)

    def _init(self, module: nn.Module) -> None:
        """transformers' initialisation, for a model trained from scratch."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=self.config.initializer_range)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)
        if isinstance(module, nn.Embedding) and module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()
        if isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None) -> SimpleNamespace:
        hidden = self.embeddings(input_ids, token_type_ids)
        mask = attention_mask_4d(attention_mask) if attention_mask is not None else None
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return SimpleNamespace(last_hidden_state=hidden)


def encoder_state(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A transformers checkpoint's tensors as this module names them: a ``bert.`` prefix (masked-LM
    checkpoints) stripped; the MLM head, the pooler and the position-id buffer dropped."""
    state = {}
    for key, value in tensors.items():
        key = key.removeprefix("bert.")
        if key.startswith(("cls.", "pooler.")) or key == "embeddings.position_ids":
            continue
        state[key] = value.float()
    return state


def load_bert(folder: str | Path) -> BertModel:
    """The encoder in ``folder`` (config.json + model.safetensors), float32, eval mode."""
    from safetensors.torch import load_file

    from resonance.classifiers.folder import CONFIG, WEIGHTS

    folder = Path(folder)
    try:
        config = BertConfig(**json.loads((folder / CONFIG).read_text(encoding="utf-8")))
        tensors = load_file(str(folder / WEIGHTS))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot load the encoder: {err}", source=str(folder)) from None
    model = BertModel(config, initialise=False)
    result = model.load_state_dict(encoder_state(tensors), strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ModelError("the encoder's weights do not fit its config.json (missing "
                         f"{result.missing_keys[:3]}, unexpected {result.unexpected_keys[:3]})", source=str(folder))
    return model.eval()
