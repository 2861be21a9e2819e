"""Versioned model names -> model classes.

A model folder's config.json says which name built it (``"name": "emotion.en.v1"``); loading
looks the name up here, so a folder can never be read by code that would interpret it
differently. A changed architecture gets a new name (``emotion.en.v2``) instead of silently
changing what an old folder means. A registered class provides
``from_folder(path, config, tensors) -> model``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from resonance.errors import ModelError

T = TypeVar("T")

_REGISTRY: dict[str, type] = {}
# Modules whose import registers names; imported on the first lookup of an unknown name so that
# importing this module stays cheap. A module that defines a new model class adds itself here.
PROVIDERS = ["resonance.classifiers.model", "resonance.classifiers.fusion", "resonance.classifiers.emotion_zh"]


def register(*names: str) -> Callable[[T], T]:
    """Class decorator: ``@register("emotion.en.v1", "emotion.zh.v1")``."""

    def decorate(cls: T) -> T:
        for name in names:
            existing = _REGISTRY.get(name)
            if existing is not None and existing is not cls:
                raise ValueError(f"model name {name!r} is already registered to {existing.__name__}")
            _REGISTRY[name] = cls
        return cls

    return decorate


def _import_providers() -> None:
    import importlib

    for module in PROVIDERS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:  # a provider that exists but fails to import is a bug
                raise


def get(name: str) -> type:
    """The class registered under ``name``; ModelError for an unknown name."""
    if name not in _REGISTRY:
        _import_providers()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ModelError(f"unknown model name {name!r} (known: {known})") from None


def names() -> list[str]:
    _import_providers()
    return sorted(_REGISTRY)


def load(path: str | Path):
    """Load any model folder: verify it, then build the class its config names."""
    from resonance.classifiers.folder import load_model_folder

    config, tensors = load_model_folder(path)
    name = config.get("name")
    if not isinstance(name, str):
        raise ModelError("config.json has no model 'name'", source=str(path))
    model = get(name).from_folder(Path(path), config, tensors)
    model.folder_config = config  # the whole config.json as loaded (settings beyond the weights)
    return model
