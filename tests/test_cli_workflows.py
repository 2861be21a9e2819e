"""The workflows a user runs from the shell, with a stand-in for the models (fast, no torch)."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from resonance.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _stand_in(monkeypatch, stand_in_models):
    monkeypatch.setattr("resonance.pipeline.default_models", lambda config, int8=None: stand_in_models)


def test_json_output_is_the_report(zh_script_file):
    result = runner.invoke(app, ["score", str(zh_script_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scripts"][0]["language"] == "zh"
    assert len(data["scripts"][0]["episodes"]) == 2


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "markdown", "html"])
def test_every_format_renders_every_episode(zh_script_file, fmt):
    result = runner.invoke(app, ["score", str(zh_script_file), "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
        assert len(rows) == 1 and len(rows[0]["episodes"]) == 2
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["episode"] for r in rows] == ["1", "2"]
        assert all(0 <= float(r["overall"]) <= 100 for r in rows)
    elif fmt == "markdown":
        assert out.count("\n| 1 |") + out.count("\n| 2 |") == 2
    else:
        assert out.lstrip().startswith("<!doctype html>") and "<svg" in out and "http" not in out.split("<body>")[1]


def test_output_file_is_written(tmp_path, zh_script_file):
    target = tmp_path / "out" / "report.json"
    result = runner.invoke(app, ["score", str(zh_script_file), "-f", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1


def test_unknown_format_is_a_usage_error(zh_script_file):
    result = runner.invoke(app, ["score", str(zh_script_file), "--format", "pdf"])
    assert result.exit_code == 2


def test_check_passes_fails_and_writes_junit(tmp_path, zh_script_file):
    ok = runner.invoke(app, ["check", str(zh_script_file), "--min-episode", "0"])
    assert ok.exit_code == 0, ok.output
    junit = tmp_path / "junit.xml"
    bad = runner.invoke(app, ["check", str(zh_script_file), "--min-episode", "100", "--junit", str(junit)])
    assert bad.exit_code == 1
    assert "FAIL" in bad.stdout
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert [c.get("name") for c in cases] == ["episode 1", "episode 2"]
    assert all(c.find("failure") is not None for c in cases)


def test_check_without_thresholds_or_with_nonsense_is_a_usage_error(zh_script_file):
    assert runner.invoke(app, ["check", str(zh_script_file)]).exit_code == 2
    assert runner.invoke(app, ["check", str(zh_script_file), "--min-overall", "140"]).exit_code == 2


def test_check_reads_thresholds_from_pyproject(tmp_path, zh_script_file, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.resonance.thresholds]\nmin_episode = 100\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["check", str(zh_script_file)]).exit_code == 1


def test_diff_aligns_episodes_and_shows_deltas(tmp_path, zh_script_file):
    new = tmp_path / "draft2.txt"
    text = zh_script_file.read_text(encoding="utf-8")
    new.write_text(text + "\n第3集 新的一集\n3-1 日 内 办公室\n林晚：谁敢动我妈！\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(zh_script_file), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    numbers = [e["number"] for e in data["episodes"]]
    assert numbers == [1, 2, 3]
    assert data["episodes"][2]["old"] is None
    assert data["episodes"][0]["delta"]["overall"] == 0.0


def test_triage_ranks_and_lists_the_corrupt_file(tmp_path, zh_script_file):
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "a_strong.txt").write_text(zh_script_file.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b_flat.txt").write_text("第1集 平\n1-1 日 内 家\n△他坐着。\n张三：今天天气不错。\n李四：是的。\n",
                                       encoding="utf-8")
    (folder / "c_broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    out_csv = tmp_path / "ranking.csv"
    result = runner.invoke(app, ["triage", str(folder), "--format", "json", "--csv", str(out_csv)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [r["rank"] for r in data["ranking"]] == [1, 2]
    overall = [r["overall"] for r in data["ranking"]]
    assert overall == sorted(overall, reverse=True)
    assert data["errors"][0]["source"].endswith("c_broken.txt")
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert len(rows) == 2 and all(r["summary"] for r in rows)


def test_second_run_is_served_from_the_cache(zh_script_file, stand_in_models):
    runner.invoke(app, ["score", str(zh_script_file), "-f", "json"])
    calls = stand_in_models.calls
    again = runner.invoke(app, ["score", str(zh_script_file), "-f", "json"])
    assert again.exit_code == 0
    assert stand_in_models.calls == calls
    nocache = runner.invoke(app, ["score", str(zh_script_file), "-f", "json", "--no-cache"])
    assert nocache.exit_code == 0 and stand_in_models.calls > calls


def test_cache_clear(zh_script_file):
    runner.invoke(app, ["score", str(zh_script_file), "-f", "json"])
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0 and "cleared 2" in result.stdout


def test_jsonl_streams_one_line_per_script_as_it_is_scored(tmp_path, zh_script_file, monkeypatch):
    import resonance.pipeline as pipeline

    out = tmp_path / "results.jsonl"
    seen_before_second = []
    original = pipeline.score_script

    def spy(script, *args, **kwargs):
        if out.exists():
            seen_before_second.append(out.read_text(encoding="utf-8").count("\n"))
        return original(script, *args, **kwargs)

    monkeypatch.setattr(pipeline, "score_script", spy)
    second = tmp_path / "second.txt"
    second.write_text(zh_script_file.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"")
    result = runner.invoke(app, ["score", str(zh_script_file), str(broken), str(second), "-f", "jsonl", "-o", str(out)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [("error" in row) for row in lines] == [False, False, True]
    assert seen_before_second and seen_before_second[-1] == 1, "the first result is on disk before the next file"
