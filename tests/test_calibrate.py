"""`resonance calibrate`: outcomes in, a cross-validated linear model out, usable by `score --weights`.

Fast: synthetic features for the fitting, the stand-in models for the command line.
"""
from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resonance.cli import app
from resonance.config import load_weights
from resonance.errors import InputError
from resonance.scoring.calibrate import calibration_json, fit_calibration, read_outcomes

runner = CliRunner()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def outcome_rows(n: int) -> str:
    return "".join(f"show.txt,{i},{0.5 + i / 100}\n" for i in range(1, n + 1))


# ----- reading outcomes --------------------------------------------------------------

def test_outcomes_are_keyed_by_source_and_episode(tmp_path):
    table = read_outcomes(write_csv(tmp_path / "o.csv", "source,episode,outcome,note\n" + outcome_rows(12)))
    assert len(table) == 12
    assert table[("show.txt", 3)] == pytest.approx(0.53)


def test_missing_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "o.csv", "source,episode,rating\n" + outcome_rows(12))
    with pytest.raises(InputError, match="lacks columns: outcome"):
        read_outcomes(path)


def test_fewer_than_ten_episodes_is_refused(tmp_path):
    path = write_csv(tmp_path / "o.csv", "source,episode,outcome\n" + outcome_rows(9))
    with pytest.raises(InputError, match="at least 10 episodes with outcomes, got 9"):
        read_outcomes(path)


@pytest.mark.parametrize("bad_row", ["show.txt,4,high", "show.txt,four,0.7", "show.txt,4,"])
def test_a_bad_number_names_its_line(tmp_path, bad_row):
    rows = outcome_rows(12).splitlines()
    rows[2] = bad_row  # the third data row: line 4 of the file, after the header
    path = write_csv(tmp_path / "o.csv", "source,episode,outcome\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as err:
        read_outcomes(path)
    assert err.value.line == 4
    assert str(err.value).startswith(f"{path}:4:")


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_outcomes(tmp_path / "nope.csv")


# ----- fitting -----------------------------------------------------------------------

def synthetic(n: int = 80, seed: int = 1):
    """Episodes whose outcome is a known function of one feature (the hook), plus noise;
    their length is unrelated to the outcome."""
    rng = random.Random(seed)
    features, outcomes, lengths, overall = [], [], [], []
    for _ in range(n):
        row = {"narrative.hook": rng.random(), "emotional.intensity": rng.random(),
               "cultural.presence": rng.random(), "narrative.minutes": rng.uniform(1, 3),
               "overall": rng.uniform(0, 100)}
        features.append(row)
        outcomes.append(3.0 * row["narrative.hook"] + rng.gauss(0, 0.1))
        lengths.append(row["narrative.minutes"])
        overall.append(row["overall"])
    return features, outcomes, lengths, overall


def test_calibration_finds_the_feature_that_drives_the_outcome():
    features, outcomes, lengths, overall = synthetic()
    calibration = fit_calibration(features, outcomes, lengths=lengths, uncalibrated=overall, folds=5)
    m = calibration.metrics
    assert m["episodes"] == 80 and m["folds"] == 5
    assert m["spearman_cv"] > 0.9
    assert m["spearman_cv"] > m["spearman_length_only"] + 0.5
    assert abs(m["spearman_uncalibrated_overall"]) < 0.4
    assert max(calibration.coefficients, key=lambda k: abs(calibration.coefficients[k])) == "narrative.hook"
    assert "overall" not in calibration.coefficients  # the thing being replaced is not an input
    assert m["warnings"] == []  # a fit that learnt something is not warned about


def test_a_calibration_that_learns_nothing_says_so():
    features, _, lengths, overall = synthetic()
    noise = random.Random(7)
    outcomes = [noise.gauss(0, 1) for _ in features]  # unrelated to every feature
    m = fit_calibration(features, outcomes, lengths=lengths, uncalibrated=overall, folds=5).metrics
    assert m["warnings"], m
    assert any("keep the default weights" in w or "no better than a baseline" in w or "little signal" in w
               for w in m["warnings"])


def test_calibrated_scores_follow_the_outcome_on_a_0_to_100_scale():
    features, outcomes, lengths, overall = synthetic()
    calibration = fit_calibration(features, outcomes, lengths=lengths, uncalibrated=overall)
    scores = [calibration.to_score(f) for f in features]
    assert all(0.0 <= s <= 100.0 for s in scores)
    best, worst = max(range(80), key=outcomes.__getitem__), min(range(80), key=outcomes.__getitem__)
    assert scores[best] > 90 and scores[worst] < 10


def test_the_json_round_trips_through_load_weights(tmp_path):
    features, outcomes, lengths, overall = synthetic()
    calibration = fit_calibration(features, outcomes, lengths=lengths, uncalibrated=overall)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration_json(calibration)), encoding="utf-8")
    weights, loaded = load_weights(path)
    assert weights is None
    assert loaded == calibration
    assert [loaded.predict(f) for f in features] == [calibration.predict(f) for f in features]
    assert [loaded.to_score(f) for f in features] == [calibration.to_score(f) for f in features]


