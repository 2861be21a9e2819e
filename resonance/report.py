"""The Report: what `score` returns, with a stable JSON contract (schema_version 1)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from resonance.types import DimensionScore, Evidence, Flag

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class EpisodeReport:
    number: int
    title: str | None
    scores: dict[str, float]
    dimensions: dict[str, DimensionScore]
    flags: tuple[Flag, ...]
    evidence: tuple[Evidence, ...]
    line: int = 0
    characters: tuple[tuple[str, int], ...] = ()  # (name, spoken lines), most lines first

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "scores": dict(self.scores),
            "flags": [_flag(f) for f in self.flags],
            "evidence": [_evidence(e) for e in self.evidence],
            "features": {name: dict(dim.features) for name, dim in self.dimensions.items()},
            "characters": [{"name": name, "lines": lines} for name, lines in self.characters],
        }


@dataclass(frozen=True)
class SeriesReport:
    scores: dict[str, float]
    arc: dict[str, list[float]]  # dimension -> per-episode values, in episode order
    weakest: tuple[int, ...]
    paywall: dict

    def to_dict(self) -> dict:
        return {"scores": dict(self.scores), "arc": {k: list(v) for k, v in self.arc.items()},
                "weakest_episodes": list(self.weakest), "paywall": dict(self.paywall)}


@dataclass(frozen=True)
class ScriptReport:
    source: str
    language: str
    format: str
    models: dict[str, str]
    series: SeriesReport
    episodes: tuple[EpisodeReport, ...]
    title: str | None = None

    def to_dict(self) -> dict:
        return {"source": self.source, "language": self.language, "format": self.format,
                "title": self.title, "models": dict(self.models), "series": self.series.to_dict(),
                "episodes": [e.to_dict() for e in self.episodes]}


@dataclass(frozen=True)
class Report:
    scripts: tuple[ScriptReport, ...] = ()
    errors: tuple[dict, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "scripts": [s.to_dict() for s in self.scripts],
                "errors": [dict(e) for e in self.errors]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _flag(flag: Flag) -> dict:
    return {"code": flag.code, "message": flag.message, "line": flag.line}


def _evidence(e: Evidence) -> dict:
    return {"dimension": e.dimension, "episode": e.episode, "line": e.line, "text": e.text,
            "reason": e.reason, "weight": e.weight}
