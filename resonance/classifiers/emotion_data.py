"""Labeled emotion data from ../shared/datasets, as ``Example`` lists with dialogue context.

Every loader returns one split (``train``, ``dev`` or ``test``). Context is the previous turns of
the same dialogue (MELD ``Dialogue_ID``, EmoryNLP scene, CPED ``Dialogue_ID``), oldest first, as
``SPEAKER: text``. ``group`` is what must not leak across splits: the Friends episode for MELD and
EmoryNLP (both are Friends, and their official splits share episodes with each other), the TV
series for CPED.

Splits: MELD and EmoryNLP use their official files; GoEmotions its own files; CPED the
series-held-out split of the datasets README (test TV_ID 27, 29, 34; dev 30, 45; train the other
nine); SMP2020 and NLPCC 2013 come without a usable split here, so posts are assigned by their
row number (``n % 10 == 0`` test, ``== 1`` dev, else train), which is fixed and documented.
"""
from __future__ import annotations

import ast
import csv
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from resonance.classifiers.inputs import Example, format_turn
from resonance.classifiers.labels import UNIFIED, to_unified
from resonance.errors import InputError

SPLITS = ("train", "dev", "test")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CPED_TEST_SERIES = frozenset({"27", "29", "34"})
CPED_DEV_SERIES = frozenset({"30", "45"})
CONTEXT_TURNS = 3


