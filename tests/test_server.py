"""`resonance serve`: a process that keeps the models loaded answers `resonance score`."""
from __future__ import annotations

import os
import threading

import pytest
from typer.testing import CliRunner

from resonance import server
from resonance.cli import _score_request, app

runner = CliRunner()


def start(run, path, requests: int = 1) -> threading.Thread:
    ready = threading.Event()
    thread = threading.Thread(target=server.serve, args=(run, path),
                              kwargs={"on_ready": lambda _: ready.set(), "max_requests": requests}, daemon=True)
    thread.start()
    assert ready.wait(10), "the server did not start listening"
    return thread


def test_a_request_runs_in_the_clients_folder_and_returns_its_output_and_code(tmp_path, monkeypatch):
    sock = tmp_path / "s.sock"

    def run(params):
        print(f"{params['word']} from {os.getcwd()}")
        print("a warning", file=__import__("sys").stderr)
        return 3

    thread = start(run, sock)
    elsewhere = tmp_path / "client"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    reply = server.forward({"word": "hello"}, sock)
    thread.join(10)
    assert reply == {"stdout": f"hello from {elsewhere}\n", "stderr": "a warning\n", "code": 3}
    assert not sock.exists(), "the socket file is removed when the server stops"


def test_no_server_or_a_stale_socket_means_score_locally(tmp_path):
    assert server.forward({}, tmp_path / "none.sock") is None
    stale = tmp_path / "stale.sock"
    stale.write_text("")  # what a killed server leaves behind
    assert server.forward({}, stale) is None


def test_a_second_server_on_a_live_socket_is_refused(tmp_path):
    sock = tmp_path / "s.sock"
    thread = start(lambda params: 0, sock)
    with pytest.raises(RuntimeError, match="already"):
        server.serve(lambda params: 0, sock)
    server.forward({}, sock)  # lets the first one finish
    thread.join(10)


def test_score_through_the_server_prints_what_scoring_here_prints(tmp_path, monkeypatch, zh_script_file,
                                                                     stand_in_models):
    import resonance.pipeline

    monkeypatch.setattr(resonance.pipeline, "default_models", lambda config, int8=None: stand_in_models)
    sock = tmp_path / "s.sock"
    monkeypatch.setenv("RESONANCE_SERVER_SOCKET", str(sock))
    here = runner.invoke(app, ["score", str(zh_script_file), "--format", "json", "--no-server"])
    thread = start(_score_request, sock, requests=2)
    calls = stand_in_models.calls
    served = runner.invoke(app, ["score", str(zh_script_file), "--format", "json", "--no-cache"])
    missing = runner.invoke(app, ["score", str(tmp_path / "missing.txt"), "--format", "json"])
    thread.join(10)
    assert stand_in_models.calls > calls, "the server did the scoring"
    assert served.exit_code == here.exit_code == 0
    assert served.stdout == here.stdout
    assert missing.exit_code == 1 and "missing.txt" in missing.stderr


def test_a_server_stops_after_its_idle_time_and_removes_its_socket(tmp_path):
    sock = tmp_path / "s.sock"
    assert server.serve(lambda params: 0, sock, idle_exit_s=0.2) == 0
    assert not sock.exists()


def test_a_server_of_other_code_is_not_used_and_makes_way(tmp_path, monkeypatch):
    sock = tmp_path / "s.sock"
    thread = start(lambda params: 0, sock, requests=5)
    versions = iter(["the client's newer code", "the server's code"])  # client asks first, then server
    monkeypatch.setattr(server, "_version", lambda: next(versions))
    assert server.forward({}, sock) is None, "the client scores locally"
    thread.join(10)
    assert not thread.is_alive() and not sock.exists(), "the stale server stopped"


@pytest.mark.parametrize("env, terminal, wanted", [
    ({}, True, True), ({}, False, False), ({"CI": "true"}, True, False),
    ({"RESONANCE_SERVER": "off"}, True, False), ({"RESONANCE_SERVER": "auto", "CI": "1"}, False, True),
])
def test_a_background_server_is_left_only_for_interactive_runs(monkeypatch, env, terminal, wanted):
    for key in ("CI", "RESONANCE_SERVER"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert server.auto_start_wanted(stdout_is_terminal=terminal) is wanted


def test_a_background_server_starts_once_answers_and_exits_when_idle(tmp_path):
    import time

    sock = tmp_path / "s.sock"
    assert server.start_background(sock, idle_exit_s=4, preload="")
    deadline = time.monotonic() + 30
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sock.exists(), (tmp_path / "server.log").read_text()
    assert not server.start_background(sock, preload=""), "the running server holds the lock"
    reply = server.forward({"paths": [str(tmp_path / "missing.txt")], "format": "json"}, sock)
    assert reply is not None and reply["code"] == 1 and "missing.txt" in reply["stderr"]
    deadline = time.monotonic() + 30
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not sock.exists(), "the idle server stopped"


def test_serve_stop_stops_a_running_server(tmp_path):
    sock = tmp_path / "s.sock"
    thread = start(lambda params: 0, sock, requests=5)
    server.forward({}, sock)
    told = runner.invoke(app, ["serve", "--status", "--socket", str(sock)])
    assert told.exit_code == 0 and f"pid {os.getpid()}" in told.stdout and "1 requests answered" in told.stdout
    result = runner.invoke(app, ["serve", "--stop", "--socket", str(sock)])
    thread.join(10)
    assert result.exit_code == 0 and not thread.is_alive() and not sock.exists()
    again = runner.invoke(app, ["serve", "--stop", "--socket", str(sock)])
    assert again.exit_code == 1 and "no resonance server" in again.stderr
    gone = runner.invoke(app, ["serve", "--status", "--socket", str(sock)])
    assert gone.exit_code == 1 and "no resonance server" in gone.stderr


def test_score_in_a_terminal_leaves_a_server_behind_and_in_ci_does_not(tmp_path, monkeypatch, zh_script_file,
                                                                       stand_in_models):
    import resonance.pipeline

    monkeypatch.setattr(resonance.pipeline, "default_models", lambda config, int8=None: stand_in_models)
    monkeypatch.setenv("RESONANCE_SERVER_SOCKET", str(tmp_path / "s.sock"))
    started, preloads = [], []
    monkeypatch.setattr(server, "start_background",
                        lambda *a, **k: started.append(1) or preloads.append(k.get("preload")) or True)
    monkeypatch.setenv("RESONANCE_SERVER", "auto")
    result = runner.invoke(app, ["score", str(zh_script_file), "--no-cache"])
    assert result.exit_code == 0 and started == [1] and "background" in result.stderr
    assert preloads == ["zh"], "the server loads the models of the language just scored"
    runner.invoke(app, ["score", str(zh_script_file), "--no-cache", "--no-server"])
    monkeypatch.setenv("RESONANCE_SERVER", "off")
    runner.invoke(app, ["score", str(zh_script_file), "--no-cache"])
    assert started == [1]
