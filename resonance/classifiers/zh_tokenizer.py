"""The Chinese encoder's tokenizer, trained with the `tokenizers` library and saved as tokenizer.json.

Two kinds, measured in ``measure`` (tokens per character, unknown rate):

- ``char``: BERT-Chinese style. Text is NFKC-normalised and lowercased, every CJK character is
  its own token, Latin words are split into WordPiece sub-words. Sequences are as long as the
  text, but no Chinese word is ever unknown and the vocabulary stays small (~8k).
- ``wordpiece``: Chinese runs are *not* split into characters, so WordPiece learns multi-character
  pieces; sequences get shorter at the price of a vocabulary two to three times larger.

``detokenize`` reverses either one (joining CJK pieces without spaces), so text round-trips up to
normalisation.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from tokenizers.trainers import WordPieceTrainer

from resonance.errors import ModelError

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = SPECIAL_TOKENS
KINDS = ("char", "wordpiece")
_CJK_PIECE = re.compile(r"^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2e80-\u2fff]")


def _normalizer(split_cjk: bool) -> normalizers.Normalizer:
    return normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=split_cjk,
                                   strip_accents=False, lowercase=True),
    ])


def new_tokenizer(kind: str) -> Tokenizer:
    if kind not in KINDS:
        raise ValueError(f"unknown tokenizer kind {kind!r} (use one of {KINDS})")
    tokenizer = Tokenizer(WordPiece(unk_token=UNK, max_input_chars_per_word=100))
    tokenizer.normalizer = _normalizer(split_cjk=kind == "char")
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tokenizer


def train_tokenizer(lines: Iterable[str], kind: str = "char", vocab_size: int = 8000,
                    min_frequency: int = 3) -> Tokenizer:
    """Train on an iterable of text lines; the result adds [CLS] ... [SEP] around a text."""
    tokenizer = new_tokenizer(kind)
    trainer = WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=SPECIAL_TOKENS,
        limit_alphabet=max(vocab_size - 1000, vocab_size // 2) if kind == "char" else 6000, show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    cls_id, sep_id = tokenizer.token_to_id(CLS), tokenizer.token_to_id(SEP)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", pair=f"{CLS} $A {SEP} $B:1 {SEP}:1",
        special_tokens=[(CLS, cls_id), (SEP, sep_id)],
    )
    return tokenizer


def save_tokenizer(tokenizer: Tokenizer, folder: Path, max_length: int) -> None:
    """Write tokenizer.json plus the small config files transformers' AutoTokenizer reads."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_length,
        "pad_token": PAD, "unk_token": UNK, "cls_token": CLS, "sep_token": SEP, "mask_token": MASK,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    special = {"pad_token": PAD, "unk_token": UNK, "cls_token": CLS, "sep_token": SEP, "mask_token": MASK}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2), encoding="utf-8")


def load_tokenizer(folder: Path) -> Tokenizer:
    path = Path(folder) / "tokenizer.json"
    if not path.is_file():
        raise ModelError("tokenizer.json is missing", source=str(folder))
    return Tokenizer.from_file(str(path))


def normalize(tokenizer: Tokenizer, text: str) -> str:
    """The text as the tokenizer sees it, without the spaces it adds around CJK characters."""
    return detokenize(tokenizer.normalizer.normalize_str(text).split())


def detokenize(pieces: Iterable[str]) -> str:
    """Join tokens back into text: CJK pieces touch, Latin words are separated by one space."""
    out = ""
    previous_cjk = True
    for piece in pieces:
        if piece in SPECIAL_TOKENS:
            continue
        if piece.startswith("##"):
            out += piece[2:]
            continue
        cjk = bool(_CJK_PIECE.match(piece)) or not piece[:1].isalnum()
        if out and not (cjk or previous_cjk):
            out += " "
        out += piece
        previous_cjk = cjk
    return out


@dataclass(frozen=True)
class TokenizerStats:
    kind: str
    vocab_size: int
    chars: int
    tokens: int
    unknown: int

    @property
    def tokens_per_char(self) -> float:
        return self.tokens / max(self.chars, 1)

    @property
    def unknown_rate(self) -> float:
        return self.unknown / max(self.tokens, 1)


def measure(tokenizer: Tokenizer, kind: str, texts: Iterable[str]) -> TokenizerStats:
    """Sequence length and unknown-token rate of ``tokenizer`` over ``texts`` (specials excluded)."""
    unk_id = tokenizer.token_to_id(UNK)
    chars = tokens = unknown = 0
    for text in texts:
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        chars += len(text.replace(" ", ""))
        tokens += len(ids)
        unknown += sum(1 for i in ids if i == unk_id)
    return TokenizerStats(kind, tokenizer.get_vocab_size(), chars, tokens, unknown)


def corpus_lines(path: Path) -> Iterator[str]:
    """Non-empty lines of a (gzip-compressed) corpus file written by scripts/build_zh_corpus.py."""
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("\x1e"):  # a source marker, see zh_corpus.SOURCE_MARK
                continue
            line = line.strip()
            if line:
                yield line
