"""A per-file time limit for batch runs, so one pathological file cannot stall a night's triage.

Uses SIGALRM (POSIX, main thread): the work is interrupted with a TimeLimitError, the file
is reported, and the batch goes on. Elsewhere (Windows, worker threads) the limit is not
enforced and the work simply runs to completion.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from resonance.errors import InputError


class TimeLimitError(InputError):
    """A file took longer than the per-file time limit."""


@contextmanager
def time_limit(seconds: float | None, source: str) -> Iterator[None]:
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _expired(signum, frame):
        if _importing(frame):
            # an import cut off half-way can leave a C extension (numpy, spaCy) half-initialised,
            # and the next file's import of it then crashes the process: wait for it to finish
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        # fire again soon: library code with `except Exception` (jieba's dictionary loading)
        # may swallow this one; leaving the `with` block disarms the timer
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        raise TimeLimitError(f"took longer than the {seconds:g} s per-file limit (see --file-timeout)", source)

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _importing(frame) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False
