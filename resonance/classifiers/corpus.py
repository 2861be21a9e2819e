"""The annotated micro-drama corpus (corpora/annotated): gold line labels joined to parsed lines.

Labels are keyed by (file, line); the script file is parsed with the project's own readers and
each content element picks up the label of its source line. Splits are by series.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from resonance.errors import InputError

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "corpora" / "annotated"


@dataclass(frozen=True)
class LabeledLine:
    series: str
    language: str
    file: str
    episode: int
    line: int
    index: int  # position among the episode's content lines
    count: int  # content lines in the episode
    kind: str
    text: str  # model input text (speaker + line)
    before: tuple[str, ...]  # preceding turns
    around: tuple[str, ...]  # surrounding lines
    beat: str | None
    integration: str | None
    bridge: bool | None
    quality: str | None

    @property
    def position(self) -> float:
        return self.index / max(1, self.count - 1)


def load_splits(root: Path = DEFAULT_ROOT) -> dict[str, list[str]]:
    path = root / "splits.json"
    if not path.is_file():
        raise InputError("no splits.json in the annotated corpus", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def load_labels(root: Path = DEFAULT_ROOT) -> dict[tuple[str, int], dict]:
    rows: dict[tuple[str, int], dict] = {}
    for path in sorted((root / "labels").glob("*.jsonl")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.strip():
                try:
                    row = json.loads(raw)
                except json.JSONDecodeError as err:
                    raise InputError(f"invalid JSON ({err.msg})", str(path), n) from None
                rows[(row["file"], int(row["line"]))] = row
    return rows


def load_corpus(root: Path = DEFAULT_ROOT, language: str | None = None) -> list[LabeledLine]:
    """Every content line of every annotated episode, with its gold labels (None if unlabeled)."""
    from resonance.analyze import _contexts, content_elements, line_text
    from resonance.io import read_script

    labels = load_labels(root)
    out: list[LabeledLine] = []
    for script_path in sorted((root / "scripts").glob("*/*/ep*.*")):
        rel = script_path.relative_to(root).as_posix()
        lang, series = script_path.parts[-3], script_path.parts[-2]
        if language and lang != language:
            continue
        script = read_script(script_path)
        for episode in script.episodes:
            elements = content_elements(episode)
            before, around = _contexts(elements)
            quality = None
            for i, element in enumerate(elements):
                row = labels.get((rel, element.line), {})
                quality = quality or row.get("quality")
                cultural = row.get("cultural") or {}
                out.append(LabeledLine(
                    series=series, language=lang, file=rel, episode=episode.number, line=element.line,
                    index=i, count=len(elements), kind=element.kind, text=line_text(element),
                    before=before[i], around=around[i], beat=row.get("beat"),
                    integration=cultural.get("integration"), bridge=cultural.get("bridge"),
                    quality=row.get("quality")))
    return out


def split_of(series: str, splits: dict[str, list[str]]) -> str:
    for name, members in splits.items():
        if series in members:
            return name
    return "train"
