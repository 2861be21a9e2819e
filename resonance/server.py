"""`resonance serve`: one process that keeps the models loaded, and the client side of it.

A new `resonance score` process pays about 6 s before it scores anything (importing torch,
transformers, spaCy and jieba, loading five models: docs/performance.md). `score --watch` avoids
that for one terminal; the server avoids it for every `resonance score` on the machine, in any
directory, from editors, make files and CI steps alike. While a server listens on its socket,
`resonance score` sends it the parsed options (and the client's working directory, terminal
width and ``RESONANCE_*`` variables) and prints what comes back: the same bytes, the same exit
code, and only the changed episodes cost model time (the result cache serves the rest). Without a
server, or with ``--no-server``, scoring runs in the process as before. The idea is the one of
``dmypy`` and the Gradle daemon.

The protocol is one JSON object each way per connection over a Unix socket in the cache folder
(owner-only permissions). The server handles one request at a time. A server holds ``server.lock``
beside its socket for its whole life, so that two never start for one socket.

An interactive `resonance score` that found no server starts one in the background when it is done
(``start_background``), which exits after ``IDLE_EXIT_S`` without a request: the first run of an
edit session pays the imports, the next ones do not. Never in CI (``$CI`` set), never when
stdout is not a terminal, unless ``RESONANCE_SERVER=auto``; ``RESONANCE_SERVER=off`` or
``--no-server`` turn it off.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import time
from pathlib import Path
from typing import Callable

ENV_PREFIX = "RESONANCE_"
CONNECT_TIMEOUT_S = 0.2
IDLE_EXIT_S = 30 * 60


def default_socket() -> Path:
    """``$RESONANCE_SERVER_SOCKET``, else ``server.sock`` beside the result cache
    (``RESONANCE_CACHE_DIR`` moves both)."""
    override = os.environ.get("RESONANCE_SERVER_SOCKET")
    if override:
        return Path(override)
    from resonance.cache import default_path

    return default_path().parent / "server.sock"


# ----- client -----
def forward(params: dict, socket_path: Path | None = None) -> dict | None:
    """Ask a running server to score; ``None`` when none answers (then score locally).

    ``params`` are the `score` command's options as JSON values (paths absolute)."""
    return _ask({"params": params, "cwd": os.getcwd(), "version": _version(),
                 "env": {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)},
                 "columns": _columns(), "color": _stdout_is_terminal()}, socket_path)


def stop(socket_path: Path | None = None) -> bool:
    """Ask the server on ``socket_path`` to stop; False when none answered."""
    reply = _ask({"stop": True}, socket_path)
    return bool(reply and reply.get("stopped"))


def status(socket_path: Path | None = None) -> dict | None:
    """What the server on ``socket_path`` says of itself (pid, socket, requests answered, seconds
    up, idle limit, version); None when none answers."""
    reply = _ask({"status": True}, socket_path)
    return reply.get("server") if reply else None


def _ask(request: dict, socket_path: Path | None) -> dict | None:
    path = socket_path or default_socket()
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT_S)
            conn.connect(os.fspath(path))
            conn.settimeout(None)  # scoring may take as long as it takes
            conn.sendall(json.dumps(request).encode("utf-8"))
            conn.shutdown(socket.SHUT_WR)
            reply = _read_all(conn)
    except OSError:  # no listener (a stale socket file), refused, reset
        return None
    try:
        answer = json.loads(reply.decode("utf-8"))
    except ValueError:
        return None
    return None if answer.get("mismatch") else answer


def _version() -> str:
    """The package version and the newest modification time of its sources: a server started
    before an upgrade or an edit of the code does not answer for the new code."""
    from resonance import __version__

    newest, folders = 0.0, [Path(__file__).resolve().parent]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    newest = max(newest, entry.stat().st_mtime)
    return f"{__version__}@{newest:.0f}"


def lock_path(socket_path: Path) -> Path:
    return socket_path.with_name(socket_path.name + ".lock")


