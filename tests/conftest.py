"""Shared fixtures: small scripts written for the tests, and a tiny stand-in for the models
(for tests of the pipeline's mechanics: formats, cache, exit codes). Tests of what the
scores mean use the shipped models instead."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ZH_TWO_EPISODES = """第1集 红酒
1-1 日 内 宴会厅
人物：林晚、周母
△一杯红酒泼在林晚的婚纱上。
周母（冷笑）：三万块？你拿什么还？
林晚：我会还的，一分不少。
周母：滚出去！
林晚（OS）：这一次，我不会再低头。
△门外，一辆黑色轿车停下。

第2集 回来
2-1 夜 外 天台
人物：林晚、秦叔
秦叔：大小姐，老爷子等了您二十三年。
林晚：你认错人了。
△秦叔递上一枚旧玉佩。
林晚：原来……我妈当年没有骗我？
"""


class StandInModels:
    """Deterministic, torch-free signals from the cue rules; counts calls for cache tests."""

    def __init__(self):
        self.calls = 0

    def versions_for(self, language):
        return {"stand-in": "test"}

    def emotion(self, language, texts, contexts, scenes):
        self.calls += 1
        out = []
        for text in texts:
            strong = any(c in text for c in "！!？?滚")
            p = 0.7 if strong else 0.1
            out.append({"anger": p, "disgust": 0.0, "fear": 0.0, "joy": 0.0, "sadness": 0.0,
                        "surprise": 0.0, "neutral": 1 - p})
        return out

    def valence_arousal(self, language, emotion):
        return -0.6 * emotion["anger"], 0.8 * emotion["anger"]

    def narrative(self, language, texts, contexts, places):
        from resonance.classifiers.beat_rules import rule_beat
        from resonance.types import BEATS

        out = []
        for text, (index, count, kind) in zip(texts, places):
            label = rule_beat(text, language, index, count, kind)
            beat = {b: (0.9 if b == label else 0.1 / (len(BEATS) - 1)) for b in BEATS}
            out.append((beat, 0.9, True) if "锥子" in text else (beat, 0.1, False))
        return out

    def mentions(self, language, text):
        from resonance.types import CulturalMention

        return tuple(CulturalMention(text=t, term=t, type="craft_heritage", specific=True)
                     for t in ("傩戏", "玉佩") if t in text)

    def integration(self, language, texts, contexts, kinds):
        return [({"embodied": 0.6, "expository": 0.2, "decorative": 0.2}, 0.3) for _ in texts]


@pytest.fixture
def stand_in_models():
    return StandInModels()


@pytest.fixture
def zh_script_file(tmp_path):
    path = tmp_path / "two_episodes.txt"
    path.write_text(ZH_TWO_EPISODES, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RESONANCE_CACHE_DIR", str(tmp_path / "cache"))
