"""The one training loop every classifier uses.

AdamW with linear warm-up and decay, optional class weights per head, early stopping on the dev
split's weighted F1 (averaged over heads), a fixed seed and a wall-clock budget. The frozen
layers run once: their outputs for every train and dev example are computed up front and kept
(in float16) so that each epoch only runs the trained top layers, which is what makes
fine-tuning fit on a laptop CPU. With ``device`` set to ``cuda`` (or ``auto`` on a machine with a
GPU), the trained top runs there and the frozen pass stays on the CPU; the model comes back on
the CPU either way.
"""
from __future__ import annotations

import logging
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Sequence

from resonance.classifiers.inputs import Example
from resonance.errors import ModelError

log = logging.getLogger(__name__)

CLASS_WEIGHTINGS = ("none", "sqrt", "balanced")


@dataclass
class TrainSettings:
    epochs: int = 4
    batch_size: int = 32
    lr: float = 5e-5  # trained encoder layers
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    class_weighting: str = "none"  # none, sqrt (inverse sqrt frequency) or balanced
    patience: int = 2  # epochs without dev improvement before stopping
    seed: int = 13
    max_minutes: float | None = None  # wall-clock budget, checked after every batch
    threads: int | None = None  # torch.set_num_threads; None leaves torch's default
    head_weights: dict[str, float] = field(default_factory=dict)  # loss weight per head (default 1)
    dev_metric: str = "weighted"  # F1 average used for early stopping: weighted or macro
    device: str = "cpu"  # where the trained top runs: cpu, cuda or auto (cuda when present)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    history: list[dict]
    best_epoch: int
    best_dev_score: float
    minutes: float
    stopped: str  # "epochs", "patience" or "time"
    train_counts: dict[str, dict[str, int]]


@dataclass
class _Encoded:
    """Frozen-layer outputs of a list of examples, ready for the trained top."""

    states: list  # per example: (length, hidden) float16 tensor
    types: list  # per example: token type ids tensor
    heads: list[str]
    targets: list[int]
    features: list[tuple[float, ...]]


def encode_examples(model, examples: Sequence[Example], batch_size: int = 64) -> _Encoded:
    """Run the frozen layers once over ``examples`` (sorted by length, batched)."""
    import torch

    encoding = model.encode([e.text for e in examples], [e.context for e in examples])
    order = sorted(range(len(examples)), key=lambda i: len(encoding.input_ids[i]))
    states: list = [None] * len(examples)
    types: list = [None] * len(examples)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            ids, mask, token_types = model.batch([encoding.input_ids[i] for i in chunk],
                                                 [encoding.token_type_ids[i] for i in chunk])
            hidden = model.frozen_states(ids, mask, token_types)
            for row, i in enumerate(chunk):
                length = len(encoding.input_ids[i])
                states[i] = hidden[row, :length].to(torch.float16).clone()
                types[i] = token_types[row, :length].clone()
    targets = []
    for e in examples:
        labels = model.head_labels.get(e.head)
        if labels is None or e.label not in labels:
            raise ModelError(f"example label {e.label!r} is not in head {e.head!r} of the model")
        targets.append(labels.index(e.label))
    return _Encoded(states, types, [e.head for e in examples], targets, [tuple(e.features) for e in examples])


def _stack(encoded: _Encoded, indices: Sequence[int], with_features: bool, device="cpu"):
    import torch

    width = max(encoded.states[i].shape[0] for i in indices)
    hidden_size = encoded.states[indices[0]].shape[1]
    hidden = torch.zeros((len(indices), width, hidden_size), dtype=torch.float32)
    mask = torch.zeros((len(indices), width), dtype=torch.long)
    types = torch.zeros((len(indices), width), dtype=torch.long)
    for row, i in enumerate(indices):
        length = encoded.states[i].shape[0]
        hidden[row, :length] = encoded.states[i].float()
        mask[row, :length] = 1
        types[row, :length] = encoded.types[i]
    features = torch.tensor([encoded.features[i] for i in indices], dtype=torch.float32) if with_features else None
    return tuple(t.to(device) if t is not None else None for t in (hidden, mask, types, features))


