"""Check the annotated corpus: every label points at a content line, every content line has a beat.

    python scripts/check_corpus.py                 # all series
    python scripts/check_corpus.py en08_aso_ebi    # one or more series

Prints one line per problem (file:line: message) and a summary per series (episodes, lines,
beats, cultural lines by integration); exits 1 when a problem is found.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.classifiers.corpus import DEFAULT_ROOT, load_corpus, load_labels, load_splits, split_of  # noqa: E402
from resonance.types import BEATS, INTEGRATIONS  # noqa: E402


def check(series: set[str] | None) -> int:
    labels = load_labels(DEFAULT_ROOT)
    splits = load_splits(DEFAULT_ROOT)
    lines = [ln for ln in load_corpus(DEFAULT_ROOT) if not series or ln.series in series]
    content = {(ln.file, ln.line) for ln in lines}
    problems = []
    for (file, line), row in sorted(labels.items()):
        name = file.split("/")[2] if file.count("/") >= 3 else file
        if series and name not in series:
            continue
        if (file, line) not in content:
            problems.append(f"{file}:{line}: label on a line that is not a content line")
        if row.get("beat") not in BEATS:
            problems.append(f"{file}:{line}: beat {row.get('beat')!r} is not one of {', '.join(BEATS)}")
        cultural = row.get("cultural")
        if cultural is not None and (cultural.get("integration") not in INTEGRATIONS
                                     or not isinstance(cultural.get("bridge"), bool)):
            problems.append(f"{file}:{line}: cultural needs integration in {INTEGRATIONS} and a boolean bridge")
    for ln in lines:
        if ln.beat is None:
            problems.append(f"{ln.file}:{ln.line}: content line without a label ({ln.kind}: {ln.text[:40]})")
    episodes_without_quality = {(ln.file) for ln in lines} - {ln.file for ln in lines if ln.quality}
    problems += [f"{file}: no quality on the episode's first row" for file in sorted(episodes_without_quality)]
    for message in problems:
        print(message)
    by_series: dict[str, list] = {}
    for ln in lines:
        by_series.setdefault(ln.series, []).append(ln)
    for name, rows in sorted(by_series.items()):
        beats = Counter(r.beat for r in rows)
        cultural = Counter(r.integration for r in rows if r.integration)
        print(f"{name} ({split_of(name, splits)}): {len({r.file for r in rows})} episodes, {len(rows)} lines; "
              f"beats {dict(beats.most_common())}; cultural {dict(cultural)}")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", nargs="*")
    args = parser.parse_args()
    sys.exit(check(set(args.series) or None))


if __name__ == "__main__":
    main()
