"""Find cultural references in text: longest match wins, spans never overlap.

Why not spaCy's PhraseMatcher? It matches token sequences, so it only finds a term whose
boundaries agree with the tokenizer's. jieba does not know most heritage vocabulary (it cuts
傩面具 into 傩 / 面具 and glues 她学 into one token), so token matching would miss terms at
random. For Chinese the only correct unit is the character, and a string search is also what
is fast. English uses the same search with word-boundary checks, so both languages behave
alike and offsets are plain character offsets (``to_spacy_spans`` maps them onto a Doc).

How it works, on a lowercased copy of the text that keeps every offset:

1. every surface form (terms, aliases, generic words and "not cultural" blockers) is indexed
   by its first two characters, longest first within a bucket;
2. a one-class regex (C speed) jumps to the positions whose character starts some form; there
   a dict lookup on the next two characters gives the few forms to try with ``startswith``,
   so the first that fits is the longest form starting there;
3. forms that start or end with a Latin letter or digit must sit on word boundaries and may
   carry an English plural or possessive (``lion dances``, ``Diwali's``); CJK forms need none;
4. all candidates are then chosen greedily by length (then position): the longest wins and
   nothing overlaps (川剧变脸 beats 川剧, 小年轻 beats 小年); blockers win like any form and
   are dropped.

A regex alternation of all forms was tried first: 2,000 alternatives behind a look-behind defeat
the regex engine's first-character skip and cost seconds per script; the bigram index takes
about 65 ms for 0.8 M Chinese characters (``scripts/lexicon_coverage.py --bench``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from resonance.culture.lexicon import GENERIC_TYPE, Lexicon, load_lexicon
from resonance.types import Element

_LATIN_CHARS = "0-9A-Za-z\u00C0-\u024F"  # characters that glue into one word
_IS_LATIN = re.compile(f"[{_LATIN_CHARS}]")
_BLOCKED = "__not_cultural__"
_SUFFIXES = ("'s", "es", "s")  # English plural or possessive allowed after a Latin form
_MIN_PLURAL_FORM = 4  # "Tet" + "es" is "tetes": short forms take only a possessive


@dataclass(frozen=True)
class CulturalSpan:
    """A cultural reference: character offsets into the text that was searched."""

    start: int
    end: int
    text: str
    term: str  # the lexicon's canonical term (text may be an alias or a plural)
    type: str  # one of CULTURE_TYPES, or "generic"
    specific: bool  # False for generic words such as 传统 / tradition

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "term": self.term,
                "type": self.type, "specific": self.specific}


@dataclass(frozen=True)
class ElementCulturalSpan:
    """A span found in ``elements[element_index].text`` (the script line is kept for reports)."""

    element_index: int
    line: int
    span: CulturalSpan


class CulturalMatcher:
    """A compiled matcher over one :class:`Lexicon`; build once, call :meth:`find` often."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lang = lexicon.lang
        self._target: dict[str, tuple[str, str]] = {}  # lowered form -> (term, type)
        for entry in lexicon.entries:
            for form in entry.forms:
                self._target[form.lower()] = (entry.term, entry.type)
        for word in lexicon.generic:
            self._target.setdefault(word.lower(), (word, GENERIC_TYPE))
        for word in lexicon.not_cultural:
            self._target.setdefault(word.lower(), (word, _BLOCKED))
        self._buckets: dict[str, list[str]] = {}  # first two characters -> forms, longest first
        for form in self._target:
            self._buckets.setdefault(form[:2], []).append(form)
        for bucket in self._buckets.values():
            bucket.sort(key=len, reverse=True)
        self._has_single = any(len(form) == 1 for form in self._target)
        firsts = {form[0] for form in self._target}
        other = "".join(sorted(ch for ch in firsts if not _IS_LATIN.match(ch)))
        latin = "".join(sorted(ch for ch in firsts if _IS_LATIN.match(ch)))
        starts = [f"[{re.escape(other)}]"] if other else []
        if latin:  # a Latin form can only start a word
            starts.append(f"(?<![{_LATIN_CHARS}])[{re.escape(latin)}]")
        self._starts = re.compile("|".join(starts) or "(?!)")

    def find(self, text: str) -> list[CulturalSpan]:
        """Cultural spans in ``text``, sorted by start; longest match wins, no overlaps."""
        if not text:
            return []
        folded = _fold(text)
        candidates = {}  # (start, end) -> the lexicon form found there
        for start_match in self._starts.finditer(folded):
            start = start_match.start()
            end, form = self._longest_at(folded, start)
            if end:
                candidates[start, end] = form
        spans = []
        for start, end in _longest_first(list(candidates)):
            term, kind = self._target[candidates[start, end]]
            if kind != _BLOCKED:
                spans.append(CulturalSpan(start=start, end=end, text=text[start:end], term=term,
                                          type=kind, specific=kind != GENERIC_TYPE))
        return spans

    def _longest_at(self, folded: str, start: int) -> tuple[int, str]:
        """End (plural included) and form of the longest form that fits at ``start``, or (0, "")."""
        bucket = self._buckets.get(folded[start:start + 2])
        if self._has_single:
            bucket = (bucket or []) + self._buckets.get(folded[start], [])
        if not bucket:
            return 0, ""
        latin_before = start > 0 and _IS_LATIN.match(folded, start - 1) is not None
        for form in bucket:
            if not folded.startswith(form, start):
                continue
            if latin_before and _IS_LATIN.match(form):
                continue  # "Holi" inside "Aholi": not a word of its own
            end = start + len(form)
            if not _IS_LATIN.match(form[-1]):
                return end, form
            suffixes = (*_SUFFIXES, "") if len(form) >= _MIN_PLURAL_FORM else ("'s", "")
            for suffix in suffixes:
                tail = end + len(suffix)
                if folded.startswith(suffix, end) and not _IS_LATIN.match(folded, tail):
                    return tail, form
        return 0, ""


