"""`resonance score --watch`: re-score after each settled save, in one process."""
from __future__ import annotations

import json

from typer.testing import CliRunner

import resonance.watch as watching
from resonance.cli import app

runner = CliRunner()


def scripted_sleep(path, edits: dict[int, str]):
    """A sleep that writes ``edits[n]`` into ``path`` at the n-th poll (1-based)."""
    polls = {"n": 0}

    def sleep(_seconds: float) -> None:
        polls["n"] += 1
        if polls["n"] in edits:
            path.write_text(edits[polls["n"]], encoding="utf-8")
    return sleep, polls


def test_a_save_is_scored_once_after_it_settles(tmp_path):
    script = tmp_path / "ep.txt"
    script.write_text("第1集\n甲：一。\n", encoding="utf-8")
    # poll 2 writes half a save, poll 3 the rest; polls 4 and 5 see nothing new
    sleep, polls = scripted_sleep(script, {2: "第1集\n甲：一。\n乙", 3: "第1集\n甲：一。\n乙：二。\n"})
    seen = []
    runs = watching.watch([script], lambda: seen.append(script.read_text(encoding="utf-8")),
                          max_runs=2, sleep=sleep)
    assert runs == 2
    assert seen == ["第1集\n甲：一。\n", "第1集\n甲：一。\n乙：二。\n"]  # never the half-written file
    assert polls["n"] == 4  # the change at poll 3 was acted on once it was the same at poll 4


def test_a_new_file_in_a_watched_folder_is_a_change(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / "ep01.txt").write_text("甲：一。\n", encoding="utf-8")
    before = watching.signature([folder])
    (folder / "ep02.txt").write_text("甲：二。\n", encoding="utf-8")
    assert watching.signature([folder]) != before
    assert watching.signature([tmp_path / "missing.txt"]) == ()


def test_score_watch_rescores_the_edited_script(tmp_path, monkeypatch, stand_in_models):
    monkeypatch.setattr("resonance.pipeline.default_models", lambda config, int8=None: stand_in_models)
    monkeypatch.setenv("RESONANCE_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "series.txt"
    script.write_text("第1集\n△门开了。\n林晚：你来了。\n", encoding="utf-8")
    sleep, _ = scripted_sleep(script, {1: "第1集\n△门开了。\n林晚：你来了。\n第2集\n周母：滚出去！\n"})
    real_watch = watching.watch
    monkeypatch.setattr(watching, "watch", lambda paths, run: real_watch(paths, run, max_runs=2, sleep=sleep))

    result = runner.invoke(app, ["score", str(script), "--watch", "--format", "json"])
    assert result.exit_code == 0, result.output
    decoder, text, reports = json.JSONDecoder(), result.stdout, []
    while text.strip():
        report, end = decoder.raw_decode(text.lstrip())
        reports.append(report)
        text = text.lstrip()[end:]
    assert [len(r["scripts"][0]["episodes"]) for r in reports] == [1, 2]
    assert "watching 1 path(s)" in result.stderr


def test_watch_refuses_engines_and_formats_it_cannot_serve(tmp_path):
    script = tmp_path / "ep.txt"
    script.write_text("甲：一。\n", encoding="utf-8")
    for extra in (["--engine", "ray"], ["--format", "jsonl"]):
        result = runner.invoke(app, ["score", str(script), "--watch", *extra])
        assert result.exit_code == 2
        assert "--watch runs the local engine" in result.stderr
