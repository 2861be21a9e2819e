"""Loading the cultural lexicon: ``corpora/lexicons/{zh,en}.jsonl`` plus two small lists.

Files (one folder, see its README.md):

- ``zh.jsonl`` / ``en.jsonl``: one entry a line, ``{"term", "type", "aliases", "note"}``;
  ``type`` is one of :data:`CULTURE_TYPES`.
- ``generic.json``: ``{"zh": [...], "en": [...]}``, words that talk *about* culture without
  naming one (传统, 文化, tradition, heritage). They are matched too, but marked not specific.
- ``not_cultural.json``: ``{"zh": [...], "en": [...]}``, longer everyday words that contain a
  lexicon term (小年轻 contains 小年, 水族馆 contains 水族). The matcher consumes them and
  reports nothing, so they block the false hit.

Every check fails with a :class:`~resonance.errors.ConfigError` naming the file and line.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resonance.errors import ConfigError

CULTURE_TYPES: tuple[str, ...] = (
    "craft_heritage",
    "performing_art",
    "festival_solar_term",
    "custom_rite",
    "cuisine",
    "architecture",
    "history_period",
    "history_figure_event",
    "regional_ethnic",
    "profession_trade",
    "literature_idiom",
    "medicine",
    "music_instrument",
    "religion_belief",
    "clothing_textile",
    "world_culture",
)
GENERIC_TYPE = "generic"
LANGUAGES = ("zh", "en")
LEXICON_DIR_ENV = "RESONANCE_LEXICON_DIR"


@dataclass(frozen=True)
class LexiconEntry:
    term: str
    type: str
    aliases: tuple[str, ...] = ()
    note: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        """Every surface form that names this entry: the term first, then its aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Lexicon:
    lang: str
    entries: tuple[LexiconEntry, ...]
    generic: tuple[str, ...] = ()
    not_cultural: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def count_by_type(self) -> dict[str, int]:
        counts = {name: 0 for name in CULTURE_TYPES}
        for entry in self.entries:
            counts[entry.type] += 1
        return counts


def default_lexicon_dir() -> Path:
    """``$RESONANCE_LEXICON_DIR`` when set, else ``corpora/lexicons`` of this checkout."""
    override = os.environ.get(LEXICON_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "corpora" / "lexicons"


@lru_cache(maxsize=8)
def load_lexicon(lang: str, directory: str | os.PathLike[str] | None = None) -> Lexicon:
    """Read and validate one language's lexicon (cached per language and folder)."""
    if lang not in LANGUAGES:
        raise ConfigError(f"no cultural lexicon for language '{lang}' (expected one of {', '.join(LANGUAGES)})")
    folder = Path(directory) if directory is not None else default_lexicon_dir()
    entries = read_entries(folder / f"{lang}.jsonl")
    generic = _read_word_list(folder / "generic.json", lang)
    not_cultural = _read_word_list(folder / "not_cultural.json", lang)
    _check_generic(entries, generic, folder / "generic.json")
    return Lexicon(lang=lang, entries=tuple(entries), generic=generic, not_cultural=not_cultural)


def read_entries(path: Path) -> list[LexiconEntry]:
    """Parse a ``.jsonl`` lexicon file; rejects unknown types and repeated forms."""
    source = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("cultural lexicon file not found", source) from None
    entries: list[LexiconEntry] = []
    owner: dict[str, str] = {}  # lowercased form -> term that already uses it
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        entry = _parse_row(line, source, number)
        for form in entry.forms:
            key = form.lower()
            if key in owner:
                raise ConfigError(f"'{form}' of '{entry.term}' repeats '{owner[key]}'", source, number)
            owner[key] = entry.term
        entries.append(entry)
    return entries


def _parse_row(line: str, source: str, number: int) -> LexiconEntry:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as err:
        raise ConfigError(f"invalid JSON ({err.msg})", source, number) from None
    if not isinstance(row, dict):
        raise ConfigError("each line must be a JSON object", source, number)
    unknown = set(row) - {"term", "type", "aliases", "note"}
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(sorted(unknown))}", source, number)
    term, kind = row.get("term"), row.get("type")
    aliases, note = row.get("aliases", []), row.get("note")
    if not isinstance(term, str) or not term.strip() or term != term.strip():
        raise ConfigError("'term' must be a non-empty string without outer spaces", source, number)
    if kind not in CULTURE_TYPES:
        raise ConfigError(f"unknown type '{kind}' for '{term}'", source, number)
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() == a and a for a in aliases):
        raise ConfigError(f"'aliases' of '{term}' must be a list of non-empty strings", source, number)
    if note is not None and not isinstance(note, str):
        raise ConfigError(f"'note' of '{term}' must be a string", source, number)
    return LexiconEntry(term=term, type=kind, aliases=tuple(aliases), note=note or None)


def _read_word_list(path: Path, lang: str) -> tuple[str, ...]:
    source = str(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("lexicon word list not found", source) from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"invalid JSON ({err.msg})", source, err.lineno) from None
    words = table.get(lang, []) if isinstance(table, dict) else None
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError(f"'{lang}' must be a list of non-empty strings", source)
    if len({w.lower() for w in words}) != len(words):
        raise ConfigError(f"'{lang}' lists a word twice", source)
    return tuple(words)


def _check_generic(entries: list[LexiconEntry], generic: tuple[str, ...], path: Path) -> None:
    forms = {form.lower() for entry in entries for form in entry.forms}
    clash = sorted(word for word in generic if word.lower() in forms)
    if clash:
        raise ConfigError(f"generic word(s) also in the lexicon: {', '.join(clash)}", str(path))
