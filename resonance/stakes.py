"""Real-life stakes a viewer recognises (family, money, illness, work, dignity, love).

A small hand-written cue list: it names *what is at stake* in a line, while the emotion
model says how strongly it is felt. Matching is plain substring search (Chinese) or
word-prefix search (English), cheap enough to run on every line.
"""
from __future__ import annotations

import re
from functools import lru_cache

STAKES: dict[str, dict[str, tuple[str, ...]]] = {
    "family": {
        "zh": ("妈", "爸", "母亲", "父亲", "儿子", "女儿", "奶奶", "爷爷", "外婆", "姥姥", "孩子", "家里", "一家",
               "哥哥", "姐姐", "弟弟", "妹妹", "婆婆", "老公", "老婆", "丈夫", "妻子", "亲生", "认亲", "年夜饭", "回家"),
        "en": ("mom", "mother", "dad", "father", "son", "daughter", "grandma", "grandmother", "grandpa",
               "kid", "kids", "family", "brother", "sister", "husband", "wife", "custody", "home"),
    },
    "money": {
        "zh": ("钱", "债", "欠", "房租", "工资", "彩礼", "贷款", "赔", "万块", "缴费", "账", "破产", "存款", "买房"),
        "en": ("money", "debt", "rent", "loan", "pay", "paid", "salary", "bills", "broke", "bankrupt",
               "mortgage", "dollars", "cash", "owe", "evict"),
    },
    "illness": {
        "zh": ("病", "医院", "手术", "癌", "化疗", "住院", "药", "急救", "ICU", "绝症", "去世", "走了", "葬礼", "墓"),
        "en": ("sick", "hospital", "surgery", "cancer", "chemo", "doctor", "dying", "died", "funeral",
               "grave", "illness", "medicine", "er"),
    },
    "work": {
        "zh": ("工作", "公司", "老板", "上班", "辞职", "开除", "裁员", "加班", "项目", "合同", "升职", "客户", "订单", "差评"),
        "en": ("job", "work", "boss", "fired", "layoff", "laid off", "shift", "promotion", "contract",
               "client", "career", "office", "hired"),
    },
    "dignity": {
        "zh": ("看不起", "羞辱", "跪", "丢人", "面子", "尊严", "废物", "穷鬼", "滚", "道歉", "凭什么", "瞧不起", "下贱"),
        "en": ("humiliate", "respect", "apologize", "apologise", "kneel", "loser", "trash", "beg",
               "ashamed", "pride", "dignity", "worthless", "get out"),
    },
    "love": {
        "zh": ("爱", "喜欢", "结婚", "离婚", "婚礼", "分手", "前男友", "前女友", "相亲", "嫁", "娶", "表白", "心动"),
        "en": ("love", "marry", "married", "wedding", "divorce", "boyfriend", "girlfriend", "ex-",
               "breakup", "kiss", "engaged", "mate"),
    },
}


@lru_cache(maxsize=2)
def _english_patterns() -> dict[str, re.Pattern[str]]:
    return {
        kind: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in cues["en"]) + r")", re.IGNORECASE)
        for kind, cues in STAKES.items()
    }


def find_stakes(text: str, language: str) -> tuple[str, ...]:
    """Kinds of stakes named in a line, in a fixed order."""
    if language == "zh":
        return tuple(kind for kind, cues in STAKES.items() if any(c in text for c in cues["zh"]))
    patterns = _english_patterns()
    return tuple(kind for kind, pattern in patterns.items() if pattern.search(text))