def _batches(encoded: _Encoded, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding): shuffle, sort within pools of 50
    batches by length, cut into batches, shuffle the batches."""
    order = list(range(len(encoded.targets)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: encoded.states[i].shape[0])
        batches += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _class_weights(model, encoded: _Encoded, how: str) -> dict:
    import torch

    if how not in CLASS_WEIGHTINGS:
        raise ModelError(f"unknown class weighting {how!r} (use one of {', '.join(CLASS_WEIGHTINGS)})")
    weights = {}
    for head, labels in model.head_labels.items():
        counts = Counter(t for h, t in zip(encoded.heads, encoded.targets) if h == head)
        total = sum(counts.values())
        if how == "none" or not total:
            weights[head] = None
            continue
        raw = [total / (len(labels) * max(counts.get(i, 0), 1)) for i in range(len(labels))]
        raw = [math.sqrt(w) for w in raw] if how == "sqrt" else raw
        weights[head] = torch.tensor(raw, dtype=torch.float32)
    return weights


def resolve_device(device: str) -> str:
    """``auto``: cuda when a GPU is present, else cpu; any other name as given."""
    import torch

    return ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device


def _device_of(model):
    return next(model.parameters()).device


def own_head_logits(model, encoded: _Encoded, batch_size: int = 128) -> list:
    """Each example's logits on its own head (eval mode, batches sorted by length), as numpy rows."""
    import torch

    model.eval()
    device = _device_of(model)
    rows: list = [None] * len(encoded.targets)
    order = sorted(range(len(encoded.targets)), key=lambda i: encoded.states[i].shape[0])
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            hidden, mask, types, features = _stack(encoded, chunk, bool(model.feature_names), device)
            logits = {head: values.float().cpu() for head, values in
                      model.forward_top(hidden, mask, types, features, heads=sorted(set(encoded.heads))).items()}
            for row, i in enumerate(chunk):
                rows[i] = logits[encoded.heads[i]][row].numpy()
    return rows


def predict_encoded(model, encoded: _Encoded, batch_size: int = 128) -> dict[str, list[int]]:
    """Argmax per example on its own head (dev scoring during training)."""
    by_head: dict[str, list[int]] = defaultdict(list)
    for head, logits in zip(encoded.heads, own_head_logits(model, encoded, batch_size)):
        by_head[head].append(int(logits.argmax()))
    return by_head


def dev_scores(model, encoded: _Encoded, average: str = "weighted") -> dict[str, float]:
    from sklearn.metrics import f1_score

    predicted = predict_encoded(model, encoded)
    truth: dict[str, list[int]] = defaultdict(list)
    for head, t in zip(encoded.heads, encoded.targets):
        truth[head].append(t)
    return {head: round(float(f1_score(truth[head], predicted[head], average=average, zero_division=0)), 4)
            for head in truth}


