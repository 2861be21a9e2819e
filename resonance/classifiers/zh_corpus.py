"""Readers for the unlabeled Chinese text used to pretrain the Chinese encoder.

Each source yields documents (lists of lines); a document boundary matters because the masked-LM
packs consecutive lines of one document into a training sequence. Every source carries the
license its folder states, so that the encoder's model card can list exactly what shaped it.

CPED is read from its training series only: the series held out for dev and test (see
``CPED_DEV_SERIES`` / ``CPED_TEST_SERIES``, the split in ../shared/datasets/README.md) never
reach the pretraining text.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from resonance.errors import InputError

CPED_TEST_SERIES = frozenset({"27", "29", "34"})
CPED_DEV_SERIES = frozenset({"30", "45"})

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?…」”])")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
SOURCE_MARK = "\x1e"  # a corpus line "\x1e<name>" starts the documents of one source
MIN_CHARS = 2
MAX_LINE_CHARS = 160

Document = list[str]


@dataclass(frozen=True)
class Source:
    """One pretraining source: a folder name, its stated license, and a reader.

    ``non_commercial`` marks a license that forbids commercial use outright (tvsub_zh); weights
    that saw such a source must say so on their card.
    """

    name: str
    license: str
    non_commercial: bool
    read: Callable[[Path], Iterator[Document]]


def clean_line(text: str) -> str:
    """Collapse runs of spaces; keep punctuation as written (the tokenizer normalises)."""
    return _SPACES.sub(" ", text.replace("\r", "")).strip()


def split_long(text: str, limit: int = MAX_LINE_CHARS) -> list[str]:
    """Split a long paragraph at sentence ends so no line exceeds ``limit`` by much."""
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
        while len(current) > 2 * limit:  # no sentence end at all: cut hard
            pieces.append(current[:limit])
            current = current[limit:]
    if current:
        pieces.append(current)
    return pieces


def keep(line: str) -> bool:
    return len(line) >= MIN_CHARS and _CJK.search(line) is not None


def _doc(lines) -> Document:
    out: Document = []
    for line in lines:
        for piece in split_long(clean_line(line)):
            if keep(piece):
                out.append(piece)
    return out


def _paragraph_docs(path: Path, lines_per_doc: int = 200) -> Iterator[Document]:
    buffer: list[str] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        buffer.append(raw)
        if len(buffer) >= lines_per_doc:
            yield _doc(buffer)
            buffer = []
    if buffer:
        yield _doc(buffer)


def read_plain_books(folder: Path) -> Iterator[Document]:
    for path in sorted(folder.glob("*.txt")):
        yield from _paragraph_docs(path)


def read_conv(folder: Path) -> Iterator[Document]:
    """dgk_lost_conv: ``E`` starts a dialogue block, ``M <line>`` is one subtitle line."""
    for path in sorted(folder.glob("*.conv")):
        block: list[str] = []
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if raw.startswith("E"):
                if block:
                    yield _doc(block)
                block = []
            elif raw.startswith("M "):
                block.append(raw[2:])
        if block:
            yield _doc(block)


def read_kdconv(folder: Path) -> Iterator[Document]:
    for path in sorted(folder.glob("*.json")):
        for conversation in json.loads(path.read_text(encoding="utf-8")):
            yield _doc(m["message"] for m in conversation["messages"])


def _unspace(text: str) -> str:
    return text.replace(" ", "")


def read_lccc(folder: Path) -> Iterator[Document]:
    for name in ("toy_train.txt", "toy_valid.txt"):
        for raw in (folder / name).read_text(encoding="utf-8").splitlines():
            yield _doc(_unspace(turn) for turn in raw.split("\t"))
    data = json.loads((folder / "toy_data.json").read_text(encoding="utf-8"))
    for dialogues in data.values():
        for dialogue in dialogues:
            yield _doc(_unspace(turn) for turn in dialogue)


def read_reviews(folder: Path) -> Iterator[Document]:
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [row.get("review", "") or "" for row in csv.DictReader(handle)]
        for start in range(0, len(rows), 50):
            yield _doc(rows[start:start + 50])


def read_weibo(folder: Path) -> Iterator[Document]:
    with (folder / "nlpcc2013_weibo_emotion_train.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [row[1] for row in csv.reader(handle) if len(row) >= 2][1:]
    for start in range(0, len(rows), 50):
        yield _doc(rows[start:start + 50])
    for name in ("smp2020_ewect_virus_train.json", "smp2020_ewect_virus_eval.json",
                 "smp2020_ewect_usual_eval.json"):
        posts = [p["content"] for p in json.loads((folder / name).read_text(encoding="utf-8"))]
        for start in range(0, len(posts), 50):
            yield _doc(posts[start:start + 50])


_SCRIPT_BREAK = re.compile(r"[\u3000]{1,}|\s{2,}|\n")


def read_short_scripts(folder: Path) -> Iterator[Document]:
    """chinese_shortscript/utf8: paragraphs often run together, split by full-width spaces."""
    for path in sorted(folder.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        yield _doc(part for part in _SCRIPT_BREAK.split(text))


def read_tvsub(folder: Path) -> Iterator[Document]:
    episode: list[str] = []
    with (folder / "tvsub_train_episodes.zh.txt").open(encoding="utf-8") as handle:
        for raw in handle:
            if raw.startswith("# episode"):
                if episode:
                    yield _doc(episode)
                episode = []
            elif raw.strip():
                episode.append(raw)
    if episode:
        yield _doc(episode)


def read_cped_train_series(folder: Path) -> Iterator[Document]:
    """CPED utterances of the training series only, one document per dialogue."""
    held_out = CPED_TEST_SERIES | CPED_DEV_SERIES
    dialogues: dict[str, list[str]] = {}
    for name in ("valid_split.csv", "test_split.csv"):
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["TV_ID"] in held_out:
                    continue
                dialogues.setdefault(row["Dialogue_ID"], []).append(row["Utterance"])
    for lines in dialogues.values():
        yield _doc(lines)


def sources(datasets: Path) -> list[tuple[Source, Path]]:
    """Every pretraining source with its folder under ``datasets`` (../shared/datasets)."""
    zh = datasets / "zh_text"
    table = [
        (Source("cped_train_series", "Apache-2.0", False, read_cped_train_series), datasets / "cped"),
        (Source("chinese_shortscript", "none stated", False, read_short_scripts),
         datasets / "chinese_shortscript" / "utf8"),
        (Source("dgk_lost_conv", "repo MIT; fan-subtitle rights unclear", False, read_conv), zh / "dgk_lost_conv"),
        (Source("kdconv", "Apache-2.0", False, read_kdconv), zh / "kdconv"),
        (Source("lccc_toy", "MIT", False, read_lccc), zh / "lccc_toy"),
        (Source("labeled_weibo_emotion_extra", "NLPCC 2013 / SMP2020 competition data (research use); repo MIT",
                False, read_weibo), zh / "labeled_weibo_emotion_extra"),
        (Source("sophonplus_sentiment", "none stated", False, read_reviews), zh / "sophonplus_sentiment"),
        (Source("pd_modern_lit", "public domain in China (life+50); Lao She, Zhou Zuoren not life+70",
                False, read_plain_books), zh / "pd_modern_lit"),
        (Source("pd_vernacular_classics", "public domain", False, read_plain_books), zh / "pd_vernacular_classics"),
        (Source("pg_late_qing_vernacular", "public domain", False, read_plain_books), zh / "pg_late_qing_vernacular"),
        (Source("tvsub_zh", "CC BY-NC-ND 4.0, research use only", True, read_tvsub), zh / "tvsub_zh"),
    ]
    for source, folder in table:
        if not folder.exists():
            raise InputError("pretraining source folder is missing", source=str(folder))
    return table
