"""Dialogue context for emotion: a small bidirectional GRU over a whole scene's lines.

The utterance classifiers read a line with the two or three turns before it. How a line feels also
shows in what follows it (the answer to a taunt, the silence after bad news) and in the run of a
scene. This stage reads every line of a dialogue (a CPED conversation in training, a scene, from
one scene heading to the next, in `resonance score`) at once: each line becomes the mean-pooled
last layer of the frozen pretrained encoder over the line alone (``models/encoder-zh``, never
fine-tuned, so training lines and new lines look alike to the GRU), a BiGRU runs over the
dialogue, and a linear layer reads each line's state next to its own vector. A few members trained from different seeds are averaged.

Its log-probabilities join the emotion model's own two (transformer, n-grams) in one weighted sum,
``a * transformer + b * ngram + g * dialogue`` (a + b + g = 1), the weights chosen on the dev
series by weighted F1 on a grid of tenths. A weight of 0 means that part is never computed.

Why not feed the fine-tuned classifier's outputs to the GRU? On its own training lines they are
far more confident than anywhere else (EmoryNLP: weighted F1 0.79 on train, 0.39 on dev), so a
GRU trained on them learns to trust them; frozen encoder vectors have no such gap.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from resonance.classifiers.fusion import safe_log
from resonance.classifiers.inputs import collate, token_ids

log = logging.getLogger(__name__)
PREFIX = "dialogue."
MAX_TOKENS = 64
GRID = tuple(i / 10 for i in range(11))


class DialogueGRU(nn.Module):
    """Per-line logits from line vectors of one or more dialogues (padded, with lengths)."""

    def __init__(self, width: int, hidden: int, n_labels: int, dropout: float = 0.3):
        super().__init__()
        self.project = nn.Sequential(nn.Dropout(0.1), nn.Linear(width, hidden), nn.Tanh(), nn.Dropout(dropout))
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(3 * hidden, n_labels)

    def forward(self, vectors: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        projected = self.project(vectors)
        packed = nn.utils.rnn.pack_padded_sequence(projected, lengths.cpu(), batch_first=True, enforce_sorted=False)
        states, _ = self.gru(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(states, batch_first=True, total_length=vectors.shape[1])
        return self.out(torch.cat([states, projected], dim=-1))


def group_rows(dialogues: Sequence[object]) -> list[list[int]]:
    """Row indices per dialogue, in first-appearance order, each in input order."""
    groups: dict[object, list[int]] = {}
    for row, key in enumerate(dialogues):
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def _padded(vectors: np.ndarray, groups: list[list[int]]):
    width = max(len(g) for g in groups)
    batch = np.zeros((len(groups), width, vectors.shape[1]), dtype=np.float32)
    for i, rows in enumerate(groups):
        batch[i, :len(rows)] = vectors[rows]
    return torch.from_numpy(batch), torch.tensor([len(g) for g in groups])


def line_ids(tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """``[CLS] line [SEP]`` ids of each line alone, at most MAX_TOKENS."""
    return [[tokenizer.cls_token_id, *row[:MAX_TOKENS - 2], tokenizer.sep_token_id]
            for row in token_ids(tokenizer, list(texts))]


def pooled_lines(model, input_ids, attention_mask, token_type_ids) -> torch.Tensor:
    """The encoder's last hidden state averaged over each line's tokens."""
    from resonance.classifiers.bert import masked_mean

    hidden = model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
    return masked_mean(hidden, attention_mask)


@torch.inference_mode()
def line_vectors(encoder, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Mean-pooled last hidden state of ``encoder`` (resonance.classifiers.encoder.Encoder) over
    each line alone, at most MAX_TOKENS tokens, batched by length."""
    tokenizer, model = encoder.tokenizer, encoder.model
    model.eval()
    ids = line_ids(tokenizer, texts)
    out = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        batch = collate([ids[i] for i in rows], [[0] * len(ids[i]) for i in rows], tokenizer.pad_token_id)
        out[rows] = pooled_lines(model, *batch).float().numpy()
    return out


@torch.inference_mode()
def mean_probabilities(members: Sequence[DialogueGRU], vectors: np.ndarray, groups: list[list[int]],
                       dialogues_per_batch: int = 16) -> np.ndarray:
    """The members' softmax, averaged, per line (rows of ``vectors``)."""
    probabilities = np.zeros((len(vectors), members[0].out.out_features), dtype=np.float32)
    for member in members:
        member.eval()
        for start in range(0, len(groups), dialogues_per_batch):
            chunk = groups[start:start + dialogues_per_batch]
            batch, lengths = _padded(vectors, chunk)
            scores = torch.softmax(member(batch, lengths), dim=-1).numpy()
            for i, rows in enumerate(chunk):
                probabilities[rows] += scores[i, :len(rows)]
    return probabilities / len(members)


