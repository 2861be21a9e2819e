"""Speaker cues in Chinese scripts: `角色：`, `角色（情绪）：`, `角色OS：` found anywhere in a line.

Real scripts often run cues inline with no line breaks (`…走了进来。强子：拿钱！`), so a
cue is found from its colon, looking back a few characters to the previous punctuation.
Which looked-back words are speakers is decided per document (zh_speakers.py):
a word that recurs as a cue, or that the text mentions elsewhere, is a speaker; common
words and metadata keys (时间：, 地点：, 人物：) never are.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_NAME = 6  # characters in one speaker name
MAX_LOOKBACK = 24  # how far a colon looks back for the start of its cue
MAX_PREFIX_DIRECTION = 14  # `刘平紧走几步来到父亲跟前：` -> 刘平 + a short stage direction

# Characters after which a cue may start: punctuation, brackets, spaces.
BOUNDARY = frozenset("。！？!?；;…，,、”’」』）)】]》>\t \u3000\n：:“‘「『《△▲")
OPENERS = {"）": "（", ")": "("}

# Keys that open metadata or structure, never a speaker (人物：A、B is a cast line).
STRUCTURE_KEYS = frozenset("""
人物 主要人物 出场人物 登场人物 人物表 人物介绍 剧中人 剧中人物 角色 主要角色 演员 演员数 人 场 景 时 地
时间 地点 场景 场地 场景地点 季节 环境 年代 背景 时代 道具 服装 音乐 音效 配乐 歌曲 歌词 主题曲 片尾曲
剧名 片名 剧本 剧本名 标题 题目 编剧 导演 作者 原著 改编 策划 制片 监制 出品 类型 题材 片长 时长 集数
梗概 故事梗概 剧情梗概 剧情简介 简介 内容简介 故事简介 剧情 剧情介绍 内容 主题 大纲 剧本大纲 提纲 幕 序幕 尾声
字幕 旁白 画外音 解说 说明 备注 注 注释 提示 注意 附 附注 后记 前言 引子 楔子 第一幕 第二幕
""".split())

# Common words that look like short names before a colon but are not speakers.
NOT_NAMES = frozenset("""
我 你 他 她 它 我们 你们 他们 她们 咱们 自己 别人 有人 对方 这 那 这里 那里 谁 什么 怎么
说 道 问 答 喊 叫 唱 念 读 写 想 看 听 笑 哭 骂 吼 他说 她说 我说 你说 说道 问道 答道 回答 喊道 叫道
如下 例如 比如 比方 就是 但是 因为 所以 于是 然后 其中 其一 其二 其三 第一 第二 第三 首先 其次 最后 总之
答案 问题 原因 结果 理由 条件 要求 目的 地址 电话 号码 邮箱 日期 口号 广告 广告词 上联 下联 横批 对联
标语 通知 公告 告示 信 信中 信上 纸条 短信 留言 屏幕 上面 上写 写着 写道 显示 画面 镜头 特写 全景 近景
远景 中景 对话 动作 插入 简称 又名 原名 别名 大声 小声 低声 轻声 高声 一脸 接着 随后 突然 忽然 切 闪回
自言自语 镜头特写 特写镜头 大声呵斥 舞台上 台上 台下 画面上 回忆 同时 一起 合 齐 众声 结束 开始 完 剧终 全剧终 幕启 幕落 灯亮 灯暗 动作 表情 语气
""".split())

# Words that start a clause, not a name (在家里：… is a phrase).
FUNCTION_STARTS = frozenset("在把被对给从当但而如若因所就才又也都还只这那是没不很太并即便则且虽然我你他她它的了着")
FUNCTION_ENDS = frozenset("的了着过吗呢吧啊么呀哦嘛啦地")
VERB_SUFFIX = re.compile("(笑道|说道|问道|答道|喊道|叫道|唱道|骂道|嚷道|说|道|问|答|喊|叫|唱|讲|谓)$")
FUNCTION_PREFIXES = ("于是", "然后", "接着", "随后", "只见", "这时", "此时", "突然", "忽然", "原来", "终于", "已经",
                     "一个", "一位", "一名", "一群", "大家都", "不久")
ROLE_CHARS = frozenset("甲乙丙丁戊己庚辛")
SPEECH_VERB_END = frozenset("说道问答喊叫唱念嚷吼骂讲")

VOICE_WORDS = {
    "os": "OS", "o.s.": "OS", "o.s": "OS", "内心os": "OS", "心声": "OS", "内心": "OS", "内心独白": "OS",
    "独白": "OS", "心里": "OS", "心想": "OS", "内心活动": "OS",
    "vo": "VO", "v.o.": "VO", "v.o": "VO", "画外音": "VO", "画外": "VO", "旁白": "VO", "画外音os": "VO",
}
NARRATOR_NAMES = frozenset({"旁白", "画外音", "解说", "独白", "内心独白", "叙述", "讲述", "叙述者", "讲述人"})
_VOICE_SUFFIX = re.compile(r"(?i)(?:[（(]\s*)?(o\.?s\.?|v\.?o\.?)(?:\s*[）)])?$")
# What may end a cue: colons always; in scripts that use no colons, semicolons
# (`常胜；早`), a space / an opening parenthesis (`熊嫂 就是…`, `李逵（大声呼喊）娘`)
# or a dash (`苏——诶呦`).
SEPARATORS = {
    "colon": re.compile("[：:]"),
    "semicolon": re.compile("[：:；;]"),
    "space": re.compile(r"[：:]|(?<=\S)[ \u3000](?=\S)|[（(]"),
    "dash": re.compile(r"[：:]|——|－－|--"),
}
HEADING_WORDS = frozenset("""
内 外 日 夜 晨 昏 内景 外景 日景 夜景 室内 室外 日内 日外 夜内 夜外 内日 外日 内夜 外夜 白天 夜晚 晚上
清晨 黄昏 傍晚 早晨 上午 下午 中午 深夜 凌晨 次日 同日 当晚 同时 镜头 特写 全景 近景 远景 画面
""".split())
_SPACES = re.compile(r"\s+")
_STRIP = "\u3000 \t.．,，、;；【】[]「」『』《》“”\"'‘’<>〈〉△▲●◆■★☆※·-—_*#"


@dataclass(frozen=True)
class Cue:
    """A speaker cue at ``start``; the spoken text begins at ``end`` (just after the colon)."""

    start: int
    end: int
    speaker: str
    direction: str | None = None
    voice: str | None = None
    stop: int | None = None  # where the speech ends, for quoted speech in prose


@dataclass(frozen=True)
class _Raw:
    start: int  # start of the looked-back region
    name_end: int  # end of the name region (before a parenthetical)
    end: int  # after the colon
    region: str
    direction: str | None
    bounded: bool  # the region starts at punctuation or line start


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).strip(_STRIP)
    return _SPACES.sub("", name) if _is_cjk_text(name) else _SPACES.sub(" ", name)


def is_structure_key(word: str) -> bool:
    word = normalise_name(word)
    return word in STRUCTURE_KEYS or bool(re.fullmatch(r"(场景|第)[0-9０-９一二三四五六七八九十百千零〇两]+[场幕集回章节]?", word))


def name_like(word: str) -> bool:
    """Could ``word`` be a character name (before any per-document evidence)?"""
    if not word or len(word) > MAX_NAME + 6 or word in NOT_NAMES or word in HEADING_WORDS \
            or is_structure_key(word):
        return False
    if word[0] in FUNCTION_STARTS or word[-1] in FUNCTION_ENDS or word.startswith(FUNCTION_PREFIXES):
        return False
    if any(word.endswith(key) and len(word) > len(key) for key in _ENDING_KEYS):
        return False  # 村委会时间： is a place, then the 时间： key
    if word.isdigit() or not all(_name_char(ch) for ch in word) or "着" in word or "了" in word:
        return False
    if re.match(r"第[0-9０-９一二三四五六七八九十百千零〇两]+[幕场集回章节]", word):
        return False
    if word.isascii() and len(word) > 1 and word.islower():
        return False  # English words ("the"), not role letters or names
    return len(word) <= MAX_NAME or (word.isascii() and len(word) <= 12)


def split_voice(name: str, direction: str | None) -> tuple[str, str | None, str | None]:
    """`林晚OS` / `林晚（OS）` / `林晚（画外音）` -> (林晚, direction, voice)."""
    voice = None
    if direction is not None and direction.strip().lower() in VOICE_WORDS:
        voice, direction = VOICE_WORDS[direction.strip().lower()], None
    match = _VOICE_SUFFIX.search(name)
    if match and match.start() > 0 and not name[:match.start()].isascii():
        voice = voice or ("OS" if match.group(1).lower().startswith("o") else "VO")
        name = name[:match.start()]
    for word in ("画外音", "内心独白", "独白", "心声"):
        if name.endswith(word) and len(name) > len(word):
            voice, name = voice or VOICE_WORDS[word], name[: -len(word)].rstrip("的")
    return name, direction, voice


@lru_cache(maxsize=65536)
def cue_name(region: str, direction: str | None) -> tuple[str, str | None, str | None]:
    """(speaker, direction, voice) from a cue region: `混子说` -> 混子, `林晚OS` -> 林晚 + OS."""
    name, direction, voice = split_voice(normalise_name(region), direction)
    match = VERB_SUFFIX.search(name)
    if match and match.start() > 0 and name not in NARRATOR_NAMES:
        name, direction = name[:match.start()], _join(direction, match.group(1))
    return name, direction, voice


def raw_cues(segment: str, mode: str = "colon") -> list[_Raw]:
    """Every cue separator in ``segment`` with the region a cue before it would occupy."""
    out = []
    for match in SEPARATORS[mode].finditer(segment):
        index = match.start()
        if segment[index] == ":" and _inside_number_or_url(segment, index):
            continue
        # the speech after `李逵（大声呼喊）娘` starts at the parenthesis (a direction)
        speech_start = index if segment[index] in "（(" else match.end()
        raw = _raw_before(segment, index, speech_start=speech_start)
        if raw is not None:
            out.append(raw)
    return out


def find_cue(segment: str, raw: _Raw, speakers: set[str]) -> Cue | None:
    """Decide whether the colon of ``raw`` ends a speaker cue, and where the cue starts."""
    region = raw.region
    name, direction, voice = cue_name(region, raw.direction)
    if raw.bounded and name and (name in speakers or name in NARRATOR_NAMES or is_structure_key(name)):
        return _cue(raw.start, raw, name, direction, voice, speakers)
    # the cue runs on from the previous sentence: 奶奶一头雾水奶奶：
    for size in range(min(MAX_NAME, len(region) - 1), 1, -1):
        tail = region[-size:]
        if tail in speakers or tail in NARRATOR_NAMES or tail in STRUCTURE_KEYS:
            name, direction, voice = split_voice(tail, raw.direction)
            return _cue(raw.name_end - size, raw, name, direction, voice, speakers)
    # a stage direction between name and colon: 刘平紧走几步来到父亲跟前：
    if raw.bounded:
        for size in range(min(MAX_NAME, len(region) - 1), 0, -1):
            head = normalise_name(region[:size])
            rest = region[size:].strip()
            if head in speakers and len(rest) <= MAX_PREFIX_DIRECTION and not (rest and rest[0] in "、和与及") \
                    and not _mentions_speaker(rest, speakers):
                direction = _join(raw.direction, rest)
                name, direction, voice = split_voice(head, direction)
                return Cue(raw.start, raw.end, name, direction, voice)
    return None


def quote_cues(segment: str, speakers: set[str], text: str, known: dict[str, bool]) -> list[Cue]:
    """Quoted speech in prose: `大伯笑着说：“想吃吗？”` -> 大伯 says 想吃吗？.

    The speaker is the longest name-like start of the clause before the speech verb that
    is a known speaker or recurs in the text (at least three times); ``known`` caches
    that check across calls.
    """
    out = []
    for match in _QUOTE_CUE.finditer(segment):
        closing = segment.find("”", match.end(), match.end() + 400)
        if closing < 0 or "“" in segment[match.end():closing]:
            continue
        verb_start = match.start(1)
        start = verb_start
        limit = max(0, verb_start - MAX_LOOKBACK // 2)
        while start > limit and segment[start - 1] not in BOUNDARY:
            start -= 1
        if start > 0 and segment[start - 1] not in BOUNDARY:
            continue
        clause = segment[start:verb_start]
        for size in range(min(4, len(clause)), 1, -1):
            head = normalise_name(clause[:size])
            if head not in known:
                known[head] = head in speakers or (name_like(head) and len(known) < 2000
                                                   and text.count(head) >= 3)
            if known[head]:
                direction = segment[start + size:match.end()].strip(" \u3000：:“，,") or None
                out.append(Cue(start, match.end(), head, direction, None, stop=closing))
                break
    return out


_QUOTE_CUE = re.compile(
    r"(说道|问道|答道|喊道|叫道|笑道|骂道|嚷道|回答|嘀咕|念叨|报告|宣布|补充|说|道|问|答|喊|叫|嚷|吼|骂)"
    r"(?:[^\s，。！？“”：:]{0,4}\s*[：:]|\s*[：:，,]?)\s*“")


def _mentions_speaker(text: str, speakers: set[str]) -> bool:
    """Does ``text`` (a short stage direction) contain a speaker's name? Then it is not one."""
    return any(text[i:i + size] in speakers for size in range(2, MAX_NAME + 1)
               for i in range(len(text) - size + 1))