def fit(model, train: Sequence[Example], dev: Sequence[Example], settings: TrainSettings,
        encoded: tuple[_Encoded, _Encoded] | None = None, trainable: Sequence[str] | None = None) -> TrainResult:
    """Train ``model`` in place on ``train``, keep the epoch with the best dev score.

    ``encoded`` = (train, dev) outputs of ``encode_examples`` for the same model layout, to
    share the frozen-layer pass between runs. ``trainable`` = parameter-name prefixes to train
    (say ``("branches.emorynlp", "heads.emorynlp")``); default: every trained parameter."""
    import numpy as np
    import torch

    if not train or not dev:
        raise ModelError("training needs non-empty train and dev examples")
    if settings.threads:
        torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)
    torch.manual_seed(settings.seed)
    np.random.seed(settings.seed)
    started = time.monotonic()
    deadline = started + settings.max_minutes * 60 if settings.max_minutes else math.inf

    if encoded is None:
        log.info("frozen layers: encoding %d train and %d dev examples", len(train), len(dev))
        encoded = encode_examples(model, train), encode_examples(model, dev)
        log.info("encoded in %.1f min", (time.monotonic() - started) / 60)
    encoded_train, encoded_dev = encoded
    device = torch.device(resolve_device(settings.device))
    model.to(device)
    class_weights = {head: w.to(device) if w is not None else None
                     for head, w in _class_weights(model, encoded_train, settings.class_weighting).items()}

    named = list(model.named_parameters())
    was_trainable = {name: p.requires_grad for name, p in named}
    chosen = [(name, p) for name, p in named if trainable is None or name.startswith(tuple(trainable))]
    if not chosen:
        raise ModelError(f"no parameters match {trainable}")
    chosen_names = {name for name, _ in chosen}
    for name, p in named:
        p.requires_grad_(name in chosen_names)
    head_params = [p for name, p in chosen if name.startswith("heads.")]
    top_params = [p for name, p in chosen if not name.startswith("heads.")]
    groups = [{"params": top_params, "lr": settings.lr}, {"params": head_params, "lr": settings.head_lr}]
    optimizer = torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=settings.weight_decay)
    heads = sorted(set(encoded_train.heads) | set(encoded_dev.heads))
    steps_per_epoch = math.ceil(len(train) / settings.batch_size)
    total_steps = max(1, steps_per_epoch * settings.epochs)
    warmup = int(total_steps * settings.warmup_ratio)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(
        (step + 1) / max(1, warmup), max(0.0, (total_steps - step) / max(1, total_steps - warmup))))

    history: list[dict] = []
    best_state, best_score, best_epoch, stale, stopped = None, -1.0, 0, 0, "epochs"
    for epoch in range(1, settings.epochs + 1):
        model.train()
        losses = []
        for indices in _batches(encoded_train, settings.batch_size, rng):
            hidden, mask, types, features = _stack(encoded_train, indices, bool(model.feature_names), device)
            logits = model.forward_top(hidden, mask, types, features, heads=heads)
            loss = _loss(logits, [encoded_train.heads[i] for i in indices],
                         [encoded_train.targets[i] for i in indices], class_weights, settings.head_weights)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top_params + head_params, 1.0)
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            if time.monotonic() > deadline:
                stopped = "time"
                break
        scores = dev_scores(model, encoded_dev, settings.dev_metric)
        score = sum(scores.values()) / len(scores)
        history.append({"epoch": epoch, "train_loss": round(sum(losses) / max(1, len(losses)), 4),
                        "dev_weighted_f1": scores, "dev_score": round(score, 4),
                        "minutes": round((time.monotonic() - started) / 60, 2)})
        log.info("epoch %d: loss %.4f, dev %s (%.1f min)", epoch, history[-1]["train_loss"], scores,
                 history[-1]["minutes"])
        if score > best_score:
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            best_score, best_epoch, stale = score, epoch, 0
        else:
            stale += 1
        if stopped == "time":
            break
        if stale >= settings.patience:
            stopped = "patience"
            break
    model.load_state_dict(best_state)
    model.cpu()
    for name, p in named:
        p.requires_grad_(was_trainable[name])
    model.eval()
    counts = {head: dict(Counter(e.label for e in train if e.head == head)) for head in model.head_labels}
    return TrainResult(history, best_epoch, round(best_score, 4), round((time.monotonic() - started) / 60, 2),
                       stopped, counts)


def _loss(logits: dict, heads: list[str], targets: list[int], class_weights: dict, head_weights: dict):
    import torch
    import torch.nn.functional as F

    total = 0.0
    for head, head_logits in logits.items():
        rows = [i for i, h in enumerate(heads) if h == head]
        if not rows:
            continue
        target = torch.tensor([targets[i] for i in rows], dtype=torch.long, device=head_logits.device)
        loss = F.cross_entropy(head_logits[rows], target, weight=class_weights.get(head), reduction="sum")
        total = total + head_weights.get(head, 1.0) * loss
    return total / len(heads)


def adjust_for_priors(model, head: str, dev: Sequence[Example], train_counts: dict[str, int],
                      taus: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)) -> dict:
    """Logit adjustment (Menon et al. 2021, "Long-tail learning via logit adjustment"): subtract
    ``tau * log(prior)`` from the head's bias, where the prior is the head's training label
    distribution, so rare feelings are not drowned by neutral. ``tau`` is the one number chosen,
    on dev weighted F1; tau = 0 leaves the head as it was."""
    import numpy as np
    import torch
    from sklearn.metrics import f1_score

    labels = model.head_labels[head]
    counts = np.array([max(train_counts.get(label, 0), 1) for label in labels], dtype=np.float64)
    log_prior = np.log(counts / counts.sum())
    encoded = encode_examples(model, [e for e in dev if e.head == head])
    logits = np.stack(own_head_logits(model, encoded))
    scores = {tau: round(float(f1_score(encoded.targets, (logits - tau * log_prior).argmax(axis=1),
                                        average="weighted", zero_division=0)), 4) for tau in taus}
    best = max(taus, key=lambda tau: (scores[tau], -tau))  # ties: the smaller change
    with torch.no_grad():
        model.heads[head].bias -= torch.as_tensor(best * log_prior, dtype=model.heads[head].bias.dtype)
    log.info("prior adjustment %s: tau %.2f, dev weighted F1 by tau %s", head, best, scores)
    return {"head": head, "tau": best, "dev_weighted_f1_by_tau": {str(k): v for k, v in scores.items()}}
