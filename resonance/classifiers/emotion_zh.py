"""The Chinese emotion classifier: a small BERT fine-tuned end to end, fused with char n-grams.

Why not resonance.classifiers.model.ContextClassifier (frozen base, top layers trained)? The only
Chinese base we have was pretrained for an hour on CPU, so its embeddings and lower layers still
have much to learn from the labeled utterances: here every weight, embeddings included, is
fine-tuned, and the model folder carries its own copy of the encoder (float16, ~10 MB).

Fusion: the char 1-3-gram TF-IDF + logistic-regression scorer (resonance.classifiers.ngram) is
strong on held-out series where the small transformer is not; the emotion head's log-probabilities
are mixed with it, ``(1 - w) * transformer + w * ngram``, with ``w`` chosen on the dev series.

Inputs are ``[CLS] utterance [SEP] previous turns [SEP]`` (resonance.classifiers.inputs). Other
heads (``sentiment``, ``weibo``) exist for multi-task training and are kept in the folder.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from resonance.classifiers.bert import masked_mean
from resonance.classifiers.inputs import collate, encode_pairs
from resonance.classifiers.ngram import NgramScorer
from resonance.classifiers.predict import BATCH_SIZE
from resonance.classifiers.registry import register
from resonance.classifiers.tokenizer import load_tokenizer
from resonance.errors import ModelError

MODEL_NAME = "emotion.zh.fusion.v1"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
NGRAM_FILE = "ngram_vocab.json"


@register(MODEL_NAME)
class ZhEmotionClassifier(nn.Module):
    config_keys = ("heads", "primary_head", "max_length", "max_text_tokens", "context_turns",
                   "dropout", "fusion_weight")

    def __init__(self, bert, tokenizer, heads: Mapping[str, Sequence[str]], primary_head: str = "emotion",
                 max_length: int = 96, max_text_tokens: int = 64, context_turns: int = 2,
                 dropout: float = 0.1, ngram: NgramScorer | None = None, fusion_weight: float = 0.0):
        super().__init__()
        self.name = MODEL_NAME
        self.bert = bert
        self.tokenizer = tokenizer
        self.head_labels = {head: tuple(labels) for head, labels in heads.items()}
        if primary_head not in self.head_labels:
            raise ModelError(f"primary head {primary_head!r} is not among the heads")
        self.primary_head = primary_head
        self.max_length, self.max_text_tokens, self.context_turns = max_length, max_text_tokens, context_turns
        self.dropout_p = dropout
        self.dropout = nn.Dropout(dropout)
        width = bert.config.hidden_size
        self.heads = nn.ModuleDict({h: nn.Linear(width, len(labels)) for h, labels in self.head_labels.items()})
        self.ngram = ngram
        self.fusion_weight = fusion_weight
        self.dialogue = None  # a resonance.classifiers.dialogue.DialogueStage, when the folder has one

    @property
    def labels(self) -> tuple[str, ...]:
        return self.head_labels[self.primary_head]

    # ----- forward -----
    def encode(self, texts: Sequence[str], contexts: Sequence[Sequence[str]] | None = None):
        contexts = contexts if contexts is not None else [()] * len(texts)
        contexts = [tuple(c)[len(c) - self.context_turns:] if self.context_turns else () for c in contexts]
        return encode_pairs(self.tokenizer, texts, contexts, self.max_length, self.max_text_tokens)

    def forward(self, input_ids, attention_mask, token_type_ids) -> dict[str, torch.Tensor]:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        pooled = self.dropout(masked_mean(hidden, attention_mask * (token_type_ids == 0)))
        return {head: layer(pooled) for head, layer in self.heads.items()}

    @torch.inference_mode()
    def head_log_proba(self, texts: Sequence[str], contexts=None, head: str | None = None,
                       batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Transformer log-probabilities of one head, columns in that head's label order."""
        head = head or self.primary_head
        was_training = self.training
        self.eval()
        encoded = self.encode(texts, contexts)
        order = np.argsort([len(ids) for ids in encoded.input_ids], kind="stable")
        out = np.zeros((len(texts), len(self.head_labels[head])), dtype=np.float32)
        device = self.bert.embeddings.word_embeddings.weight.device
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            batch = collate([encoded.input_ids[i] for i in rows], [encoded.token_type_ids[i] for i in rows],
                            self.tokenizer.pad_token_id)
            batch = tuple(t.to(device) for t in batch)  # a no-op on the CPU
            out[rows] = torch.log_softmax(self(*batch)[head].float(), dim=-1).cpu().numpy()
        self.train(was_training)
        return out

    def ngram_log_proba(self, texts: Sequence[str]) -> np.ndarray:
        """The n-gram scorer's log-probabilities reordered to the primary head's labels."""
        if self.ngram is None:
            raise ModelError("this model has no n-gram scorer")
        columns = [self.ngram.labels.index(label) for label in self.labels]
        return self.ngram.log_proba(texts)[:, columns]

    def weights_without_dialogue(self) -> dict[str, float]:
        """The log-probability weights of the fusion alone: transformer and n-grams."""
        ngram = self.fusion_weight if self.ngram is not None and self.fusion_weight > 0 else 0.0
        return {"transformer": 1.0 - ngram, "ngram": ngram, "dialogue": 0.0}

    def predict_proba(self, texts: Sequence[str], contexts=None, dialogues: Sequence[object] | None = None,
                      weights: Mapping[str, float] | None = None) -> np.ndarray:
        """Fused probabilities of the primary head, columns in ``labels`` order; with a dialogue
        stage, ``dialogues[i]`` names the dialogue (scene) of line i. ``weights`` (transformer,
        ngram, dialogue) default to the dialogue stage's, else to the fusion's; a part with
        weight 0 is never computed."""
        from resonance.classifiers.fusion import mix_parts

        if weights is None:
            weights = self.dialogue.weights if self.dialogue is not None else self.weights_without_dialogue()
        parts = {"transformer": self.head_log_proba(texts, contexts) if weights["transformer"] > 0 else None,
                 "ngram": self.ngram_log_proba(texts) if weights["ngram"] > 0 else None,
                 "dialogue": self.dialogue.log_proba(texts, dialogues) if weights["dialogue"] > 0 else None}
        return mix_parts(parts, weights)

    def predict_heads(self, texts: Sequence[str], contexts=None, features=None, heads: Sequence[str] | None = None,
                      batch_size: int = BATCH_SIZE, dialogues: Sequence[object] | None = None) -> dict[str, np.ndarray]:
        """Probabilities per head, ``{head: (n, len(labels))}``; the primary head is the fused one.

        The hook resonance.classifiers.predict.predict_proba hands over to (the n-gram half of the
        fusion needs the raw texts, which ``forward`` never sees). ``features`` is unused.
        """
        return self._heads(texts, contexts, heads, batch_size, fused=True, dialogues=dialogues)

    def _heads(self, texts, contexts, heads, batch_size: int, fused: bool, dialogues=None) -> dict[str, np.ndarray]:
        out = {}
        for head in heads or self.head_labels:
            if head not in self.head_labels:
                raise ModelError(f"this model has no head {head!r}")
            if not len(texts):
                out[head] = np.zeros((0, len(self.head_labels[head])), dtype=np.float32)
            elif fused and head == self.primary_head:
                out[head] = self.predict_proba(texts, contexts, dialogues).astype(np.float32)
            else:
                out[head] = np.exp(self.head_log_proba(texts, contexts, head, batch_size))
        return out

    @property
    def weights(self) -> dict[str, float]:
        """The n-gram weight per fused head (as resonance.classifiers.fusion reports it)."""
        return {self.primary_head: self.fusion_weight if self.ngram is not None else 0.0}

    @property
    def neural(self) -> "TransformerOnly":
        """The transformer without the n-gram half, for measuring it alone."""
        return TransformerOnly(self)

    def predict(self, texts: Sequence[str], contexts=None) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(texts, contexts).argmax(axis=1)]

    # ----- persistence -----
    def to_config(self) -> dict:
        config = {"name": MODEL_NAME, "bert": self.bert.config.to_dict(),
                  "heads": {h: list(labels) for h, labels in self.head_labels.items()},
                  "primary_head": self.primary_head, "labels": list(self.labels),
                  "max_length": self.max_length, "max_text_tokens": self.max_text_tokens,
                  "context_turns": self.context_turns, "dropout": self.dropout_p,
                  "fusion_weight": self.fusion_weight, "has_ngram": self.ngram is not None}
        if self.dialogue is not None:
            config["dialogue"] = self.dialogue.to_config()
        config["bert"].pop("dtype", None)
        return config

    def save(self, path: str | Path, card: str, tokenizer_folder: Path, extra_config: Mapping | None = None,
             extra_files: Mapping[str, str] | None = None) -> Path:
        from resonance.classifiers.folder import save_model_folder

        tensors = {k: v.to(torch.float16) for k, v in self.state_dict().items()}
        files = {name: (Path(tokenizer_folder) / name).read_text(encoding="utf-8") for name in TOKENIZER_FILES
                 if (Path(tokenizer_folder) / name).is_file()}
        if self.ngram is not None:
            tensors.update(self.ngram.tensors())
            files[NGRAM_FILE] = self.ngram.vocabulary_json()
        if self.dialogue is not None:
            tensors.update(self.dialogue.tensors())
        files.update(extra_files or {})
        return save_model_folder(path, {**self.to_config(), "weights_dtype": "float16", **(extra_config or {})},
                                 tensors, card, files)

    @classmethod
    def from_folder(cls, path: Path, config: Mapping, tensors: Mapping[str, torch.Tensor]) -> "ZhEmotionClassifier":
        from resonance.classifiers.bert import BertConfig, BertModel

        path = Path(path)
        try:
            bert = BertModel(BertConfig(**config["bert"]), initialise=False)
            ngram = None
            if config.get("has_ngram"):
                ngram = NgramScorer.from_parts((path / NGRAM_FILE).read_text(encoding="utf-8"), tensors)
            model = cls(bert, load_tokenizer(path), config["heads"], config["primary_head"],
                        config["max_length"], config["max_text_tokens"], config["context_turns"],
                        config["dropout"], ngram, float(config["fusion_weight"]))
        except (KeyError, TypeError, ValueError, OSError, ModelError) as err:
            raise ModelError(f"config.json does not describe a {MODEL_NAME} model: {err}", source=str(path)) from None
        state = {k: v.float() for k, v in tensors.items() if not k.startswith(("ngram.", "dialogue."))}
        try:
            result = model.load_state_dict(state, strict=False)
        except RuntimeError as err:
            raise ModelError(f"model.safetensors does not fit config.json: {str(err)[:200]}", source=str(path)) from None
        if result.missing_keys or result.unexpected_keys:
            raise ModelError("model.safetensors does not fit config.json (missing "
                             f"{result.missing_keys[:3]}, unexpected {result.unexpected_keys[:3]})", source=str(path))
        if config.get("dialogue"):
            from resonance.classifiers.dialogue import DialogueStage

            try:
                model.dialogue = DialogueStage.from_parts(config["dialogue"], tensors, len(model.labels), path)
            except (KeyError, TypeError, ValueError, RuntimeError) as err:
                raise ModelError(f"the dialogue stage does not fit config.json: {str(err)[:200]}", source=str(path)) from None
        model.eval()
        return model


class TransformerOnly:
    """A view of a ZhEmotionClassifier that predicts with the transformer alone (no n-grams)."""

    def __init__(self, model: ZhEmotionClassifier):
        self.model = model
        self.name = f"{MODEL_NAME} (transformer alone)"

    head_labels = property(lambda self: self.model.head_labels)
    primary_head = property(lambda self: self.model.primary_head)
    labels = property(lambda self: self.model.labels)

    def predict_heads(self, texts, contexts=None, features=None, heads=None, batch_size: int = BATCH_SIZE,
                      dialogues=None) -> dict:
        return self.model._heads(texts, contexts, heads, batch_size, fused=False)


def load(path: str | Path) -> ZhEmotionClassifier:
    """Load a shipped Chinese emotion model folder (sha256 and no-pickle checks included)."""
    from resonance.classifiers.folder import load_model_folder

    config, tensors = load_model_folder(path)
    if config.get("name") != MODEL_NAME:
        raise ModelError(f"not a {MODEL_NAME} model (name {config.get('name')!r})", source=str(path))
    return ZhEmotionClassifier.from_folder(Path(path), config, tensors)


def describe(path: str | Path) -> dict:
    return json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
