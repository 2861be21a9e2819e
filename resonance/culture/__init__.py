"""Cultural references in scripts: a curated lexicon and a fast longest-match matcher.

``find_cultural_spans(text, lang)`` is the entry point; the lexicon files live in
``corpora/lexicons/`` (see its README for the type list and where it comes from).
"""
from __future__ import annotations

from resonance.culture.lexicon import CULTURE_TYPES, GENERIC_TYPE, Lexicon, LexiconEntry, load_lexicon
from resonance.culture.matcher import (
    CulturalMatcher,
    CulturalSpan,
    ElementCulturalSpan,
    find_cultural_spans,
    find_cultural_spans_in_elements,
    get_matcher,
)

__all__ = [
    "CULTURE_TYPES", "GENERIC_TYPE", "Lexicon", "LexiconEntry", "load_lexicon",
    "CulturalMatcher", "CulturalSpan", "ElementCulturalSpan", "find_cultural_spans",
    "find_cultural_spans_in_elements", "get_matcher",
]
