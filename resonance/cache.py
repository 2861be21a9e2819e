"""Per-episode result cache in SQLite (platformdirs' user cache folder).

What is cached is the expensive part, the model signals of an episode, keyed by the hash of
the episode's content, the language and the versions of the models. Scoring is recomputed
from them (cheap, no torch), so a change of weights or thresholds never serves stale scores.
A corrupt database is moved aside and rebuilt; writes are transactions (atomic).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import asdict
from pathlib import Path

from resonance.types import CulturalMention, Element, Episode, EpisodeSignals, LineSignals

SCHEMA = 3


def default_path() -> Path:
    override = os.environ.get("RESONANCE_CACHE_DIR")
    if override:
        return Path(override) / "results.sqlite3"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("resonance")) / "results.sqlite3"


def episode_key(episode: Episode, language: str, versions: dict[str, str]) -> str:
    payload = json.dumps({"schema": SCHEMA, "language": language, "models": sorted(versions.items()),
                          "episode": [asdict(e) for e in episode.elements]}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()
        self._conn: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError:
                # corrupt file: keep it aside for inspection, start afresh
                self.path.replace(self.path.with_suffix(".corrupt"))
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS signals (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("SELECT count(*) FROM signals").fetchone()
        return conn

    def get(self, key: str, episode: Episode, language: str) -> EpisodeSignals | None:
        try:
            row = self._connect().execute("SELECT value FROM signals WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            self._reset()
            row = None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return signals_from_json(json.loads(row[0]), episode, language)

    def put(self, key: str, signals: EpisodeSignals) -> None:
        value = json.dumps(signals_to_json(signals), ensure_ascii=False)
        try:
            with self._connect() as conn:
                conn.execute("INSERT OR REPLACE INTO signals (key, value) VALUES (?, ?)", (key, value))
        except sqlite3.DatabaseError:
            self._reset()

    def clear(self) -> int:
        conn = self._connect()
        count = conn.execute("SELECT count(*) FROM signals").fetchone()[0]
        with conn:
            conn.execute("DELETE FROM signals")
        conn.execute("VACUUM")
        return count

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _reset(self) -> None:
        self.close()
        if self.path.exists():
            self.path.replace(self.path.with_suffix(".corrupt"))


def signals_to_json(signals: EpisodeSignals) -> list[dict]:
    return [{
        "line": s.element.line,
        "position": s.position, "emotion": s.emotion, "valence": s.valence, "arousal": s.arousal,
        "beat": s.beat, "mentions": [asdict(m) for m in s.mentions], "culture": s.culture,
        "culture_detected": s.culture_detected, "integration": s.integration,
        "bridge": s.bridge, "stakes": list(s.stakes), "words": s.words, "sentences": s.sentences,
    } for s in signals.lines]


def signals_from_json(rows: list[dict], episode: Episode, language: str) -> EpisodeSignals:
    """Rebuild signals against the episode's own elements (same content hash: same elements)."""
    from resonance.analyze import content_elements

    elements: list[Element] = content_elements(episode)
    lines = tuple(LineSignals(
        element=element, position=row["position"], emotion=row["emotion"], valence=row["valence"],
        arousal=row["arousal"], beat=row["beat"],
        mentions=tuple(CulturalMention(**m) for m in row["mentions"]), culture=row["culture"],
        culture_detected=row["culture_detected"], integration=row["integration"],
        bridge=row["bridge"], stakes=tuple(row["stakes"]), words=row["words"], sentences=row["sentences"])
        for element, row in zip(elements, rows))
    return EpisodeSignals(episode=episode, language=language, lines=lines)
