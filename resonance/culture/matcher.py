"""Find cultural references in text: longest match wins, spans never overlap.

Why not spaCy's PhraseMatcher? It matches token sequences, so it only finds a term whose
boundaries agree with the tokenizer's. jieba does not know most heritage vocabulary: it cuts
傩面具 into 傩 / 面具 and glues 学傩戏 into one token in some contexts, so token matching would
miss terms at random. For Chinese the only correct unit is the character.

So both languages are matched on the raw string, case-folded with a length-preserving
lowercase (offsets stay those of the input):

1. every surface form (terms, aliases, generic words and "not cultural" blockers) goes into
   one compiled regular expression, longest alternatives first, so at any start position the
   regex engine (C code, skipping positions whose character starts no form) returns the
   longest form that fits there;
2. forms that start or end with a Latin letter or digit must sit on word boundaries, and may
   carry an English plural or possessive (``lion dances``, ``Diwali's``); CJK forms need no
   boundary;
3. ``finditer`` is leftmost-first, so a longer form starting inside a match would be hidden:
   every position inside each match is probed again, then the candidates are chosen greedily
   by length (then position) so the longest wins and nothing overlaps (川剧变脸 beats 川剧);
4. blockers (小年轻 over 小年) win like any form and are then dropped.

Measured cost is linear in text length: see ``scripts/lexicon_coverage.py --bench``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from resonance.culture.lexicon import GENERIC_TYPE, Lexicon, load_lexicon
from resonance.types import Element

_LATIN = "0-9A-Za-z\u00C0-\u024F"  # letters that glue into one word with their neighbours
_BLOCKED = "__not_cultural__"
_PLURAL = r"(?:'s|es|s)?"


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
        forms = sorted(self._target, key=lambda form: (-len(form), form))
        self._regex = re.compile("|".join(_form_pattern(form) for form in forms))

    def find(self, text: str) -> list[CulturalSpan]:
        """Cultural spans in ``text``, sorted by start; longest match wins, no overlaps."""
        if not text:
            return []
        folded = _fold(text)
        candidates = []
        for match in self._regex.finditer(folded):
            candidates.append(match.span())
            for inner in range(match.start() + 1, match.end()):
                hidden = self._regex.match(folded, inner)
                if hidden and hidden.end() > match.end():
                    candidates.append(hidden.span())
        spans = []
        for start, end in _longest_first(candidates):
            term, kind = self._lookup(folded[start:end])
            if kind != _BLOCKED:
                spans.append(CulturalSpan(start=start, end=end, text=text[start:end], term=term,
                                          type=kind, specific=kind != GENERIC_TYPE))
        return spans

    def _lookup(self, matched: str) -> tuple[str, str]:
        found = self._target.get(matched)
        if found is None:  # an English plural or possessive: strip the suffix that matched
            for suffix in ("'s", "es", "s"):
                if matched.endswith(suffix) and matched[: -len(suffix)] in self._target:
                    return self._target[matched[: -len(suffix)]]
            raise AssertionError(f"matched text {matched!r} has no lexicon form")  # pragma: no cover
        return found


@lru_cache(maxsize=4)
def get_matcher(lang: str) -> CulturalMatcher:
    """The matcher for a language's shipped lexicon (built once per process)."""
    return CulturalMatcher(load_lexicon(lang))


def find_cultural_spans(text: str, lang: str) -> list[CulturalSpan]:
    """Cultural references in one text (a line of dialogue, an action, a heading)."""
    return get_matcher(lang).find(text)


def find_cultural_spans_in_elements(elements: Sequence[Element] | Iterable[Element], lang: str
                                    ) -> list[ElementCulturalSpan]:
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


def _form_pattern(form: str) -> str:
    pattern = re.escape(form)
    if re.match(f"[{_LATIN}]", form[-1]):
        pattern = f"{pattern}{_PLURAL}(?![{_LATIN}])"
    if re.match(f"[{_LATIN}]", form[0]):
        pattern = f"(?<![{_LATIN}]){pattern}"
    return pattern


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
