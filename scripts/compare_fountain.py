"""Compare our Fountain reader with a published one, line by line.

Dev-only tool: it needs a peer parser that is NOT a dependency of resonance. Install it
into the venv first:  pip install jouvence   (jouvence 0.4.2, a published Fountain parser).

Both parsers' output is mapped onto our element kinds and onto source lines:
heading, action, cue (the character line), dialogue / narration, parenthetical (a
parenthetical line, whether we keep it as a direction or an element), transition,
note (notes, centered text, lyrics), caption, flashback. Lines that neither side
turns into text (title page, blank lines, sections, synopses, boneyard) are skipped.

    python scripts/compare_fountain.py [FILES...]

With no FILES it reads the Brick & Steel sample from ../shared/datasets and
tests/fixtures/fountain/*.fountain. Prints a table of disagreements and the agreement
figure per file and overall.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resonance.io import en_common, fountain  # noqa: E402
from resonance.types import ElementKind  # noqa: E402

DEFAULT_FILES = [ROOT.parent / "shared" / "datasets" / "fountain_samples" / "Brick_&_Steel.fountain",
                 *sorted((ROOT / "tests" / "fixtures" / "fountain").glob("*.fountain"))]
PARENTHETICAL = "parenthetical"
CUE = "cue"


def peer_kinds(text: str) -> tuple[str, dict[int, str]]:
    """(peer name, {line: kind}) from jouvence."""
    try:
        from jouvence.parser import JouvenceParser
    except ImportError:
        sys.exit("no peer parser: pip install jouvence  (a dev-only tool, not a resonance dependency)")
    from jouvence import document as d

    kinds = {d.TYPE_ACTION: ElementKind.ACTION, d.TYPE_CENTEREDACTION: ElementKind.NOTE, d.TYPE_CHARACTER: CUE,
             d.TYPE_DIALOG: ElementKind.DIALOGUE, d.TYPE_PARENTHETICAL: PARENTHETICAL,
             d.TYPE_TRANSITION: ElementKind.TRANSITION, d.TYPE_LYRICS: ElementKind.NOTE}
    doc = JouvenceParser().parseString(text)
    locator = _Locator(text)
    out: dict[int, str] = {}
    voice = False
    for scene in doc.scenes:
        if scene.header:
            locator.mark(out, scene.header, ElementKind.HEADING)
        for para in scene.paragraphs:
            kind = kinds.get(para.type)
            if kind is None or not para.text:
                continue
            if kind == CUE:
                cue = en_common.parse_cue(para.text, allow_forced=True)
                voice = bool(cue and (cue.voice or cue.name.upper() in en_common.NARRATORS))
            if kind == ElementKind.DIALOGUE and voice:
                kind = ElementKind.NARRATION
            locator.mark(out, para.text, kind)
    return "jouvence", out


class _Locator:
    """Finds each peer text line in the source, moving forward only."""

    def __init__(self, text: str):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
        self.lines = [_plain(line) for line in text.split("\n")]
        self.cursor = 0

    def mark(self, out: dict[int, str], text: str, kind: str) -> None:
        for part in text.split("\n"):
            wanted = _plain(part)
            if not wanted:
                continue
            for index in range(self.cursor, len(self.lines)):
                if wanted in self.lines[index]:
                    out.setdefault(index + 1, kind)
                    self.cursor = index + 1
                    break


def _plain(line: str) -> str:
    return " ".join(re.sub(r"[*_]", "", line).split()).strip(".@!>~ <")


def our_kinds(text: str, source: str) -> dict[int, str]:
    """{line: kind} from our reader: each element's line, plus the lines it runs on for,
    plus the cue and parenthetical lines above a spoken element."""
    parsed = fountain.parse(text, source)
    lines = text.split("\n")
    out: dict[int, str] = {}
    elements = [e for ep in parsed.episodes for e in ep.elements]
    for element in elements:
        out[element.line] = PARENTHETICAL if element.kind == ElementKind.PARENTHETICAL else element.kind
    for element in elements:
        if element.kind not in ElementKind.SPOKEN:
            continue
        above = element.line - 1
        while above >= 1 and lines[above - 1].strip() and out.get(above, ElementKind.NOTE) == ElementKind.NOTE:
            stripped = lines[above - 1].strip()
            if en_common.is_parenthetical(stripped):
                out[above] = PARENTHETICAL
            elif stripped.startswith("[["):
                pass  # a note line inside the block
            else:
                out[above] = CUE
                break
            above -= 1
    starts = sorted(out)
    for start in starts:  # an element runs on until a blank line or the next element
        kind = out[start]
        if kind in (CUE, PARENTHETICAL, ElementKind.HEADING, ElementKind.TRANSITION):
            continue
        line = start + 1
        while line <= len(lines) and lines[line - 1].strip() and line not in out:
            if not lines[line - 1].strip().startswith("[["):
                out[line] = kind
            line += 1
    return out


def compare(path: Path) -> tuple[int, int, list[tuple[int, str, str, str]]]:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    peer_name, peer = peer_kinds(text)
    ours = our_kinds(text, str(path))
    source = text.split("\n")
    disagreements = []
    lines = sorted(set(peer) | set(ours))
    for line in lines:
        theirs, mine = peer.get(line, "-"), ours.get(line, "-")
        if theirs != mine:
            disagreements.append((line, source[line - 1].strip()[:44], theirs, mine))
    return len(lines) - len(disagreements), len(lines), disagreements


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [p for p in DEFAULT_FILES if p.exists()]
    total_agree = total = 0
    for path in paths:
        agree, count, disagreements = compare(path)
        total_agree += agree
        total += count
        print(f"\n{path.name}: {agree}/{count} lines agree ({100 * agree / max(count, 1):.1f}%)")
        if disagreements:
            print(f"  {'line':>4}  {'source':<44}  {'peer':<13}  ours")
            for line, text, theirs, mine in disagreements:
                print(f"  {line:>4}  {text:<44}  {theirs:<13}  {mine}")
    print(f"\noverall: {total_agree}/{total} lines agree ({100 * total_agree / max(total, 1):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
