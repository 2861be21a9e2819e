"""Cue-lexicon beat rules: the rule baseline for the beat classifier and the silver labeller.

Deliberately simple and transparent: a cue word or a position decides the label. The
trained model must beat this on held-out series to earn its place.
"""
from __future__ import annotations

import re

CUES = {
    "revelation": {
        "zh": ("原来", "竟然", "居然", "没想到", "真相", "其实", "才是", "亲生", "身份", "当年"),
        "en": ("turns out", "the truth", "actually", "all along", "real father", "real mother",
               "secret", "i know who", "you're the", "it was you"),
    },
    "reversal": {
        "zh": ("董事长", "跪下", "反转", "不可能", "怎么会", "就在这时", "突然", "竟是"),
        "en": ("suddenly", "impossible", "how is this", "chairman", "ceo", "owner of", "wait—", "what?!"),
    },
    "payoff": {
        "zh": ("打脸", "道歉", "滚出去", "后悔", "你被开除了", "赢了", "成功了"),
        "en": ("apologize", "you're fired", "get out", "we won", "regret", "kneel", "payback"),
    },
    "conflict": {
        "zh": ("滚", "凭什么", "你敢", "不许", "废物", "闭嘴", "还钱", "给我", "警告", "威胁", "休想", "找死"),
        "en": ("how dare", "get out", "shut up", "you will", "or else", "never", "leave", "pay me",
               "i warned", "don't touch", "liar"),
    },
    "exposition": {
        "zh": ("旁白", "起源于", "自古", "相传", "据说", "历史", "年前", "那时候", "从小"),
        "en": ("years ago", "back then", "was founded", "dates back", "since the", "originated",
               "tradition says", "when i was"),
    },
    "calm": {
        "zh": ("笑了", "微笑", "相视", "安心", "谢谢", "放心", "没事"),
        "en": ("smiles", "thank you", "it's okay", "relax", "laughs", "hugs"),
    },
}
_OPEN_END = re.compile(r"[？?!！…]+[”\"']?\s*$|\.\.\.$")
BEAT_ORDER = ("revelation", "reversal", "payoff", "conflict", "exposition", "calm")


def rule_beat(text: str, language: str, index: int, count: int, kind: str) -> str:
    """One label for one line from cues and position."""
    lowered = text.lower()
    if index >= count - 1 and _OPEN_END.search(text):
        return "cliffhanger"
    if kind == "narration" or kind == "caption":
        return "exposition"
    for beat in BEAT_ORDER:
        if any(cue in lowered for cue in CUES[beat]["zh" if language == "zh" else "en"]):
            if index < 3 and beat in ("conflict", "reversal", "revelation"):
                return "hook"
            return beat
    if index < 2 and _OPEN_END.search(text):
        return "hook"
    return "none"
