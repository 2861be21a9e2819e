"""Fuzz every reader for a time budget: python scripts/fuzz_readers.py --minutes 10

Uses the generators of tests/test_readers_property.py (script-shaped text, mixed encodings,
built and then damaged .fdx/.docx/.pdf files) with hypothesis, for many more examples. A
*crash* is any exception that is not a ResonanceError, a broken invariant (a line number
outside the input), or an input that takes longer than --hang-seconds. Each distinct crash
(same exception type and place) is saved once under --out with its traceback; the run
prints how many inputs each reader was given, how many parsed, how many were refused with
a ResonanceError, and how many crashed. Exit status: 1 when anything crashed.
"""
from __future__ import annotations

import argparse
import hashlib
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_readers_property as gen  # noqa: E402
from resonance.errors import ResonanceError  # noqa: E402
from resonance.io import en_text, fountain, zh_text  # noqa: E402

LONG_LINE = 50_000  # units of up to 5 characters: lines up to ~250k characters, parsed in seconds
TEXT = gen.script_text(max_pieces=200, long_line=LONG_LINE)
TARGETS = {
    "zh_text.parse": (TEXT, lambda text: gen.check_text_reader(zh_text, text)),
    "fountain.parse": (TEXT, lambda text: gen.check_text_reader(fountain, text)),
    "en_text.parse": (TEXT, lambda text: gen.check_text_reader(en_text, text)),
    "read_text": (st.tuples(TEXT, st.sampled_from(["", ".txt", ".fountain"])),
                  lambda pair: gen.check_read_text(*pair)),
    "decode+read_text": (gen.text_bytes(), gen.check_decode),
    "fdx.parse_bytes": (gen.fdx_bytes(), gen.check_fdx),
    "docx.parse_bytes": (gen.docx_bytes(), gen.check_docx),
    "pdf.parse_bytes": (gen.pdf_bytes(), gen.check_pdf),
}
ROUND = 100  # examples per hypothesis run; targets take turns until the budget is spent


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no reader's `except Exception` eats it."""


def _on_alarm(signum, frame):
    raise Hang()


class Fuzzer:
    def __init__(self, out: Path, hang_seconds: float):
        self.out = out
        self.hang_seconds = hang_seconds
        self.tried: Counter[str] = Counter()
        self.outcomes: dict[str, Counter[str]] = {name: Counter() for name in TARGETS}
        self.crashes: dict[tuple[str, str], int] = {}

    def run_one(self, name: str, check, value) -> None:
        self.tried[name] += 1
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.hang_seconds)
        try:
            outcome = check(value)
        except Hang:
            outcome = "hang"
            self.record(name, value, "hang", f"no result after {self.hang_seconds:g} s")
        except ResonanceError:
            outcome = "refused"  # raised outside a check's own try (a helper): still a clean refusal
        except AssertionError:
            outcome = "crash"
            self.record(name, value, "invariant", traceback.format_exc())
        except Exception as err:  # the point of fuzzing: anything else is a bug
            outcome = "crash"
            self.record(name, value, type(err).__name__, traceback.format_exc())
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - started
        if outcome != "hang" and elapsed > self.hang_seconds:
            outcome = "hang"
            self.record(name, value, "slow", f"took {elapsed:.1f} s")
        self.outcomes[name][outcome] += 1

    def record(self, name: str, value, kind: str, details: str) -> None:
        where = _last_frame(details) if kind not in ("hang", "slow") else ""
        key = (name, f"{kind} {where}")
        self.crashes[key] = self.crashes.get(key, 0) + 1
        if self.crashes[key] > 1:
            return
        if isinstance(value, tuple):  # (text, extension) for read_text
            value, extension = value
            details = f"extension={extension!r}\n{details}"
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        digest = hashlib.sha1(data).hexdigest()[:12]
        folder = self.out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{kind}-{digest}.bin").write_bytes(data)
        (folder / f"{kind}-{digest}.txt").write_text(f"{name}: {kind} {where}\n\n{details}", encoding="utf-8")
        print(f"CRASH {name}: {kind} {where} -> {folder / (kind + '-' + digest)}.bin", flush=True)

    def round(self, name: str) -> None:
        strategy, check = TARGETS[name]

        @settings(max_examples=ROUND, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def one_round(value):
            self.run_one(name, check, value)

        one_round()


def _last_frame(details: str) -> str:
    frames = [line.strip() for line in details.splitlines() if line.strip().startswith("File ")]
    return frames[-1].split(", in ")[0].replace('File "', "").replace('", line ', ":") if frames else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hang-seconds", type=float, default=10.0, help="an input slower than this is a hang")
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"), help="where crashing inputs go")
    parser.add_argument("--only", nargs="*", choices=sorted(TARGETS), help="fuzz only these readers")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _on_alarm)
    fuzzer = Fuzzer(args.out, args.hang_seconds)
    names = args.only or list(TARGETS)
    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    while time.monotonic() < deadline:
        for name in names:
            if time.monotonic() >= deadline:
                break
            fuzzer.round(name)
        print(f"[{(time.monotonic() - started) / 60:.1f} min] "
              + ", ".join(f"{n} {fuzzer.tried[n]}" for n in names), flush=True)
    print(f"\n{'reader':<20}{'inputs':>9}{'parsed':>9}{'refused':>9}{'crashes':>9}{'hangs':>7}")
    for name in names:
        o = fuzzer.outcomes[name]
        print(f"{name:<20}{fuzzer.tried[name]:>9}{o['parsed']:>9}{o['refused']:>9}"
              f"{o['crash']:>9}{o['hang']:>7}")
    print(f"total inputs: {sum(fuzzer.tried.values())}; distinct crashes: {len(fuzzer.crashes)}")
    for (name, what), count in sorted(fuzzer.crashes.items()):
        print(f"  {name}: {what} (x{count})")
    return 1 if fuzzer.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