# ----- the command line, with the stand-in models -------------------------------------

def twelve_episodes(tmp_path) -> tuple[Path, list[float]]:
    """Episodes that differ in how many lines shout (what the stand-in's emotion model sees)."""
    lines, outcomes = [], []
    for number in range(1, 13):
        shouts = number % 5
        lines += [f"第{number}集", f"{number}-1 日 内 客厅", "人物：林晚、周母"]
        lines += ["周母：滚出去！"] * shouts + ["林晚：我知道了。"] * (5 - shouts) + ["△门外，一辆车停下。", ""]
        outcomes.append(float(shouts) + number / 100)
    path = tmp_path / "series.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, outcomes


@pytest.fixture
def stand_in(monkeypatch, stand_in_models):
    monkeypatch.setattr("resonance.pipeline.default_models", lambda config, int8=None: stand_in_models)


def test_calibrate_writes_a_file_that_score_accepts(tmp_path, stand_in):
    script, outcomes = twelve_episodes(tmp_path)
    table = "source,episode,outcome\n" + "".join(f"{script},{i},{y}\n" for i, y in enumerate(outcomes, 1))
    outcomes_csv = write_csv(tmp_path / "outcomes.csv", table)
    target = tmp_path / "calibration.json"

    result = runner.invoke(app, ["calibrate", "--outcomes", str(outcomes_csv), "--output", str(target),
                                 "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "12 episodes, 3-fold CV Spearman" in result.stdout
    data = json.loads(target.read_text(encoding="utf-8"))
    assert set(data) == {"calibration"} and data["calibration"]["metrics"]["episodes"] == 12

    scored = runner.invoke(app, ["score", str(script), "--weights", str(target), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    episodes = json.loads(scored.stdout)["scripts"][0]["episodes"]
    overall = [ep["scores"]["overall"] for ep in episodes]
    assert len(overall) == 12 and all(0 <= v <= 100 for v in overall)
    # the episodes that shout most (the best outcomes here) get the highest calibrated overall
    assert overall[3] > overall[4] and overall[8] > overall[9]


def test_calibrate_reports_outcomes_that_match_no_episode(tmp_path, stand_in):
    script, _ = twelve_episodes(tmp_path)
    table = "source,episode,outcome\n" + "".join(f"{script},{i},1.0\n" for i in range(100, 112))
    result = runner.invoke(app, ["calibrate", "--outcomes", str(write_csv(tmp_path / "o.csv", table)),
                                 "--output", str(tmp_path / "c.json")])
    assert result.exit_code == 1
    assert "only 0 scored episodes match the outcomes" in result.output
    assert not (tmp_path / "c.json").exists()


# ----- the Friends transcripts become scripts the plain-text reader reads line for line ----

def friends_module(monkeypatch):
    path = Path(__file__).resolve().parents[1] / "scripts" / "calibrate_friends.py"
    spec = importlib.util.spec_from_file_location("calibrate_friends", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "calibrate_friends", module)  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_a_friends_episode_reads_as_one_episode_with_every_utterance(monkeypatch):
    from resonance.io import read_text

    friends = friends_module(monkeypatch)
    rows = [
        {"speaker": "Scene Directions", "text": "[Scene: Central Perk, the gang is there.]", "scene": 1},
        {"speaker": "Monica Geller", "text": "There's nothing to tell! He's just some guy", "scene": 1},
        {"speaker": "#ALL#", "text": "Oh, yeah.", "scene": 1},
        {"speaker": "Gate Attendant #1", "text": "(to Rachel) Your passport, please?", "scene": 1},
        {"speaker": "Scene Directions", "text": "(They all stare, bemused.)", "scene": 1},
        {"speaker": "", "text": "Hey Phoebe!", "scene": 2},
        {"speaker": "The A.D.", "text": "Places, everyone.", "scene": 2},
    ]
    script = read_text(friends.episode_text("Friends S01E01 The Pilot", rows), source="s01e01.txt", extension=".txt")
    assert script.language == "en" and script.title == "Friends S01E01 The Pilot"
    assert [ep.number for ep in script.episodes] == [1]
    episode = script.episodes[0]
    assert len(episode.scenes) == 2
    spoken = [e for e in episode.elements if e.kind == "dialogue"]
    assert [e.speaker for e in spoken] == ["Monica Geller", "ALL", "Gate Attendant", "Unknown", "The AD"]
    assert spoken[2].text == "Your passport, please?"
    assert [e.text for e in episode.elements if e.kind == "action"] == [
        "Scene: Central Perk, the gang is there.", "They all stare, bemused."]
