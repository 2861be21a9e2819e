"""A folder of episode files (ep1.txt, ep2.txt … ep10.txt; 第1集.txt …) read as one Script.

Files are taken in natural order (ep2 before ep10). A file is one episode numbered from
the digits in its name, unless it carries its own episode markers (第3集, EPISODE 3),
which then win. Hidden files, sub-folders and non-script files are skipped.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from resonance.errors import InputError
from resonance.types import Episode, Script

_NOT_EPISODES = {"readme", "license", "licence", "copying", "notes", "changelog"}
_DIGITS = re.compile(r"\d+")


def read_folder(path: str | os.PathLike[str], *, max_bytes: int) -> Script:
    """Read every script file in ``path`` (not its sub-folders) as the episodes of one series."""
    from resonance.io import natural_key, read_script
    from resonance.io.language import detect_language

    folder = Path(path)
    source = str(folder)
    files = episode_files(folder)
    if not files:
        raise InputError("no script files in this folder (.txt, .fountain, .fdx, .docx, .pdf)", source)
    episodes: list[Episode] = []
    encodings: Counter[str] = Counter()
    titles = []
    for index, file in enumerate(sorted(files, key=lambda f: natural_key(f.name)), start=1):
        script = read_script(file, max_bytes=max_bytes)
        encodings[script.encoding] += 1
        if script.title:
            titles.append(script.title)
        episodes.extend(_numbered(script, _file_number(file, index)))
    sample = " ".join(e.text for ep in episodes for e in ep.elements[:200])[:50_000]
    return Script(source=source, format="folder", encoding=encodings.most_common(1)[0][0],
                  language=detect_language(sample), episodes=tuple(episodes),
                  title=titles[0] if titles else folder.name, metadata={"files": str(len(files))})


def episode_files(folder: Path) -> list[Path]:
    """Script files directly in ``folder``; a symlink loop or unreadable entry is an error."""
    from resonance.io import SCRIPT_EXTENSIONS

    try:
        entries = list(folder.iterdir())
    except OSError as err:
        raise InputError(f"cannot read folder: {err.strerror}", str(folder)) from None
    files = []
    for entry in entries:
        name = entry.name
        if name.startswith(".") or Path(name).stem.lower() in _NOT_EPISODES:
            continue
        suffix = entry.suffix.lower()
        if not suffix or suffix not in SCRIPT_EXTENSIONS:
            continue
        if entry.is_symlink():
            try:
                entry.resolve(strict=True)
            except (OSError, RuntimeError):
                raise InputError("broken symlink or symlink loop", str(entry)) from None
        if entry.is_dir():
            continue
        if not os.access(entry, os.R_OK):
            raise InputError("cannot read: permission denied", str(entry))
        files.append(entry)
    return files


def _file_number(file: Path, position: int) -> int:
    """ep10.txt -> 10, 第3集.txt -> 3 (the last number in the name), else the position."""
    numbers = _DIGITS.findall(file.stem)
    if numbers:
        return int(numbers[-1])
    from resonance.io.numerals import try_chinese_to_int

    match = re.search(r"第(.+?)[集话回]", file.stem)
    number = try_chinese_to_int(match.group(1)) if match else None
    return number if number is not None else position


def _numbered(script: Script, file_number: int) -> tuple[Episode, ...]:
    episodes = script.episodes
    if len(episodes) == 1 and episodes[0].number == 1 and episodes[0].title is None:
        # no episode marker of its own (a reader numbers an unmarked file 1)
        return (replace(episodes[0], number=file_number),)
    return episodes