@dataclass
class DialogueStage:
    """The trained members, the frozen encoder they read, and the mixing weights."""

    members: list[DialogueGRU]
    encoder: object  # resonance.classifiers.encoder.Encoder
    encoder_spec: dict
    hidden: int
    weights: dict[str, float]  # transformer, ngram, dialogue

    @torch.inference_mode()
    def log_proba(self, texts: Sequence[str], dialogues: Sequence[object] | None = None,
                  dialogues_per_batch: int = 16) -> np.ndarray:
        """Mean of the members' probabilities, as logs; ``dialogues[i]`` names line i's dialogue
        (None: every line is its own)."""
        groups = group_rows(dialogues if dialogues is not None else range(len(texts)))
        probabilities = mean_probabilities(self.members, line_vectors(self.encoder, texts), groups,
                                           dialogues_per_batch)
        return safe_log(probabilities)

    def tensors(self) -> dict[str, torch.Tensor]:
        return {f"{PREFIX}{i}.{key}": value.detach().float() for i, member in enumerate(self.members)
                for key, value in member.state_dict().items()}

    def to_config(self) -> dict:
        return {"encoder": self.encoder_spec, "hidden": self.hidden, "members": len(self.members),
                "max_tokens": MAX_TOKENS, "weights": dict(self.weights)}

    @classmethod
    def from_parts(cls, config: Mapping, tensors: Mapping[str, torch.Tensor], n_labels: int,
                   relative_to) -> "DialogueStage":
        from resonance.classifiers.encoder import load_encoder

        encoder = load_encoder(dict(config["encoder"]), relative_to=relative_to)
        width = encoder.model.config.hidden_size
        members = []
        for i in range(int(config["members"])):
            member = DialogueGRU(width, int(config["hidden"]), n_labels)
            prefix = f"{PREFIX}{i}."
            member.load_state_dict({k[len(prefix):]: v.float() for k, v in tensors.items() if k.startswith(prefix)})
            member.eval()
            members.append(member)
        return cls(members, encoder, dict(config["encoder"]), int(config["hidden"]), dict(config["weights"]))


def choose_weights(parts: Mapping[str, np.ndarray], targets: Sequence[int]) -> tuple[dict[str, float], list[dict]]:
    """The grid point (weights in tenths summing to 1) with the best dev weighted F1; ties go to
    the point that gives the dialogue stage the least weight, then the transformer the least."""
    from sklearn.metrics import f1_score

    from resonance.classifiers.fusion import mix_parts

    names = ("transformer", "ngram", "dialogue")
    tried = []
    for a in GRID:
        for b in GRID:
            if a + b > 1.0001:
                continue
            weights = {"transformer": a, "ngram": b, "dialogue": round(1 - a - b, 1)}
            predicted = mix_parts({n: parts[n] for n in names}, weights).argmax(axis=1)
            tried.append({**weights, "dev_weighted_f1": round(float(f1_score(targets, predicted, average="weighted",
                                                                              zero_division=0)), 4)})
    best = max(tried, key=lambda t: (t["dev_weighted_f1"], -t["dialogue"], -t["transformer"]))
    return {n: best[n] for n in names}, tried


def train_members(train_vectors: np.ndarray, train_targets: Sequence[int], train_dialogues: Sequence[object],
                  dev_vectors: np.ndarray, dev_targets: Sequence[int], dev_dialogues: Sequence[object],
                  n_labels: int, *, hidden: int = 64, members: int = 3, epochs: int = 12, lr: float = 1e-3,
                  dialogues_per_batch: int = 16) -> tuple[list[DialogueGRU], list[dict]]:
    """Train ``members`` GRUs (seeds 0..members-1), each kept at its best dev epoch (weighted F1)."""
    from sklearn.metrics import f1_score

    train_groups, dev_groups = group_rows(train_dialogues), group_rows(dev_dialogues)
    targets = np.asarray(train_targets)
    trained, history = [], []
    for seed in range(members):
        torch.manual_seed(seed)
        shuffle = np.random.default_rng(seed)
        member = DialogueGRU(train_vectors.shape[1], hidden, n_labels)
        optimizer = torch.optim.AdamW(member.parameters(), lr=lr, weight_decay=1e-2)
        best, best_state, scores, started = -1.0, None, [], time.time()
        for _ in range(epochs):
            member.train()
            order = shuffle.permutation(len(train_groups))
            for start in range(0, len(order), dialogues_per_batch):
                chunk = [train_groups[i] for i in order[start:start + dialogues_per_batch]]
                batch, lengths = _padded(train_vectors, chunk)
                gold = torch.full(batch.shape[:2], -1, dtype=torch.long)
                for i, rows in enumerate(chunk):
                    gold[i, :len(rows)] = torch.from_numpy(targets[rows])
                loss = nn.functional.cross_entropy(member(batch, lengths).reshape(-1, n_labels), gold.reshape(-1),
                                                   ignore_index=-1)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            predicted = mean_probabilities([member], dev_vectors, dev_groups).argmax(axis=1)
            score = float(f1_score(dev_targets, predicted, average="weighted", zero_division=0))
            scores.append(round(score, 4))
            if score > best:
                best, best_state = score, {k: v.detach().clone() for k, v in member.state_dict().items()}
        member.load_state_dict(best_state)
        member.eval()
        trained.append(member)
        history.append({"seed": seed, "dev_weighted_f1_by_epoch": scores, "best_epoch": scores.index(max(scores)) + 1,
                        "minutes": round((time.time() - started) / 60, 2)})
        log.info("dialogue member %d: dev weighted F1 by epoch %s", seed, scores)
    return trained, history


