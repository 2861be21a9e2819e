"""How much of a real corpus the cultural lexicon touches, and how fast the matcher is.

    python scripts/lexicon_coverage.py                 # per-genre table for the Chinese short scripts
    python scripts/lexicon_coverage.py --terms 40      # + most frequent terms with one context each
    python scripts/lexicon_coverage.py --counts        # entries per type and language (for the README)
    python scripts/lexicon_coverage.py --bench         # matcher speed on 100 episodes x 40 lines

The corpus is read as raw text (the files are run-together paragraphs; no parsing is needed to
find words in them). A script "has culture" when at least one *specific* span is found; generic
words (传统, 文化) are counted apart.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resonance.culture import CULTURE_TYPES, find_cultural_spans, get_matcher, load_lexicon  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "datasets" / "chinese_shortscript" / "utf8"


def coverage(corpus: Path, top_types: int, show_terms: int) -> None:
    total_scripts = total_hit = total_generic = 0
    all_terms: Counter[str] = Counter()
    contexts: dict[str, str] = {}
    print(f"{'genre':<14} {'scripts':>7} {'specific':>9} {'%':>6} {'generic':>8} {'spans/10k':>9}  top types")
    for genre in sorted(p for p in corpus.iterdir() if p.is_dir()):
        files = sorted(path for path in genre.iterdir() if path.is_file())
        hit = generic_hit = spans_n = chars = 0
        types: Counter[str] = Counter()
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            spans = find_cultural_spans(text, "zh")
            specific = [s for s in spans if s.specific]
            chars += len(text)
            spans_n += len(specific)
            hit += bool(specific)
            generic_hit += any(not s.specific for s in spans)
            types.update({s.type for s in specific})  # scripts per type, not mentions
            for span in specific:
                all_terms[span.term] += 1
                contexts.setdefault(span.term, text[max(0, span.start - 12): span.end + 12].replace("\n", " "))
        total_scripts += len(files)
        total_hit += hit
        total_generic += generic_hit
        share = 100 * hit / len(files) if files else 0.0
        density = 10_000 * spans_n / chars if chars else 0.0
        top = ", ".join(f"{name} {count}" for name, count in types.most_common(top_types))
        print(f"{genre.name:<14} {len(files):>7} {hit:>9} {share:>5.1f}% {generic_hit:>8} {density:>9.1f}  {top}")
    share = 100 * total_hit / total_scripts if total_scripts else 0.0
    print(f"{'all':<14} {total_scripts:>7} {total_hit:>9} {share:>5.1f}% {total_generic:>8}")
    if show_terms:
        print(f"\nmost frequent terms (mentions), with the first context seen:")
        for term, count in all_terms.most_common(show_terms):
            print(f"{count:>6}  {term:<10} …{contexts[term]}…")


def counts() -> None:
    lexicons = {lang: load_lexicon(lang) for lang in ("zh", "en")}
    by_type = {lang: lex.count_by_type() for lang, lex in lexicons.items()}
    print("| type | zh | en |\n|---|---:|---:|")
    for name in CULTURE_TYPES:
        print(f"| {name} | {by_type['zh'][name]} | {by_type['en'][name]} |")
    print(f"| **total** | {len(lexicons['zh'])} | {len(lexicons['en'])} |")
    for lang, lex in lexicons.items():
        forms = sum(len(entry.forms) for entry in lex.entries)
        print(f"{lang}: {forms} surface forms, {len(lex.generic)} generic words, "
              f"{len(lex.not_cultural)} blockers")


def bench(corpus: Path) -> None:
    lines = []  # real sentences, the length of short-drama lines (the files run paragraphs together)
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines.extend(piece.strip() for piece in re.split(r"(?<=[。！？!?])|\s+", text) if piece.strip())
        if len(lines) >= 4000:
            break
    lines = lines[:4000]
    start = time.perf_counter()
    matcher = get_matcher("zh")
    built = time.perf_counter() - start
    start = time.perf_counter()
    found = sum(len(matcher.find(line)) for line in lines)
    spent = time.perf_counter() - start
    chars = sum(map(len, lines))
    print(f"zh: load+compile {built:.2f}s; 100 episodes x 40 lines = {len(lines)} lines, "
          f"{chars} chars, {found} spans in {spent * 1000:.0f} ms")
    english = ["INT. KITCHEN - NIGHT", "MARIA lights the candles on the ofrenda for Día de Muertos.",
               "CHEN (V.O.) My grandmother taught me shadow puppetry before the lion dance.",
               "We never talked about the old country, or the traditions, or anything at all."] * 1000
    start = time.perf_counter()
    matcher = get_matcher("en")
    built = time.perf_counter() - start
    start = time.perf_counter()
    found = sum(len(matcher.find(line)) for line in english)
    spent = time.perf_counter() - start
    print(f"en: load+compile {built:.2f}s; {len(english)} lines, {sum(map(len, english))} chars, "
          f"{found} spans in {spent * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top-types", type=int, default=3)
    parser.add_argument("--terms", type=int, default=0, help="also list the N most frequent terms")
    parser.add_argument("--counts", action="store_true", help="only print lexicon entries per type")
    parser.add_argument("--bench", action="store_true", help="only time the matcher")
    args = parser.parse_args()
    if args.counts:
        counts()
    elif args.bench:
        bench(args.corpus)
    else:
        if not args.corpus.is_dir():
            parser.error(f"corpus folder not found: {args.corpus}")
        coverage(args.corpus, args.top_types, args.terms)


if __name__ == "__main__":
    main()
