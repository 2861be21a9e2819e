"""Masked-LM pretraining of the small Chinese encoder (a BertModel), on CPU or one GPU.

The corpus (scripts/build_zh_corpus.py) is tokenized once into one stream of ids per source, lines
separated by [SEP]. A training sequence is a random window of that stream behind a [CLS]; with
probability ``pair_prob`` the tokens after its first [SEP] get segment id 1, so that the segment
embedding the classifiers use for the preceding turns is trained too. Sources are sampled in
proportion to their size times a weight (dialogue-like text can outweigh classical novels).

Speed matters on CPU: the MLM head runs only on the masked positions (15 % of tokens) rather than
on every token, and matmuls run under bfloat16 autocast when the CPU or GPU supports it (the
weights stay float32). Training stops at a time budget and writes a resumable checkpoint every
``checkpoint_every_s`` seconds.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from resonance.classifiers.zh_corpus import SOURCE_MARK
from resonance.classifiers.zh_tokenizer import CLS, MASK, PAD, SEP, SPECIAL_TOKENS


@dataclass
class PretrainConfig:
    hidden_size: int = 256
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 1024
    max_position: int = 128
    seq_len: int = 96
    batch_size: int = 32
    learning_rate: float = 5e-4
    warmup_steps: int = 500
    weight_decay: float = 0.01
    mask_prob: float = 0.15
    pair_prob: float = 0.5
    time_budget_s: float = 3600.0
    max_steps: int = 0  # 0: only the time budget stops training
    checkpoint_every_s: float = 600.0
    log_every: int = 50
    heldout_fraction: float = 0.005
    seed: int = 13
    source_weights: dict[str, float] = field(default_factory=dict)
    # the learning-rate schedule decays linearly to this fraction at the end of the budget
    final_lr_fraction: float = 0.1


@dataclass
class TokenStreams:
    """Token ids per source (train part and held-out tail) plus the special ids."""

    train: dict[str, np.ndarray]
    heldout: dict[str, np.ndarray]
    vocab_size: int
    ids: dict[str, int]


def encode_corpus(corpus: Path, tokenizer, heldout_fraction: float = 0.005,
                  batch_lines: int = 20000) -> TokenStreams:
    """Tokenize the corpus into one uint16 stream per source; hold out each source's tail."""
    import gzip

    ids = {name: tokenizer.token_to_id(name) for name in SPECIAL_TOKENS}
    sep = ids[SEP]
    chunks: dict[str, list[np.ndarray]] = {}
    current, pending = "unknown", []

    def flush() -> None:
        if not pending:
            return
        encoded = tokenizer.encode_batch(pending, add_special_tokens=False)
        flat = []
        for item in encoded:
            flat.extend(item.ids)
            flat.append(sep)
        chunks.setdefault(current, []).append(np.asarray(flat, dtype=np.uint16))
        pending.clear()

    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(SOURCE_MARK):
                flush()
                current = line[len(SOURCE_MARK):].strip()
                continue
            line = line.strip()
            if line:
                pending.append(line)
                if len(pending) >= batch_lines:
                    flush()
    flush()
    train, heldout = {}, {}
    for name, parts in chunks.items():
        stream = np.concatenate(parts)
        cut = len(stream) - max(int(len(stream) * heldout_fraction), 1)
        train[name], heldout[name] = stream[:cut], stream[cut:]
    return TokenStreams(train, heldout, tokenizer.get_vocab_size(), ids)


class WindowSampler:
    """Random fixed-length windows, sources drawn by size x weight."""

    def __init__(self, streams: dict[str, np.ndarray], seq_len: int, weights: dict[str, float],
                 cls_id: int, sep_id: int, pair_prob: float, rng: np.random.Generator):
        self.names = [n for n, s in streams.items() if len(s) > seq_len]
        self.streams = streams
        self.span = seq_len - 1
        mass = np.array([len(streams[n]) * weights.get(n, 1.0) for n in self.names], dtype=np.float64)
        self.probabilities = mass / mass.sum()
        self.cls_id, self.sep_id, self.pair_prob, self.rng = cls_id, sep_id, pair_prob, rng

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        sources = self.rng.choice(len(self.names), size=size, p=self.probabilities)
        rows = np.empty((size, self.span + 1), dtype=np.int64)
        rows[:, 0] = self.cls_id
        for i, s in enumerate(sources):
            stream = self.streams[self.names[s]]
            start = int(self.rng.integers(0, len(stream) - self.span))
            rows[i, 1:] = stream[start:start + self.span]
        after_sep = np.cumsum(rows == self.sep_id, axis=1) - (rows == self.sep_id)
        pair = self.rng.random(size) < self.pair_prob
        types = ((after_sep >= 1) & pair[:, None]).astype(np.int64)
        return rows, types


