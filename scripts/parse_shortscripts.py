"""Parse every Chinese short script in the shared dataset and report how well it went.

    python scripts/parse_shortscripts.py [--root ../shared/datasets/chinese_shortscript] [--show N]

For each genre folder of raw_gbk/ and utf8/: files, parse errors, the share of files
with at least one dialogue line that has a speaker, mean episodes / scenes / dialogue
lines per file, and time. Empty files are counted apart (they are not scripts).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from resonance.errors import ResonanceError
from resonance.io import read_script
from resonance.types import ElementKind

DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "chinese_shortscript"


@dataclass
class Tally:
    files: int = 0
    empty: int = 0
    errors: list[str] = field(default_factory=list)
    with_speakers: int = 0
    episodes: int = 0
    scenes: int = 0
    dialogue: int = 0
    seconds: float = 0.0
    no_speakers: list[str] = field(default_factory=list)
    encodings: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        for name in ("files", "empty", "with_speakers", "episodes", "scenes", "dialogue", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.no_speakers += other.no_speakers
        self.encodings.update(other.encodings)

    def row(self, label: str) -> str:
        parsed = self.files - self.empty - len(self.errors)
        share = 100 * self.with_speakers / parsed if parsed else 0.0
        mean = (lambda n: n / parsed if parsed else 0.0)
        return (f"{label:<24} {self.files:>5} {self.empty:>5} {len(self.errors):>6} {share:>8.1f}% "
                f"{mean(self.episodes):>7.2f} {mean(self.scenes):>7.1f} {mean(self.dialogue):>9.1f} "
                f"{self.seconds:>7.2f}s")


HEADER = (f"{'folder':<24} {'files':>5} {'empty':>5} {'errors':>6} {'speakers':>9} "
          f"{'ep/file':>7} {'sc/file':>7} {'dlg/file':>9} {'time':>8}")


def tally_file(path: Path) -> Tally:
    tally = Tally(files=1)
    if path.stat().st_size == 0:
        tally.empty = 1
        return tally
    start = time.perf_counter()
    try:
        script = read_script(path)
    except ResonanceError as err:
        tally.errors.append(str(err))
        return tally
    except Exception as err:  # a reader bug: report it with the file, keep going
        tally.errors.append(f"{path}: {type(err).__name__}: {err}")
        return tally
    finally:
        tally.seconds = time.perf_counter() - start
    tally.encodings[script.encoding] += 1
    tally.episodes = len(script.episodes)
    tally.scenes = sum(len(ep.scenes) for ep in script.episodes)
    dialogue = [e for e in script.elements if e.kind == ElementKind.DIALOGUE and e.speaker]
    tally.dialogue = len(dialogue)
    if dialogue:
        tally.with_speakers = 1
    else:
        tally.no_speakers.append(str(path))
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--show", type=int, default=10, help="list this many files without speakers")
    args = parser.parse_args(argv)
    total = Tally()
    print(HEADER)
    for variant in ("raw_gbk", "utf8"):
        variant_tally = Tally()
        for folder in sorted(p for p in (args.root / variant).iterdir() if p.is_dir()):
            folder_tally = Tally()
            for path in sorted(folder.iterdir()):
                if path.is_file():  # hidden ones too: .飞扬展翅.txt is a real script
                    folder_tally.add(tally_file(path))
            print(folder_tally.row(f"{variant}/{folder.name}"))
            variant_tally.add(folder_tally)
        print(variant_tally.row(f"{variant} (all)"))
        print(f"  encodings: {dict(variant_tally.encodings)}")
        total.add(variant_tally)
    print(total.row("TOTAL"))
    for error in total.errors:
        print(f"error: {error}", file=sys.stderr)
    for path in total.no_speakers[: args.show]:
        print(f"no speakers: {path}")
    return 1 if total.errors else 0


if __name__ == "__main__":
    sys.exit(main())
