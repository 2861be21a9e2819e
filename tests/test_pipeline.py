"""The pipeline's mechanics with a stand-in for the models: contract, determinism, cache."""
from __future__ import annotations

import json
from pathlib import Path

from resonance.cache import ResultCache
from resonance.config import Config
from resonance.io import read_script
from resonance.pipeline import score_paths, score_script


def test_report_follows_the_json_contract(zh_script_file, stand_in_models):
    report = score_paths([zh_script_file], config=Config(), models=stand_in_models)
    data = json.loads(report.to_json())
    assert data["schema_version"] == 1
    script = data["scripts"][0]
    assert {"source", "language", "models", "series", "episodes"} <= set(script)
    assert set(script["series"]["scores"]) == {"emotional", "cultural", "narrative", "overall"}
    assert [e["number"] for e in script["episodes"]] == [1, 2]
    for episode in script["episodes"]:
        assert {"number", "title", "scores", "flags", "evidence"} <= set(episode)
        assert all(0 <= v <= 100 for v in episode["scores"].values())
        for flag in episode["flags"]:
            assert {"code", "message"} <= set(flag)
        for ev in episode["evidence"]:
            assert {"dimension", "episode", "line", "text", "reason"} <= set(ev)
    assert data["errors"] == []


def test_same_input_gives_the_same_bytes(zh_script_file, stand_in_models):
    first = score_paths([zh_script_file], config=Config(), models=stand_in_models).to_json()
    second = score_paths([zh_script_file], config=Config(), models=stand_in_models).to_json()
    assert first == second


def test_bad_file_is_listed_and_the_good_one_still_scored(tmp_path, zh_script_file, stand_in_models):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    report = score_paths([empty, zh_script_file], config=Config(), models=stand_in_models)
    assert len(report.scripts) == 1
    assert report.errors[0]["source"] == str(empty)
    assert "empty" in report.errors[0]["message"]


def test_cache_answers_unchanged_episodes_and_recomputes_changed_ones(tmp_path, zh_script_file, stand_in_models):
    cache = ResultCache(tmp_path / "c.sqlite3")
    script = read_script(zh_script_file)
    cold = score_script(script, stand_in_models, Config(), cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
    calls = stand_in_models.calls
    warm = score_script(script, stand_in_models, Config(), cache=cache)
    assert stand_in_models.calls == calls, "an unchanged script must not reach the models"
    assert warm.to_dict() == cold.to_dict()
    zh_script_file.write_text(zh_script_file.read_text(encoding="utf-8").replace("你认错人了", "我不认识你"),
                              encoding="utf-8")
    cache.hits = cache.misses = 0
    score_script(read_script(zh_script_file), stand_in_models, Config(), cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)


def test_corrupt_cache_is_rebuilt_not_a_crash(tmp_path, zh_script_file, stand_in_models):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = ResultCache(path)
    report = score_script(read_script(zh_script_file), stand_in_models, Config(), cache=cache)
    assert len(report.episodes) == 2
    assert cache.misses == 2


def test_weights_change_the_overall_but_not_the_dimensions(zh_script_file, stand_in_models):
    script = read_script(zh_script_file)
    a = score_script(script, stand_in_models, Config(weights={"emotional": 1, "cultural": 0, "narrative": 0}))
    b = score_script(script, stand_in_models, Config(weights={"emotional": 0, "cultural": 0, "narrative": 1}))
    for ea, eb in zip(a.episodes, b.episodes):
        assert ea.scores["emotional"] == eb.scores["emotional"]
        assert ea.scores["overall"] == ea.scores["emotional"]
        assert eb.scores["overall"] == eb.scores["narrative"]


AWL_EPISODE = """第1集 篮子
1-1 日 内 老屋
人物：阿婆、小满
△阿婆用锥子把草一圈圈缝进篮底，手指全是裂口。
小满：阿婆，这篮子卖不出去的。
阿婆：卖不出去也要编完，你妈小时候就睡在这样的篮子里。
△小满接过锥子，学着阿婆的样子扎下第一针。
"""


def test_a_cultural_detail_the_lexicon_misses_counts_once_the_culture_head_finds_it(tmp_path, stand_in_models):
    path = tmp_path / "awl.txt"
    path.write_text(AWL_EPISODE, encoding="utf-8")
    found = score_paths([path], config=Config(), models=stand_in_models).to_dict()["scripts"][0]["episodes"][0]
    finds = stand_in_models.narrative
    stand_in_models.narrative = lambda *args: [(beat, 0.1, False) for beat, _, _ in finds(*args)]
    missed = score_paths([path], config=Config(), models=stand_in_models).to_dict()["scripts"][0]["episodes"][0]
    assert missed["scores"]["cultural"] == 0
    assert found["scores"]["cultural"] > 0
    reasons = [e["reason"] for e in found["evidence"] if e["dimension"] == "cultural"]
    assert reasons and all("no lexicon term" in r for r in reasons)


def test_a_new_culture_threshold_is_a_new_model_version(tmp_path):
    """Cached results made with another threshold must not be served: it is part of the version."""
    from resonance.classifiers.bundle import ShippedModels

    def versions(threshold):
        for task in ("emotion", "narrative", "cultural"):
            folder = tmp_path / f"{task}-en"
            folder.mkdir(exist_ok=True)
            config = {"name": f"{task}.en.v1", "weights_sha256": "ab" * 32}
            if task == "narrative":
                config["culture_threshold"] = threshold
            (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        return ShippedModels(tmp_path, int8=False).versions_for("en")

    assert versions(0.45) != versions(0.6) != versions(None)
    assert versions(0.45)["emotion.en.v1"] == versions(None)["emotion.en.v1"]


def test_an_edited_culture_threshold_applies_in_a_running_process(tmp_path):
    """A process that keeps its models loaded (score --watch, resonance serve) must apply a
    threshold edited in config.json at once, as it applies new weights."""
    import shutil

    from resonance.classifiers.bundle import ShippedModels

    folder = tmp_path / "narrative-en"
    shutil.copytree(Path(__file__).resolve().parents[1] / "models" / "narrative-en", folder)
    texts = ["She lights incense before the ancestral tablets.", "He checks his phone."]
    places = [(0, 2, "dialogue"), (1, 2, "dialogue")]

    def detected(threshold):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        config["culture_threshold"] = threshold
        (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        return [found for _, _, found in ShippedModels(tmp_path, int8=False).narrative("en", texts, [(), ()], places)]

    assert detected(0.0) == [True, True]
    assert detected(None) == [False, False]
    assert detected(0.0) == [True, True]
