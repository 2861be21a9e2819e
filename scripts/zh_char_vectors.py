"""Character vectors (PPMI + SVD of co-occurrence counts) over the pretraining corpus.

Writes ``.device/zh_char_svd256.npy`` (vocabulary x 256, rows in tokenizer id order, scaled like
BERT's initial embeddings), the embedding table the ``svd`` variants of
scripts/zh_emotion_experiments.py start from. About a minute of CPU.

    python scripts/zh_char_vectors.py [--dim 256] [--window 2]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.pretrain import encode_corpus  # noqa: E402
from resonance.classifiers.zh_char_vectors import cooccurrence, ppmi_svd, scaled_like_bert  # noqa: E402
from resonance.classifiers.zh_tokenizer import load_tokenizer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".device" / "zh_corpus")
    parser.add_argument("--tokenizer", type=Path, default=ROOT / "models" / "encoder-zh",
                        help="the tokenizer whose ids the rows follow (the shipped encoder's)")
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / ".device" / "zh_char_svd256.npy")
    args = parser.parse_args()
    started = time.time()
    tokenizer = load_tokenizer(args.tokenizer)
    streams = encode_corpus(args.corpus / "corpus.txt.gz", tokenizer)
    counts = cooccurrence(list(streams.train.values()), tokenizer.get_vocab_size(), window=args.window)
    vectors = scaled_like_bert(ppmi_svd(counts, args.dim))
    np.save(args.out, vectors)
    vocab = tokenizer.get_vocab()
    words = {i: w for w, i in vocab.items()}
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for probe in ("哭", "惊", "爸"):
        nearest = np.argsort(-(unit @ unit[vocab[probe]]))[1:9]
        print(f"{probe}: {''.join(words[int(i)] for i in nearest)}", file=sys.stderr)
    print(f"{vectors.shape} -> {args.out} in {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
