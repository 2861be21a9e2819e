"""resonance: score drama scripts on emotional, cultural and narrative resonance.

The public API is imported lazily so that ``import resonance`` stays light
(no torch, transformers or spaCy until a model is actually needed).
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "parse", "score"]


def parse(path_or_text, **kwargs):
    """Parse a path (file or folder) or a script text into a :class:`resonance.types.Script`."""
    import os

    from resonance.io import read_script, read_text

    if isinstance(path_or_text, os.PathLike) or (
            isinstance(path_or_text, str) and "\n" not in path_or_text and os.path.exists(path_or_text)):
        return read_script(path_or_text, **kwargs)
    return read_text(path_or_text, **kwargs)


def score(path_or_text, **kwargs):
    """Score a script; returns a :class:`resonance.report.Report` (see ``to_dict`` / ``to_json``)."""
    from resonance.pipeline import score as _score

    return _score(path_or_text, **kwargs)