def mask_tokens(rows: np.ndarray, ids: dict[str, int], vocab_size: int, mask_prob: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """BERT masking: of ``mask_prob`` chosen tokens, 80 % -> [MASK], 10 % random, 10 % kept.

    Returns (inputs, labels) with labels -100 where nothing is predicted. Special tokens are
    never chosen.
    """
    special = np.isin(rows, [ids[CLS], ids[SEP], ids[PAD]])
    chosen = (rng.random(rows.shape) < mask_prob) & ~special
    labels = np.where(chosen, rows, -100)
    inputs = rows.copy()
    roll = rng.random(rows.shape)
    inputs[chosen & (roll < 0.8)] = ids[MASK]
    random_slots = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[random_slots] = rng.integers(len(SPECIAL_TOKENS), vocab_size, size=int(random_slots.sum()))
    return inputs, labels


def build_model(config: PretrainConfig, vocab_size: int, pad_id: int):
    from transformers import BertConfig, BertForMaskedLM

    bert_config = BertConfig(
        vocab_size=vocab_size, hidden_size=config.hidden_size, num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads, intermediate_size=config.intermediate_size,
        max_position_embeddings=config.max_position, type_vocab_size=2, pad_token_id=pad_id,
    )
    return BertForMaskedLM(bert_config)


def mlm_loss(model, inputs, types, labels):
    """Cross-entropy over the masked positions only (the vocabulary projection is the costly part)."""
    import torch

    hidden = model.bert(input_ids=inputs, token_type_ids=types).last_hidden_state
    where = labels != -100
    logits = model.cls(hidden[where])
    return torch.nn.functional.cross_entropy(logits.float(), labels[where])


def autocast_dtype(device) -> "object | None":
    """bfloat16 where the hardware runs it fast (AVX512-BF16/AMX CPUs, Ampere+ GPUs), else None."""
    import torch

    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return torch.bfloat16 if ("avx512_bf16" in flags or "amx_bf16" in flags) else None


@dataclass
class TrainState:
    step: int = 0
    tokens_seen: int = 0
    elapsed_s: float = 0.0
    loss_ema: float = float("nan")
    heldout_loss: float = float("nan")
    history: list = field(default_factory=list)


def heldout_loss(model, streams: TokenStreams, config: PretrainConfig, device, dtype,
                 batches: int = 20) -> float:
    """Mean masked-LM loss on fixed windows of the held-out tails (same masks every call)."""
    import torch

    rng = np.random.default_rng(1234)
    sampler = WindowSampler(streams.heldout, config.seq_len, config.source_weights,
                            streams.ids[CLS], streams.ids[SEP], config.pair_prob, rng)
    model.eval()
    total = 0.0
    with torch.no_grad(), torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
        for _ in range(batches):
            rows, types = sampler.batch(config.batch_size)
            inputs, labels = mask_tokens(rows, streams.ids, streams.vocab_size, config.mask_prob, rng)
            total += float(mlm_loss(model, *(torch.from_numpy(a).to(device) for a in (inputs, types, labels))))
    model.train()
    return total / batches


def _lr_factor(step: int, elapsed: float, config: PretrainConfig) -> float:
    warm = min(1.0, (step + 1) / max(config.warmup_steps, 1))
    progress = min(1.0, elapsed / config.time_budget_s)
    if config.max_steps:
        progress = max(progress, step / config.max_steps)
    return warm * (1.0 - (1.0 - config.final_lr_fraction) * progress)


def save_checkpoint(folder: Path, model, optimizer, state: TrainState, config: PretrainConfig) -> None:
    import torch
    from safetensors.torch import save_file, save_model

    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, str(folder / "mlm.safetensors"))  # handles the tied input/output embeddings
    # optimizer moments as tensors too: no pickle anywhere
    moments = {}
    for i, p in enumerate(model.parameters()):
        slot = optimizer.state.get(p, {})
        for key in ("exp_avg", "exp_avg_sq"):
            if key in slot:
                moments[f"{i}.{key}"] = slot[key].detach().contiguous().cpu()
        if "step" in slot:
            moments[f"{i}.step"] = torch.as_tensor(slot["step"], dtype=torch.float32).reshape(1)
    save_file(moments, str(folder / "optimizer.safetensors"))
    (folder / "state.json").write_text(json.dumps({"state": asdict(state), "config": asdict(config)},
                                                  indent=1), encoding="utf-8")