def _try_lock(path: Path):
    """An open file holding an exclusive lock on ``path``, or None when another process holds it."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def auto_start_wanted(stdout_is_terminal: bool | None = None) -> bool:
    """Whether a `score` that found no server should leave one behind (see the module text)."""
    setting = os.environ.get("RESONANCE_SERVER", "").strip().lower()
    if setting in ("off", "0", "no", "false"):
        return False
    if setting in ("auto", "on", "1", "yes", "true"):
        return True
    terminal = _stdout_is_terminal() if stdout_is_terminal is None else stdout_is_terminal
    return terminal and not os.environ.get("CI")


def start_background(socket_path: Path | None = None, idle_exit_s: int = IDLE_EXIT_S,
                     preload: str = "zh,en") -> bool:
    """Start `resonance serve` detached from this process (its own session, output to
    ``server.log`` beside the socket, the last server's only), unless a server holds the lock;
    True when one was started. ``preload``: the languages whose models it loads at once."""
    import subprocess
    import sys

    path = socket_path or default_socket()
    probe = _try_lock(lock_path(path))
    if probe is None:
        return False  # a server runs, or is loading its models
    probe.close()
    log = open(path.with_name("server.log"), "wb")
    with log:
        subprocess.Popen([sys.executable, "-m", "resonance", "serve", "--socket", os.fspath(path),
                          "--idle-exit", str(idle_exit_s), "--preload", preload],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                         close_fds=True)
    return True


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _stdout_is_terminal() -> bool:
    import sys

    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# ----- server -----
def serve(run: Callable[[dict], int], socket_path: Path | None = None, *,
          prepare: Callable[[], None] = lambda: None, on_ready: Callable[[Path], None] = lambda _: None,
          max_requests: int | None = None, idle_exit_s: float | None = None) -> int:
    """Answer requests until interrupted (or ``max_requests``, or ``idle_exit_s`` seconds without
    one); returns the number answered. ``prepare`` (loading the models) runs once the lock is
    held, so a second server started meanwhile gives up at once instead of loading them too.

    ``run(params)`` scores with the `score` options and returns the exit code; whatever it
    writes to stdout and stderr goes back to the client."""
    path = socket_path or default_socket()
    lock = _try_lock(lock_path(path))
    if lock is None:
        raise RuntimeError(f"a server already runs for {path}")
    with lock:
        prepare()
        return _listen(run, path, on_ready, max_requests, idle_exit_s)


def _listen(run, path: Path, on_ready, max_requests, idle_exit_s) -> int:
    if path.exists():
        if _answers(path):
            raise RuntimeError(f"a server already listens on {path}")
        path.unlink()  # stale: a server that was killed
    answered, started = 0, time.time()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        previous_umask = os.umask(0o177)  # the socket file is the owner's alone
        try:
            listener.bind(os.fspath(path))
        finally:
            os.umask(previous_umask)
        listener.listen(8)
        listener.settimeout(idle_exit_s)
        on_ready(path)
        try:
            while max_requests is None or answered < max_requests:
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    break  # idle for idle_exit_s
                conn.settimeout(None)
                with conn:
                    state = {"pid": os.getpid(), "socket": os.fspath(path), "requests": answered,
                             "up_s": round(time.time() - started), "idle_exit_s": idle_exit_s}
                    reply = _answer(_read_all(conn), run, state)
                    with contextlib.suppress(OSError):  # the client gave up: nothing to tell it
                        conn.sendall(json.dumps(reply, ensure_ascii=False).encode("utf-8"))
                if reply.get("mismatch") or reply.get("stopped"):
                    break  # asked to stop, or stale code: make way for a server of the new version
                if "server" not in reply:  # a status question is not a request
                    answered += 1
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    return answered


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT_S)
        try:
            probe.connect(os.fspath(path))
        except OSError:
            return False
    return True


def _answer(raw: bytes, run: Callable[[dict], int], state: dict | None = None) -> dict:
    """Run one request in the client's directory and environment, capturing its output."""
    try:
        request = json.loads(raw.decode("utf-8"))
        if request.get("stop") is True:
            return {"stopped": True, "stdout": "", "stderr": "", "code": 0}
        if request.get("status") is True:
            return {"server": {**(state or {}), "version": _version()}, "stdout": "", "stderr": "", "code": 0}
        params, cwd = request["params"], request["cwd"]
    except (ValueError, KeyError, TypeError):
        return {"stdout": "", "stderr": "error: the resonance server got a malformed request\n", "code": 2}
    if request.get("version") != _version():  # the package changed under a running server
        return {"mismatch": True, "stdout": "", "stderr": "", "code": 0}
    out, err = io.StringIO(), io.StringIO()
    terminal = {"COLUMNS": str(request.get("columns") or 100)}
    if request.get("color"):
        terminal["FORCE_COLOR"] = "1"
    with _environment({**request.get("env", {}), **terminal}), _directory(cwd), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run(params)
        except SystemExit as exit_:  # typer.Exit is a click exception, handled by run
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception as error:  # noqa: BLE001 - the server must outlive any one request
            print(f"error: the resonance server failed on this request: {error}", file=err)
            code = 1
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}


@contextlib.contextmanager
def _directory(path: str):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """These variables for the request; every ``RESONANCE_*`` the client lacks is unset."""
    saved = {k: os.environ.get(k) for k in set(values) | {k for k in os.environ if k.startswith(ENV_PREFIX)}}
    for key in saved:
        if key.startswith(ENV_PREFIX) and key not in values:
            os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
