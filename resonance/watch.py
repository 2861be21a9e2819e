"""Re-score whenever a watched script changes: the screenwriter's edit loop, with the models
loaded once.

A new process pays about 6 s of imports and model loading before it scores anything (see
docs/performance.md); a watching process pays it once, and each save after that costs only the
changed episodes (the result cache serves the rest). Changes are found by polling the size and
modification time of every file under the watched paths (no extra dependency, works on network
drives and in containers where inotify events do not arrive); a change is acted on once it has
stayed the same for one poll, so an editor's save in several writes is scored once.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

Signature = tuple[tuple[str, int, int], ...]


def signature(paths: Iterable[Path]) -> Signature:
    """(path, size, mtime_ns) of every file under ``paths``; a missing path counts as empty."""
    entries = []
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            entries.append((os.fspath(file), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def watch(paths: Sequence[Path], on_change: Callable[[], None], *, interval: float = 0.5,
          max_runs: int | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    """Call ``on_change()`` now, then after every settled change of the files under ``paths``.

    Returns the number of runs when ``max_runs`` is reached; otherwise runs until interrupted
    (KeyboardInterrupt propagates to the caller)."""
    seen = signature(paths)
    on_change()
    runs = 1
    pending: Signature | None = None
    while max_runs is None or runs < max_runs:
        sleep(interval)
        now = signature(paths)
        if now == seen:
            pending = None
            continue
        if now != pending:  # changed since the last poll: wait until it settles
            pending = now
            continue
        seen, pending = now, None
        on_change()
        runs += 1
    return runs