@lru_cache(maxsize=4)
def get_matcher(lang: str) -> CulturalMatcher:
    """The matcher for a language's shipped lexicon (built once per process)."""
    return CulturalMatcher(load_lexicon(lang))


def find_cultural_spans(text: str, lang: str) -> list[CulturalSpan]:
    """Cultural references in one text (a line of dialogue, an action, a heading)."""
    return get_matcher(lang).find(text)


def find_cultural_spans_in_elements(elements: Iterable[Element], lang: str) -> list[ElementCulturalSpan]:
    """Cultural references in each element's text, in script order."""
    matcher = get_matcher(lang)
    found = []
    for index, element in enumerate(elements):
        for span in matcher.find(element.text):
            found.append(ElementCulturalSpan(element_index=index, line=element.line, span=span))
    return found


def to_spacy_spans(doc, spans: Iterable[CulturalSpan]) -> list:
    """spaCy ``Span`` objects for spans found in ``doc.text`` (expanded to whole tokens), with
    ``span._.resonance_culture_type`` and ``span._.resonance_culture_term`` set."""
    from resonance.preprocess import register_extensions

    register_extensions()
    out = []
    for found in spans:
        span = doc.char_span(found.start, found.end, label=found.type, alignment_mode="expand")
        if span is not None:
            span._.resonance_culture_type = found.type
            span._.resonance_culture_term = found.term
            out.append(span)
    return out


def _fold(text: str) -> str:
    """Lowercase, curly apostrophe to straight, without changing the length (so offsets
    map back to the input)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return lowered.replace("\u2019", "'")


def _longest_first(candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Greedy choice by length then position; returns the kept spans sorted by start."""
    if len(candidates) < 2:
        return candidates
    taken: set[int] = set()
    kept = []
    for start, end in sorted(set(candidates), key=lambda span: (span[0] - span[1], span[0])):
        if not any(position in taken for position in range(start, end)):
            taken.update(range(start, end))
            kept.append((start, end))
    return sorted(kept)