def load_checkpoint(folder: Path, model, optimizer) -> TrainState:
    from safetensors.torch import load_file, load_model

    load_model(model, str(folder / "mlm.safetensors"))
    moments = load_file(str(folder / "optimizer.safetensors"))
    device = next(model.parameters()).device
    for i, p in enumerate(model.parameters()):
        if f"{i}.exp_avg" in moments:
            optimizer.state[p] = {"exp_avg": moments[f"{i}.exp_avg"].to(device),
                                  "exp_avg_sq": moments[f"{i}.exp_avg_sq"].to(device),
                                  "step": moments[f"{i}.step"].reshape(()).clone()}
    saved = json.loads((folder / "state.json").read_text(encoding="utf-8"))["state"]
    return TrainState(**saved)


def pretrain(streams: TokenStreams, config: PretrainConfig, out: Path, device_name: str = "cpu",
             resume: bool = True, log: Callable[[str], None] = lambda _: None):
    """Train until the time budget (or ``max_steps``); returns (model, state). Checkpoints in ``out``."""
    import torch

    device = torch.device(device_name)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = build_model(config, streams.vocab_size, streams.ids[PAD]).to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "LayerNorm" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=config.learning_rate, betas=(0.9, 0.98), eps=1e-6)
    state = TrainState()
    if resume and (out / "state.json").is_file():
        state = load_checkpoint(out, model, optimizer)
        rng = np.random.default_rng(config.seed + state.step)
        log(f"resumed at step {state.step} ({state.tokens_seen:,} tokens, {state.elapsed_s:.0f} s)")
    dtype = autocast_dtype(device)
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 else None
    sampler = WindowSampler(streams.train, config.seq_len, config.source_weights,
                            streams.ids[CLS], streams.ids[SEP], config.pair_prob, rng)
    log(f"model {sum(p.numel() for p in model.parameters()):,} parameters on {device}, autocast {dtype}")
    model.train()
    started = time.time() - state.elapsed_s
    last_checkpoint = time.time()
    while True:
        elapsed = time.time() - started
        if elapsed >= config.time_budget_s or (config.max_steps and state.step >= config.max_steps):
            break
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * _lr_factor(state.step, elapsed, config)
        rows, types = sampler.batch(config.batch_size)
        inputs, labels = mask_tokens(rows, streams.ids, streams.vocab_size, config.mask_prob, rng)
        tensors = [torch.from_numpy(a).to(device, non_blocking=True) for a in (inputs, types, labels)]
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            loss = mlm_loss(model, *tensors)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        value = float(loss.detach())
        state.loss_ema = value if math.isnan(state.loss_ema) else 0.98 * state.loss_ema + 0.02 * value
        state.step += 1
        state.tokens_seen += int(rows.size)
        state.elapsed_s = time.time() - started
        if state.step % config.log_every == 0:
            log(f"step {state.step} tokens {state.tokens_seen:,} loss {state.loss_ema:.3f} "
                f"lr {optimizer.param_groups[0]['lr']:.2e} {state.tokens_seen / max(state.elapsed_s, 1e-9):,.0f} tok/s")
        if time.time() - last_checkpoint >= config.checkpoint_every_s:
            state.heldout_loss = heldout_loss(model, streams, config, device, dtype)
            state.history.append({"step": state.step, "tokens": state.tokens_seen,
                                  "elapsed_s": round(state.elapsed_s), "train_loss": round(state.loss_ema, 4),
                                  "heldout_loss": round(state.heldout_loss, 4)})
            save_checkpoint(out, model, optimizer, state, config)
            log(f"checkpoint: {state.history[-1]}")
            last_checkpoint = time.time()
    state.heldout_loss = heldout_loss(model, streams, config, device, dtype)
    state.history.append({"step": state.step, "tokens": state.tokens_seen, "elapsed_s": round(state.elapsed_s),
                          "train_loss": round(state.loss_ema, 4), "heldout_loss": round(state.heldout_loss, 4)})
    save_checkpoint(out, model, optimizer, state, config)
    log(f"done: {state.history[-1]}")
    return model, state


def export_encoder(model, tokenizer_folder: Path, out: Path, card: str, extra_config: dict | None = None) -> Path:
    """Save the encoder half (a BertModel, float16) with its tokenizer as a model folder.

    The MLM head is dropped: classifiers only need the encoder. config.json is a BertConfig
    (``dtype`` float32, so that transformers upcasts the float16 weights on load) plus the
    weights' sha256 that resonance.classifiers.folder checks.
    """
    import torch

    from resonance.classifiers.folder import save_model_folder

    config = model.config.to_dict()
    config.pop("architectures", None)
    config.update({"architectures": ["BertModel"], "model_type": "bert", "dtype": "float32"})
    config.update(extra_config or {})
    tensors = {k: v.to(torch.float16) for k, v in model.bert.state_dict().items()
               if not k.startswith("pooler.")}
    extra = {name: (tokenizer_folder / name).read_text(encoding="utf-8")
             for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")}
    return save_model_folder(out, config, tensors, card, extra_files=extra)