def _cue(start: int, raw: _Raw, name: str, direction: str | None, voice: str | None,
         speakers: set[str]) -> Cue:
    # 交警问：… where 交警 is the recurring speaker: keep the name, the verb is a direction
    if name not in speakers and name[-1:] in SPEECH_VERB_END:
        for size in range(len(name) - 1, 0, -1):
            if name[:size] in speakers:
                return Cue(start, raw.end, name[:size], _join(direction, name[size:]), voice)
    return Cue(start, raw.end, name, direction, voice)


def _raw_before(segment: str, colon: int, end: int | None = None, speech_start: int | None = None
                ) -> _Raw | None:
    """The cue region ending at ``end`` (default: the separator, less any spaces)."""
    speech_start = colon + 1 if speech_start is None else speech_start
    end = colon if end is None else end
    while end > 0 and segment[end - 1] in " \t\u3000":
        end -= 1
    direction = None
    name_end = end
    if end > 0 and segment[end - 1] in OPENERS:
        opener = segment.rfind(OPENERS[segment[end - 1]], max(0, end - 40), end - 1)
        if opener < 0:
            return None
        direction = segment[opener + 1:end - 1].strip() or None
        name_end = opener
        while name_end > 0 and segment[name_end - 1] in " \t\u3000":
            name_end -= 1
    start = name_end
    limit = max(0, name_end - MAX_LOOKBACK)
    while start > limit and segment[start - 1] not in BOUNDARY:
        start -= 1
    region = segment[start:name_end]
    if not region.strip():
        return None
    # 交警（带着痛苦的表情）说： the verb follows the parenthetical
    if direction is None and len(region) <= 4 and region[-1] in SPEECH_VERB_END \
            and start > 0 and segment[start - 1] in OPENERS:
        inner = _raw_before(segment, colon, start, speech_start)
        if inner is not None:
            return _Raw(inner.start, inner.name_end, speech_start, inner.region,
                        _join(inner.direction, region), inner.bounded)
    # 胡丽英略显羞涩，说： the verb follows a comma: the clause before it holds the name
    if region in _BARE_VERBS and start > 1 and segment[start - 1] in "，,":
        earlier = start - 1
        limit = max(0, earlier - MAX_LOOKBACK)
        while earlier > limit and segment[earlier - 1] not in BOUNDARY:
            earlier -= 1
        if earlier < start - 1:
            bounded = earlier == 0 or segment[earlier - 1] in BOUNDARY
            return _Raw(earlier, name_end, speech_start, segment[earlier:name_end], direction, bounded)
    bounded = start == 0 or segment[start - 1] in BOUNDARY
    return _Raw(start, name_end, speech_start, region, direction, bounded)


_ENDING_KEYS = ("时间", "地点", "场景", "人物", "人物介绍", "旁白", "字幕", "画外音", "特写")
_BARE_VERBS = frozenset({"说", "道", "问", "答", "喊", "叫", "说道", "问道", "答道", "喊道", "叫道", "笑道", "唱", "唱道"})


def _inside_number_or_url(segment: str, index: int) -> bool:
    before = segment[index - 1:index]
    after = segment[index + 1:index + 2]
    if before.isdigit() and after.isdigit():
        return True
    return segment[max(0, index - 5):index].lower().endswith(("http", "https"))


def _join(first: str | None, second: str | None) -> str | None:
    parts = [p for p in (first, second) if p]
    return "，".join(parts) or None


def _name_char(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch.isalnum()
            or ch in "·•.&'’ ")


def _is_cjk_text(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