def datasets_dir(root: str | Path | None = None) -> Path:
    """``root``, else $RESONANCE_DATASETS, else ../shared/datasets next to the project."""
    candidates = [Path(root)] if root else []
    if os.environ.get("RESONANCE_DATASETS"):
        candidates.append(Path(os.environ["RESONANCE_DATASETS"]))
    candidates += [PROJECT_ROOT.parent / "shared" / "datasets", Path.cwd().parent / "shared" / "datasets"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise InputError("datasets folder not found (set RESONANCE_DATASETS or pass --datasets)", source=str(candidates[0]))


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (use one of {', '.join(SPLITS)})")


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise InputError("dataset file not found", source=str(path))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _with_context(turns: list[tuple[str | None, str]], limit: int) -> Iterable[tuple[int, tuple[str, ...]]]:
    """For each turn of one dialogue, its index and the previous ``limit`` turns formatted."""
    for i in range(len(turns)):
        yield i, tuple(format_turn(s, t) for s, t in turns[max(0, i - limit):i])


def _dialogues(rows: list[dict], key: Callable[[dict], object], order: Callable[[dict], object]) -> list[list[dict]]:
    grouped: dict[object, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return [sorted(group, key=order) for group in grouped.values()]


def _friends_episode(row: dict) -> str:
    return f"friends:s{int(row['Season']):02d}e{int(row['Episode']):02d}"


def load_meld(split: str, root=None, context_turns: int = CONTEXT_TURNS) -> list[Example]:
    """MELD (Friends), official splits, 7 labels = the unified labels."""
    _check_split(split)
    rows = _read_csv(datasets_dir(root) / "meld" / f"{split}_sent_emo.csv")
    examples = []
    for dialogue in _dialogues(rows, lambda r: int(r["Dialogue_ID"]), lambda r: int(r["Utterance_ID"])):
        turns = [(r["Speaker"], r["Utterance"]) for r in dialogue]
        for i, context in _with_context(turns, context_turns):
            row = dialogue[i]
            examples.append(Example(text=row["Utterance"].strip(), context=context,
                                    label=to_unified("meld", row["Emotion"]), head="emotion",
                                    group=_friends_episode(row), source="meld",
                                    dialogue=f"meld:{split}:{row['Dialogue_ID']}"))
    return examples


def _emory_speaker(raw: str) -> str:
    try:
        names = ast.literal_eval(raw)
        return ", ".join(n.split()[0] for n in names) if isinstance(names, list) else str(raw)
    except (ValueError, SyntaxError):
        return raw


def load_emorynlp(split: str, root=None, native: bool = True, context_turns: int = CONTEXT_TURNS) -> list[Example]:
    """EmoryNLP (Friends), official splits. ``native``: its own 7 labels on head "emorynlp";
    otherwise mapped to the unified labels on head "emotion"."""
    _check_split(split)
    rows = _read_csv(datasets_dir(root) / "meld" / f"emorynlp_{split}_final.csv")
    scene = lambda r: (int(r["Season"]), int(r["Episode"]), int(r["Scene_ID"]))  # noqa: E731
    examples = []
    for dialogue in _dialogues(rows, scene, lambda r: int(r["Utterance_ID"])):
        turns = [(_emory_speaker(r["Speaker"]), r["Utterance"]) for r in dialogue]
        for i, context in _with_context(turns, context_turns):
            row = dialogue[i]
            label = row["Emotion"] if native else to_unified("emorynlp", row["Emotion"])
            examples.append(Example(text=row["Utterance"].strip(), context=context, label=label,
                                    head="emorynlp" if native else "emotion",
                                    group=_friends_episode(row), source="emorynlp",
                                    dialogue="emorynlp:{}:{}:{}".format(*scene(row))))
    return examples


def load_goemotions_ekman(split: str, root=None) -> list[Example]:
    """GoEmotions (Reddit) with Ekman labels; single-label comments only, no context."""
    _check_split(split)
    folder = datasets_dir(root) / "goemotions" / "ekman"
    names = (folder / "labels.txt").read_text(encoding="utf-8").split()
    path = folder / f"{split}.tsv"
    if not path.is_file():
        raise InputError("dataset file not found", source=str(path))
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or "," in parts[1]:
            continue
        examples.append(Example(text=parts[0].strip(), label=to_unified("goemotions_ekman", names[int(parts[1])]),
                                head="emotion", source="goemotions"))
    return examples


def cped_split(tv_id: str) -> str:
    return "test" if tv_id in CPED_TEST_SERIES else "dev" if tv_id in CPED_DEV_SERIES else "train"


def load_cped(split: str, root=None, head: str = "emotion", context_turns: int = CONTEXT_TURNS) -> list[Example]:
    """CPED (Chinese TV series), series held out. ``head="emotion"``: 13 labels mapped to the
    unified 7 (negative-other dropped); ``head="sentiment"``: positive/neutral/negative."""
    _check_split(split)
    folder = datasets_dir(root) / "cped"
    rows = [r for name in ("valid_split.csv", "test_split.csv") for r in _read_csv(folder / name)
            if cped_split(r["TV_ID"]) == split]
    examples = []
    for dialogue in _dialogues(rows, lambda r: r["Dialogue_ID"], lambda r: r["Utterance_ID"]):
        turns = [(r["Speaker"], r["Utterance"]) for r in dialogue]
        for i, context in _with_context(turns, context_turns):
            row = dialogue[i]
            label = to_unified("cped", row["Emotion"]) if head == "emotion" else row["Sentiment"]
            if label is None:
                continue
            examples.append(Example(text=row["Utterance"].strip(), context=context, label=label, head=head,
                                    group=f"cped:{row['TV_ID']}", source="cped",
                                    dialogue=f"cped:{row['Dialogue_ID']}"))
    return examples


def load_cped_sentiment(split: str, root=None) -> list[Example]:
    """CPED's own 3-class sentiment (positive, neutral, negative) on the same series split."""
    return load_cped(split, root, head="sentiment")


def _row_split(index: int) -> str:
    return "test" if index % 10 == 0 else "dev" if index % 10 == 1 else "train"


def load_smp2020(split: str, root=None) -> list[Example]:
    """SMP2020-EWECT virus Weibo posts (no context), mapped to the unified labels."""
    _check_split(split)
    path = datasets_dir(root) / "smp2020_ewect_partial" / "virus_train.txt"
    if not path.is_file():
        raise InputError("dataset file not found", source=str(path))
    posts = json.loads(path.read_text(encoding="utf-8"))
    return [Example(text=p["content"].strip(), label=to_unified("smp2020", p["label"]), head="emotion",
                    source="smp2020")
            for i, p in enumerate(posts) if _row_split(i) == split and p["content"].strip()]


def load_nlpcc2013(split: str, root=None) -> list[Example]:
    """NLPCC 2013 Weibo emotion posts (no context), mapped to the unified labels."""
    _check_split(split)
    rows = _read_csv(datasets_dir(root) / "zh_text" / "labeled_weibo_emotion_extra" / "nlpcc2013_weibo_emotion_train.csv")
    return [Example(text=r["文本"].strip(), label=to_unified("nlpcc2013", r["标签"]), head="emotion",
                    source="nlpcc2013")
            for i, r in enumerate(rows) if _row_split(i) == split and r["文本"].strip()]


LOADERS: dict[str, Callable[..., list[Example]]] = {
    "meld": load_meld, "emorynlp": load_emorynlp, "goemotions": load_goemotions_ekman,
    "cped": load_cped, "smp2020": load_smp2020, "nlpcc2013": load_nlpcc2013,
}


def drop_groups(examples: Iterable[Example], held_out: Iterable[Example]) -> list[Example]:
    """Training examples whose group (episode, series) does not appear in ``held_out``."""
    banned = {e.group for e in held_out if e.group}
    return [e for e in examples if e.group not in banned]


def label_counts(examples: Iterable[Example]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        counts[example.label] += 1
    order = {label: i for i, label in enumerate(UNIFIED)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
