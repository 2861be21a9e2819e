"""Fine-tuning the Chinese emotion classifier on CPED (series held out), optionally multi-task.

Tasks share the encoder and each has its own head:

- ``emotion``: CPED's unified 7 labels (the primary head, used for early stopping on dev);
- ``sentiment``: CPED's positive/neutral/negative on the same utterances (one forward pass
  trains both heads; the utterances whose emotion is dropped still train sentiment);
- ``weibo``: NLPCC 2013 + SMP2020 Weibo posts mapped onto the 7 labels (their train rows only),
  a separate head because their domain and label priors differ from TV dialogue.

Training runs on a CUDA GPU when one is present, else the CPU (bfloat16 autocast where
supported); evaluation runs in float32. Early stopping keeps the epoch with the best dev weighted
F1 of the emotion head; ``time_budget_s`` stops before an epoch that would not end inside it. The
test split is never read here.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from resonance.classifiers.inputs import Example
from resonance.classifiers.labels import UNIFIED

SENTIMENTS = ("positive", "neutral", "negative")
IGNORE = -100


@dataclass
class FinetuneConfig:
    encoder: str | None = None  # encoder folder; None: random initialisation with ``bert_config``
    bert_config: dict = field(default_factory=dict)
    tokenizer: str | None = None  # tokenizer folder for random initialisation
    embedding_init: str | None = None  # .npy (vocab, hidden) char vectors replacing the word embeddings
    tasks: tuple[str, ...] = ("emotion",)
    epochs: int = 6
    patience: int = 2
    batch_size: int = 32
    learning_rate: float = 2e-4
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    sentiment_weight: float = 0.5
    weibo_weight: float = 0.5
    weibo_batches_per_cped_batch: float = 0.5
    context_turns: int = 2
    max_length: int = 96
    max_text_tokens: int = 64
    dropout: float = 0.1
    seed: int = 13
    bf16: bool = True  # bfloat16 autocast for training matmuls where the hardware supports it
    device: str = "auto"  # auto: cuda when available, else cpu
    time_budget_s: float = 0.0  # 0: no limit; else no epoch starts that would end past it


@dataclass
class Item:
    text: str
    context: tuple[str, ...]
    labels: dict[str, int]


def cped_items(emotion: Sequence[Example], sentiment: Sequence[Example], tasks: Sequence[str]) -> list[Item]:
    """One item per CPED utterance carrying its emotion and (if asked) sentiment label."""
    index = {label: i for i, label in enumerate(UNIFIED)}
    emotions = {(e.group, e.context, e.text): index[e.label] for e in emotion}
    items = []
    source = sentiment if "sentiment" in tasks else emotion
    for e in source:
        labels = {"emotion": emotions.get((e.group, e.context, e.text), IGNORE)}
        if "sentiment" in tasks:
            labels["sentiment"] = SENTIMENTS.index(e.label)
        if all(v == IGNORE for v in labels.values()):
            continue
        items.append(Item(e.text, e.context, labels))
    return items


def weibo_items(examples: Sequence[Example]) -> list[Item]:
    index = {label: i for i, label in enumerate(UNIFIED)}
    return [Item(e.text, (), {"weibo": index[e.label]}) for e in examples]


def heads_for(tasks: Sequence[str]) -> dict[str, tuple[str, ...]]:
    heads = {"emotion": UNIFIED}
    if "sentiment" in tasks:
        heads["sentiment"] = SENTIMENTS
    if "weibo" in tasks:
        heads["weibo"] = UNIFIED
    return heads


def build_classifier(config: FinetuneConfig):
    import torch

    from resonance.classifiers.bert import BertConfig, BertModel, load_bert
    from resonance.classifiers.emotion_zh import ZhEmotionClassifier
    from resonance.classifiers.tokenizer import load_tokenizer

    torch.manual_seed(config.seed)
    if config.encoder:
        bert = load_bert(config.encoder)
        tokenizer_folder = Path(config.encoder)
    else:
        bert = BertModel(BertConfig(**config.bert_config))
        tokenizer_folder = Path(config.tokenizer)
    if config.embedding_init:
        vectors = torch.from_numpy(np.load(config.embedding_init))
        bert.embeddings.word_embeddings.weight.data.copy_(vectors)
    tokenizer = load_tokenizer(tokenizer_folder)
    model = ZhEmotionClassifier(bert, tokenizer, heads_for(config.tasks), "emotion", config.max_length,
                                config.max_text_tokens, config.context_turns, config.dropout)
    return model, tokenizer_folder


def _batches(model, items: list[Item], batch_size: int, rng: np.random.Generator, device="cpu"):
    """Shuffled batches of similar length (less padding), each as tensors plus label tensors."""
    import torch

    from resonance.classifiers.inputs import collate

    encoded = model.encode([i.text for i in items], [i.context for i in items])
    order = rng.permutation(len(items))
    chunks = [order[s:s + batch_size * 50] for s in range(0, len(order), batch_size * 50)]
    batches = []
    for chunk in chunks:
        chunk = sorted(chunk, key=lambda i: len(encoded.input_ids[i]))
        for s in range(0, len(chunk), batch_size):
            rows = chunk[s:s + batch_size]
            tensors = collate([encoded.input_ids[i] for i in rows], [encoded.token_type_ids[i] for i in rows],
                              model.tokenizer.pad_token_id)
            tensors = tuple(t.to(device) for t in tensors)
            heads = {h for i in rows for h in items[i].labels}
            labels = {h: torch.tensor([items[i].labels.get(h, IGNORE) for i in rows], device=device) for h in heads}
            batches.append((tensors, labels))
    rng.shuffle(batches)
    return batches


def weighted_f1(model, examples: Sequence[Example], head: str = "emotion") -> float:
    from sklearn.metrics import f1_score

    log_proba = model.head_log_proba([e.text for e in examples], [e.context for e in examples], head)
    predicted = [model.head_labels[head][i] for i in log_proba.argmax(axis=1)]
    return float(f1_score([e.label for e in examples], predicted, average="weighted", zero_division=0))


def finetune(config: FinetuneConfig, train: list[Item], weibo: list[Item], dev: Sequence[Example],
             log: Callable[[str], None] = lambda _: None):
    """Train; return (model with the best dev epoch's weights, on the CPU, tokenizer folder, history)."""
    import torch

    from resonance.classifiers.pretrain import autocast_dtype
    from resonance.classifiers.train import resolve_device

    rng = np.random.default_rng(config.seed)
    model, tokenizer_folder = build_classifier(config)
    device = torch.device(resolve_device(config.device))
    model.to(device)
    dtype = autocast_dtype(device) if config.bf16 else None  # fp32 weights either way
    if dtype is not None and dtype != torch.bfloat16:
        dtype = None  # float16 would need a gradient scaler: train in float32 instead
    begun = time.time()
    weights = {"emotion": 1.0, "sentiment": config.sentiment_weight, "weibo": config.weibo_weight}
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "LayerNorm" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "LayerNorm" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                   {"params": rest, "weight_decay": 0.0}], lr=config.learning_rate)
    n_weibo = int(math.ceil(len(train) / config.batch_size * config.weibo_batches_per_cped_batch)) if weibo else 0
    steps_per_epoch = math.ceil(len(train) / config.batch_size) + n_weibo
    total = steps_per_epoch * config.epochs
    warmup = max(1, int(total * config.warmup_fraction))
    schedule = lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(total - warmup, 1)))  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    best, best_state, history, waited = -1.0, None, [], 0
    for epoch in range(1, config.epochs + 1):
        started = time.time()
        if config.time_budget_s and history and \
                started - begun + max(h["seconds"] for h in history) > config.time_budget_s:
            log(f"time budget: stopping before epoch {epoch}")
            break
        batches = _batches(model, train, config.batch_size, rng, device)
        if weibo:
            picked = [weibo[i] for i in rng.choice(len(weibo), size=min(len(weibo), n_weibo * config.batch_size),
                                                   replace=False)]
            batches += _batches(model, picked, config.batch_size, rng, device)
            rng.shuffle(batches)
        model.train()
        running = 0.0
        for tensors, labels in batches:
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype is not None):
                logits = model(*tensors)
            loss = sum(weights[h] * torch.nn.functional.cross_entropy(logits[h].float(), y, ignore_index=IGNORE)
                       for h, y in labels.items() if (y != IGNORE).any())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += float(loss.detach())
        score = weighted_f1(model, dev)
        history.append({"epoch": epoch, "train_loss": round(running / max(len(batches), 1), 4),
                        "dev_weighted_f1": round(score, 4), "seconds": round(time.time() - started, 1)})
        log(f"epoch {epoch}: {history[-1]}")
        if score > best:
            best, waited = score, 0
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if waited >= config.patience:
                break
    model.cpu()
    model.load_state_dict(best_state)
    model.eval()
    return model, tokenizer_folder, history
