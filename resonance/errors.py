"""Typed exceptions. The library raises these; only the CLI prints and exits."""
from __future__ import annotations


class ResonanceError(Exception):
    """Base class: ``str(err)`` is one line meant for the user."""

    def __init__(self, message: str, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        return f"{where}{self.message}"


class InputError(ResonanceError):
    """The file cannot be read as a script (missing, empty, binary, too large...)."""


class ParseError(InputError):
    """The file was read but its content is not a script we understand."""


class UnsupportedFormatError(InputError):
    """Unknown extension or content."""


class ModelError(ResonanceError):
    """A model folder is missing, unsafe, or does not match its config."""


class ConfigError(ResonanceError):
    """A configuration file or option is invalid."""
