"""One config object. Defaults live here; [tool.resonance] in a pyproject.toml or a
resonance.toml overrides them; CLI options override both."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from resonance.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Config:
    weights: dict[str, float] = field(default_factory=lambda: {
        "emotional": 0.35, "cultural": 0.25, "narrative": 0.40})
    paywall_start: int = 8
    paywall_end: int = 12
    max_bytes: int = 20 * 1024 * 1024
    file_timeout_s: float = 300.0
    thresholds: dict[str, float] = field(default_factory=dict)  # for `resonance check`
    models_dir: str | None = None

    def with_overrides(self, **overrides: object) -> "Config":
        known = {f.name for f in fields(self)}
        clean = {k: v for k, v in overrides.items() if v is not None and k in known}
        return replace(self, **clean)


def load_config(start: Path | None = None) -> Config:
    """Find resonance.toml or a pyproject.toml with [tool.resonance], walking up from start."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        own = folder / "resonance.toml"
        if own.is_file():
            return _from_table(_read_toml(own), own)
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _read_toml(project).get("tool", {}).get("resonance")
            if table is not None:
                return _from_table(table, project)
    return Config()


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"invalid TOML: {err}", str(path)) from None


def _from_table(table: dict, path: Path) -> Config:
    known = {f.name for f in fields(Config)}
    table = {k.replace("-", "_"): v for k, v in table.items()}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown [tool.resonance] keys: {', '.join(unknown)}", str(path))
    return Config().with_overrides(**table)


def load_weights(path: Path):
    """A weights file: {"weights": {"emotional": .., "cultural": .., "narrative": ..}} (JSON or TOML),
    or a calibration written by `resonance calibrate` ({"calibration": {...}}).

    Returns ``(weights or None, Calibration or None)``.
    """
    import json

    from resonance.scoring.combine import Calibration

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read weights file: {err.strerror}", source) from None
    try:
        data = tomllib.loads(text) if source.endswith(".toml") else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"invalid weights file: {err}", source) from None
    if "calibration" in data:
        try:
            return None, Calibration(**data["calibration"])
        except TypeError as err:
            raise ConfigError(f"invalid calibration: {err}", source) from None
    weights = data.get("weights", data)
    dims = ("emotional", "cultural", "narrative")
    if not isinstance(weights, dict) or set(weights) - set(dims) or not all(
            isinstance(weights.get(d, 0), (int, float)) and weights.get(d, 0) >= 0 for d in dims):
        raise ConfigError("weights must map emotional/cultural/narrative to non-negative numbers", source)
    if sum(weights.values()) <= 0:
        raise ConfigError("weights must not all be zero", source)
    return {d: float(weights.get(d, 0.0)) for d in dims}, None
