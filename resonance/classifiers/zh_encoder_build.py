"""Building the Chinese encoder end to end: corpus -> tokenizer -> masked-LM -> model folder.

The steps the scripts (build_zh_corpus.py, pretrain_zh.py) and ``resonance train encoder --lang
zh`` share. Every step reports progress through a ``log`` callback and returns a JSON-able record;
nothing here prints.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import json
import time
from pathlib import Path
from typing import Callable

from resonance.classifiers.zh_corpus import CPED_DEV_SERIES, SOURCE_MARK, sources

Log = Callable[[str], None]
DEDUPE_MIN_CHARS = 8  # short lines ("好的", "谢谢") repeat naturally in dialogue; keep them
# Dialogue-like sources count in full; older or written registers less (the classifier reads dialogue).
DIALOGUE_WEIGHTS = {
    "cped_train_series": 2.0, "chinese_shortscript": 1.0, "dgk_lost_conv": 1.0, "kdconv": 1.0,
    "lccc_toy": 1.0, "labeled_weibo_emotion_extra": 1.0, "sophonplus_sentiment": 0.5,
    "pd_modern_lit": 0.7, "pd_vernacular_classics": 0.3, "pg_late_qing_vernacular": 0.3, "tvsub_zh": 1.0,
}


def _quiet(_: str) -> None:
    return None


def build_corpus(datasets: Path, out: Path, include_tvsub: bool = False, log: Log = _quiet) -> dict:
    """Write ``out/corpus.txt.gz`` and ``out/manifest.json``; returns the manifest.

    tvsub_zh (CC BY-NC-ND) is skipped unless ``include_tvsub``. Lines of 8+ characters are
    deduplicated across sources.
    """
    out.mkdir(parents=True, exist_ok=True)
    seen: set[bytes] = set()
    manifest: dict = {"sources": {}, "include_tvsub": include_tvsub}
    started = time.time()
    with gzip.open(out / "corpus.txt.gz", "wt", encoding="utf-8", compresslevel=6) as handle:
        for source, folder in sources(datasets):
            if source.non_commercial and not include_tvsub:
                manifest["sources"][source.name] = {"license": source.license, "used": False}
                continue
            lines = chars = documents = duplicates = 0
            handle.write(f"{SOURCE_MARK}{source.name}\n\n")
            for document in source.read(folder):
                kept = []
                for line in document:
                    if len(line) >= DEDUPE_MIN_CHARS:
                        key = hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest()
                        if key in seen:
                            duplicates += 1
                            continue
                        seen.add(key)
                    kept.append(line)
                if kept:
                    handle.write("\n".join(kept) + "\n\n")
                    documents += 1
                    lines += len(kept)
                    chars += sum(len(line) for line in kept)
            manifest["sources"][source.name] = {
                "license": source.license, "used": True, "documents": documents,
                "lines": lines, "chars": chars, "duplicate_lines_dropped": duplicates,
            }
            log(f"{source.name:28s} {documents:8d} docs {lines:9d} lines {chars:11,d} chars")
    manifest["total_chars"] = sum(s.get("chars", 0) for s in manifest["sources"].values())
    manifest["seconds"] = round(time.time() - started, 1)
    write_manifest(out, manifest)
    return manifest


def write_manifest(out: Path, manifest: dict) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def cped_dev_utterances(datasets: Path) -> list[str]:
    with (datasets / "cped" / "valid_split.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["Utterance"] for row in csv.DictReader(handle) if row["TV_ID"] in CPED_DEV_SERIES]


def build_tokenizers(datasets: Path, out: Path, vocab_sizes: dict[str, int], log: Log = _quiet) -> dict:
    """Train each tokenizer kind on the corpus (``out/tokenizer-<kind>``), measured on CPED dev."""
    from resonance.classifiers.zh_tokenizer import corpus_lines, measure, save_tokenizer, train_tokenizer

    dev = cped_dev_utterances(datasets)
    report = {}
    for kind, vocab_size in vocab_sizes.items():
        started = time.time()
        tokenizer = train_tokenizer(corpus_lines(out / "corpus.txt.gz"), kind=kind, vocab_size=vocab_size)
        save_tokenizer(tokenizer, out / f"tokenizer-{kind}", max_length=128)
        stats = measure(tokenizer, kind, dev)
        report[kind] = {"vocab_size": stats.vocab_size, "tokens_per_char": round(stats.tokens_per_char, 4),
                        "unknown_rate": round(stats.unknown_rate, 5), "measured_on": "CPED dev series",
                        "train_seconds": round(time.time() - started, 1)}
        log(f"tokenizer {kind}: {report[kind]}")
    return report


def hardware(device: str, threads: int) -> str:
    import torch

    if device.startswith("cuda"):
        return f"one {torch.cuda.get_device_name(0)} GPU"
    cpu = "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU only ({cpu}, {threads} thread{'s' if threads != 1 else ''}, shared machine; no GPU)"


def train_encoder(corpus: Path, tokenizer_folder: Path, checkpoints: Path, config, device: str = "auto",
                  threads: int = 1, export: Path | None = None, resume: bool = True, log: Log = _quiet) -> dict:
    """Pretrain (resuming from ``checkpoints`` when possible); export the encoder folder if asked."""
    import torch

    from resonance.classifiers.pretrain import encode_corpus, pretrain
    from resonance.classifiers.train import resolve_device
    from resonance.classifiers.zh_tokenizer import load_tokenizer

    torch.set_num_threads(threads)
    device = resolve_device(device)
    tokenizer = load_tokenizer(tokenizer_folder)
    started = time.time()
    streams = encode_corpus(corpus / "corpus.txt.gz", tokenizer, config.heldout_fraction)
    sizes = {name: len(s) for name, s in streams.train.items()}
    log(f"encoded {sum(sizes.values()):,} tokens in {time.time() - started:.0f} s: {sizes}")
    model, state = pretrain(streams, config, checkpoints, device, resume=resume, log=log)
    record = {"config": vars(config), "state": vars(state), "hardware": hardware(device, threads)}
    (checkpoints / "result.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    if export:
        _export(model.cpu().float(), record, corpus, tokenizer_folder, export)
        log(f"exported {export}")
    return record


def export_checkpoint(corpus: Path, tokenizer_folder: Path, checkpoints: Path, export: Path,
                      device: str = "cpu", threads: int = 1) -> dict:
    """Export the encoder of the checkpoint in ``checkpoints`` without training further."""
    import torch

    from resonance.classifiers.pretrain import PretrainConfig, build_model, load_checkpoint
    from resonance.classifiers.zh_tokenizer import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_folder)
    saved = json.loads((checkpoints / "state.json").read_text(encoding="utf-8"))
    config = PretrainConfig(**saved["config"])
    model = build_model(config, tokenizer.get_vocab_size(), pad_id=tokenizer.token_to_id("[PAD]"))
    state = load_checkpoint(checkpoints, model, torch.optim.AdamW(model.parameters()))
    record = {"config": vars(config), "state": vars(state), "hardware": hardware(device, threads)}
    _export(model, record, corpus, tokenizer_folder, export)
    return record


def _export(model, record: dict, corpus: Path, tokenizer_folder: Path, export: Path,
            downstream: list[dict] | None = None) -> None:
    from resonance.classifiers.pretrain import export_encoder
    from resonance.classifiers.zh_cards import encoder_card

    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    card = encoder_card(manifest, record["state"], record["config"], record["hardware"], downstream)
    export_encoder(model, tokenizer_folder, export, card, extra_config={"name": "encoder.zh.v1"})
    (export / "pretraining.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    write_manifest_copy(corpus, export)


def write_manifest_copy(corpus: Path, export: Path) -> None:
    """Keep the corpus manifest (sources, licenses, counts) beside the weights it describes."""
    manifest = (corpus / "manifest.json").read_text(encoding="utf-8")
    (export / "corpus_manifest.json").write_text(manifest, encoding="utf-8")


# Before/after of the corpus classifiers built on the encoder (narrative-zh, cultural-zh), figures
# from `resonance evaluate narrative|cultural --lang zh` with the previous and the new encoder
CORPUS_CLASSIFIERS_FILE = "corpus_classifiers.json"
# Encoders pretrained side by side and compared on the card: file in the encoder folder -> heading, intro
COMPARISONS = {
    "sizes.json": ("Sizes compared (same corpus, same time on the same GPU, run side by side)",
                   "Each size was fine-tuned into the CPED emotion classifier (multi-task, fused with the n-gram "
                   "scorer) at one or two learning rates; the row shows the variant best on dev."),
    "tvsub.json": ("With and without tvsub_zh (same size, same GPU time, run side by side)",
                   "tvsub_zh (18.3 M characters of TV subtitles, CC BY-NC-ND) would make the weights "
                   "non-commercial. Both encoders had the same short budget and were fine-tuned the same way "
                   "into the CPED emotion classifier (scripts/device_zh_tvsub.sh, then "
                   "scripts/zh_emotion_experiments.py); the shipped encoder is the one without it, trained longer. "
                   "The held-out MLM losses are not comparable: each run holds out the tail of its own sources, "
                   "and the run with tvsub_zh holds out subtitles too."),
}


def _encoder_parameters(config: dict) -> int:
    """Parameters of the encoder a BertConfig dict describes (built empty, never loaded)."""
    from resonance.classifiers.bert import BertConfig, BertModel

    fields = {k: config[k] for k in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                                     "intermediate_size", "max_position_embeddings", "type_vocab_size")}
    return sum(p.numel() for p in BertModel(BertConfig(**fields), initialise=False).parameters())


def size_rows(runs: Path, results: dict) -> list[dict]:
    """One row per pretrained size in ``runs`` (folders ``enc-NAME`` with pretraining.json), with the
    emotion variant fine-tuned from it (``pretrained-mt@NAME-...``) that did best on dev."""
    rows = []
    for folder in sorted(runs.glob("enc-*")):
        name = folder.name[len("enc-"):]
        record = json.loads((folder / "pretraining.json").read_text(encoding="utf-8"))
        config, state = record["config"], record["state"]
        parameters = _encoder_parameters(json.loads((folder / "config.json").read_text(encoding="utf-8")))
        variants = [r for k, r in results.items() if k.startswith(f"pretrained-mt@{name}-")]
        best = max(variants, key=lambda r: r["dev_weighted_f1"], default=None)
        emotion = best["figures"]["emotion"] if best else None
        rows.append({"size": f"{name}: {config['num_layers']} x {config['hidden_size']}",
                     "parameters": parameters, "steps": state["step"], "tokens_seen": state["tokens_seen"],
                     "heldout_loss": state["heldout_loss"], "variant": best["variant"] if best else None,
                     "dev_weighted_f1": best["dev_weighted_f1"] if best else None,
                     "test_weighted_f1": best["test_weighted_f1"] if best else None,
                     "test_alone": emotion["alone"]["test_weighted_f1"] if emotion else None})
    return rows


def rewrite_encoder_card(export: Path, downstream: list[dict]) -> None:
    """Re-render the encoder card with the classifier's before/after figures (weights untouched)."""
    from resonance.classifiers.zh_cards import encoder_card

    record = json.loads((export / "pretraining.json").read_text(encoding="utf-8"))
    manifest = json.loads((export / "corpus_manifest.json").read_text(encoding="utf-8"))
    comparisons = [{"title": title, "intro": intro, "rows": json.loads((export / name).read_text(encoding="utf-8"))}
                   for name, (title, intro) in COMPARISONS.items() if (export / name).is_file()]
    corpus_file = export / CORPUS_CLASSIFIERS_FILE
    corpus_rows = json.loads(corpus_file.read_text(encoding="utf-8")) if corpus_file.is_file() else None
    card = encoder_card(manifest, record["state"], record["config"], record["hardware"], downstream, comparisons,
                        corpus_rows)
    (export / "README.md").write_text(card, encoding="utf-8")


def ensure_corpus(datasets: Path, corpus: Path, include_tvsub: bool = False, rebuild: bool = False,
                  log: Log = _quiet) -> dict:
    """The corpus manifest, building corpus and tokenizers first when missing (or ``rebuild``)."""
    if not rebuild and (corpus / "manifest.json").is_file() and (corpus / "tokenizer-char" / "tokenizer.json").is_file():
        manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("include_tvsub") == include_tvsub:
            return manifest
    manifest = build_corpus(datasets, corpus, include_tvsub, log=log)
    manifest["tokenizers"] = build_tokenizers(datasets, corpus, {"char": 8000}, log=log)
    write_manifest(corpus, manifest)
    return manifest
