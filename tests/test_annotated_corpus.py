"""The annotated corpus the narrative and cultural models are trained and measured on is consistent:
every label lands on a line the readers parse as content, every content line is labelled, and
every series sits in exactly one split."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "annotated"


def test_every_label_lands_on_a_content_line_and_every_line_is_labelled():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_corpus.py")], capture_output=True,
                          text=True, cwd=ROOT)
    problems = [line for line in done.stdout.splitlines() if ":" in line.split(" ")[0]]
    assert done.returncode == 0 and not problems, "\n".join(problems[:20])


def test_each_series_is_in_exactly_one_split():
    splits = json.loads((CORPUS / "splits.json").read_text(encoding="utf-8"))
    listed = [s for members in splits.values() for s in members]
    on_disk = sorted(p.name for p in (CORPUS / "scripts").glob("*/*") if p.is_dir())
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)
    assert {"train", "dev", "test"} == set(splits)
