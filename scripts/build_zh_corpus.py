"""Build the Chinese masked-LM pretraining corpus and tokenizers from ../shared/datasets.

Writes ``.device/zh_corpus/corpus.txt.gz`` (one line of text per line, a blank line between
documents, a line ``\\x1e<source name>`` before each source's documents), ``manifest.json``
(per-source lines, characters, license; tokenizer measurements) and ``tokenizer-char/`` (plus
``tokenizer-wordpiece/`` for comparison). The folder is git-ignored and small enough to carry to
a GPU machine.

tvsub_zh (CC BY-NC-ND) is left out unless ``--include-tvsub`` is given, so that the shipped
encoder can be used commercially as far as its data allows; CPED contributes its training series
only (never the dev/test series of the reference split).

    python scripts/build_zh_corpus.py [--datasets ../shared/datasets] [--out .device/zh_corpus]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.zh_encoder_build import build_corpus, build_tokenizers, write_manifest  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    manifest = build_corpus(args.datasets, args.out, args.include_tvsub, log=log)
    sizes = {"char": args.char_vocab}
    if args.wordpiece_vocab:
        sizes["wordpiece"] = args.wordpiece_vocab
    manifest["tokenizers"] = build_tokenizers(args.datasets, args.out, sizes, log=log)
    write_manifest(args.out, manifest)
    log(f"total {manifest['total_chars']:,} chars in {manifest['seconds']} s -> {args.out}")


if __name__ == "__main__":
    main()
