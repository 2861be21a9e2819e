"""Build the Chinese masked-LM pretraining corpus from ../shared/datasets.

Writes ``.device/zh_corpus/corpus.txt.gz`` (one line of text per line, a blank line between
documents, a line ``\\x1e<source name>`` before each source's documents) and ``manifest.json``
(per-source lines, characters and license). The folder is git-ignored and small enough to carry
to a GPU machine.

tvsub_zh (CC BY-NC-ND) is left out unless ``--include-tvsub`` is given, so that the shipped
encoder can be used commercially as far as its data allows; CPED contributes its training series
only (never the dev/test series of the reference split).

    python scripts/build_zh_corpus.py [--datasets ../shared/datasets] [--out .device/zh_corpus]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.zh_corpus import CPED_DEV_SERIES, SOURCE_MARK, sources  # noqa: E402
from resonance.classifiers.zh_tokenizer import (  # noqa: E402
    corpus_lines, measure, save_tokenizer, train_tokenizer,
)

DEDUPE_MIN_CHARS = 8  # short lines ("好的", "谢谢") repeat naturally in dialogue; keep them


def build(datasets: Path, out: Path, include_tvsub: bool) -> dict:
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
                if not kept:
                    continue
                handle.write("\n".join(kept) + "\n\n")
                documents += 1
                lines += len(kept)
                chars += sum(len(line) for line in kept)
            manifest["sources"][source.name] = {
                "license": source.license, "used": True, "documents": documents,
                "lines": lines, "chars": chars, "duplicate_lines_dropped": duplicates,
            }
            print(f"{source.name:28s} {documents:8d} docs {lines:9d} lines {chars:11,d} chars",
                  file=sys.stderr)
    manifest["total_chars"] = sum(s.get("chars", 0) for s in manifest["sources"].values())
    manifest["seconds"] = round(time.time() - started, 1)
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def cped_dev_utterances(datasets: Path) -> list[str]:
    import csv

    with (datasets / "cped" / "valid_split.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["Utterance"] for row in csv.DictReader(handle) if row["TV_ID"] in CPED_DEV_SERIES]


def build_tokenizers(datasets: Path, out: Path, vocab_sizes: dict[str, int]) -> dict:
    """Train each tokenizer kind on the corpus and measure it on CPED dev-series utterances."""
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
        print(f"tokenizer {kind}: {report[kind]}", file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--out", type=Path, default=ROOT / ".device" / "zh_corpus")
    parser.add_argument("--include-tvsub", action="store_true",
                        help="also use tvsub_zh (CC BY-NC-ND: the weights become non-commercial)")
    parser.add_argument("--char-vocab", type=int, default=8000)
    parser.add_argument("--wordpiece-vocab", type=int, default=20000,
                        help="also train the multi-character WordPiece kind with this vocabulary (0: skip)")
    args = parser.parse_args()
    manifest = build(args.datasets, args.out, args.include_tvsub)
    sizes = {"char": args.char_vocab}
    if args.wordpiece_vocab:
        sizes["wordpiece"] = args.wordpiece_vocab
    manifest["tokenizers"] = build_tokenizers(args.datasets, args.out, sizes)
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"total {manifest['total_chars']:,} chars in {manifest['seconds']} s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
