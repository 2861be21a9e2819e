"""What one line of a Chinese script is: episode header, scene heading, cast, marker line.

Pure functions over one (virtual) line of text; the reader in zh_text.py keeps the state.
Speaker cues are found separately (zh_names.py) because they also occur mid-line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from resonance.io.numerals import try_chinese_to_int

_N = "[0-9０-９一二三四五六七八九十百千零〇两]"
_SENTENCE_END = "。！？!?；;，,"

_EPISODE = re.compile(
    rf"^[【\[《(（〔]?\s*第\s*({_N}{{1,7}})\s*[集回](?![的里中了时后前上下])\s*[】\]》)）〕]?\s*[：:、.．·\-—–\s]*(.*)$", re.S)
_EPISODE_HALF = re.compile(r"^[【\[《(（]?\s*(上集|下集|上篇|下篇|上部|下部)\s*[】\]》)）]?\s*[：:\s]*(.*)$")
_SCENE_DASH = re.compile(r"^(\d{1,4})\s*[-－—–_]\s*(\d{1,4})(?!\d)\s*[：:、.．,，]?\s*(.*)$", re.S)
_SCENE_WORD = re.compile(
    rf"^(?:场景\s*({_N}{{1,4}})|第\s*({_N}{{1,4}})\s*[场幕](?:戏)?|场\s*[：:]\s*({_N}{{1,4}}))\s*[：:、.．,，]?\s*(.*)$",
    re.S)
_SCENE_NUMBERED = re.compile(r"^([0-9０-９]{1,3})\s*[、.．：:，,]?\s*(.*)$", re.S)
_SCENE_ORDINAL = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.{1,20})$", re.S)
_SCENE_SETTING_FIRST = re.compile(r"^(内景|外景|内|外|日|夜)(?=[\s—\-－:：/／。，]|$)[\s—\-－:：/／。，]*(.+)$", re.S)
_SCENE_KEY = re.compile(r"^(地点|场景|场地|场景地点|景|时间|时)\s*[：:]\s*(.*)$", re.S)

_CAST = re.compile(
    r"^(?:主要|出场|登场|剧中)?(?:人物|角色|剧中人)(?:表|介绍|简介)?\s*[：:]\s*(.*)$|^人\s*[：:]\s*(.*)$", re.S)
_CAST_ENTRY = re.compile(r"^(.{1,8}?)\s*(?:[：:]|——|--|－－|—)\s*(.{0,40})$", re.S)
_CAST_SPLIT = re.compile(r"[、，,．.；;/|\s\u3000]+|(?<=[\u4e00-\u9fff])[和与及](?=[\u4e00-\u9fff])")

_TIME_WORDS = {
    "dawn": ("清晨", "凌晨", "黎明", "拂晓", "晨"),
    "day": ("白天", "早上", "早晨", "上午", "中午", "下午", "午后", "日", "昼", "早", "午", "白日"),
    "dusk": ("黄昏", "傍晚", "昏", "夕", "日落"),
    "night": ("夜晚", "晚上", "深夜", "午夜", "夜里", "夜", "晚"),
}
_TIME = {word: key for key, words in _TIME_WORDS.items() for word in words}
_SETTING = {"内": "int", "内景": "int", "室内": "int", "外": "ext", "外景": "ext", "室外": "ext",
            "内外": "int/ext", "内/外": "int/ext", "外/内": "int/ext", "内外景": "int/ext"}
_TIME_ALT = "|".join(sorted(_TIME, key=len, reverse=True))
_SET_ALT = "|".join(re.escape(w) for w in sorted(_SETTING, key=len, reverse=True))
_GLUED = re.compile(rf"^(?:({_TIME_ALT})\s*[/／]?\s*({_SET_ALT})|({_SET_ALT})\s*[/／]?\s*({_TIME_ALT}))景?$")
_TIME_RUNS_ON = re.compile(r"\s([日夜])(?=[^\s/／内外景。，,])")
_TOKEN_SEP = re.compile(r"[\s\u3000。，,、/／·．.|—\-－:：]+")
_LEADING_TOKENS = re.compile(rf"^[\s。，、.：:]*(?:(?:{_TIME_ALT}|{_SET_ALT})景?(?:[\s。，、.：:/／]+|$))+")

_TRANSITION = re.compile(
    r"^[（(【\[—\-－\s]*(切至|切到|切回|切入|切换至|切换|转场|转至|转到|黑屏|淡出|淡入|渐隐|渐显|叠化|化入|化出|闪白|"
    r"闪黑|定格|幕启|幕落|幕闭|落幕|闭幕|剧终|全剧终|全剧完|本集完|本集终|灯光渐暗|灯暗|灯亮|暗转|收光|完|终|切)")
_BARE_ONLY = frozenset({"完", "终", "切"})  # words that are transitions only when alone
_FLASHBACK = re.compile(r"^[（(【\[]?\s*(闪回|回忆|倒叙|闪回开始|回忆开始|闪回结束|回忆结束|闪回完|回忆完|回到现实|闪回止)\s*[）)】\]]?\s*[：:。]?$")
_CAPTION = re.compile(r"^(?:字幕|标题字幕|画面字幕|屏幕字幕|字幕卡|字卡)\s*[：:]\s*(.*)$", re.S)
_NARRATION = re.compile(r"^(旁白|画外音|解说|独白|内心独白)\s*(?:[（(]([^）)]{0,20})[）)])?\s*[：:]\s*(.*)$", re.S)
_ACTION_MARK = re.compile(r"^[△▲▽◆◇●■□※☆★▼]+\s*(.*)$", re.S)
_BRACKETS = {"【": "】", "[": "]", "［": "］", "{": "}", "｛": "｝", "〔": "〕", "（": "）", "(": ")"}


@dataclass(frozen=True)
class EpisodeMark:
    number: int
    title: str | None
    rest: str  # text after the title on the same line (inline scripts)


@dataclass(frozen=True)
class SceneMark:
    heading: str
    number: str | None = None
    time_of_day: str | None = None
    setting: str | None = None
    location: str | None = None
    rest: str = ""  # action that ran on after the heading


def episode_mark(text: str) -> EpisodeMark | None:
    match = _EPISODE.match(text)
    if match:
        number = try_chinese_to_int(match.group(1))
        if number is None:
            return None
        title, rest = _cut_title(match.group(2))
        return EpisodeMark(number, title, rest)
    match = _EPISODE_HALF.match(text)
    if match:
        title, rest = _cut_title(match.group(2))
        return EpisodeMark(1 if match.group(1)[0] == "上" else 2, title, rest)
    return None


def scene_mark(text: str) -> SceneMark | None:
    match = _SCENE_DASH.match(text)
    if match:
        return _heading(text, f"{int(match.group(1))}-{int(match.group(2))}", match.group(3))
    match = _SCENE_WORD.match(text)
    if match:
        raw = match.group(1) or match.group(2) or match.group(3)
        number = try_chinese_to_int(raw)
        return _heading(text, str(number) if number is not None else raw, match.group(4))
    match = _SCENE_NUMBERED.match(text)
    if match and _looks_like_heading_tail(match.group(2)):
        return _heading(text, str(int(match.group(1).translate(_FULLWIDTH))), match.group(2))
    match = _SCENE_ORDINAL.match(text)
    if match and not any(ch in match.group(2) for ch in "：:" + _SENTENCE_END):
        return _heading(text, str(try_chinese_to_int(match.group(1))), match.group(2))
    match = _SCENE_SETTING_FIRST.match(text)
    if match and _looks_like_heading_tail(text):
        return _heading(text, None, text)
    return None


def scene_key(text: str) -> tuple[str, str, str] | None:
    """`地点：医院` -> ("location", "医院", ""); `时间：深夜。他走了` -> ("time", "深夜", "他走了")."""
    match = _SCENE_KEY.match(text)
    if not match:
        return None
    value, rest = match.group(2), ""
    end = re.search(r"[。！？!?；;]", value)
    if end:
        value, rest = value[:end.start()], value[end.end():]
    if len(value) > 40:
        return None
    kind = "time" if match.group(1) in ("时间", "时") else "location"
    return kind, value.strip(" \u3000。，,"), rest.strip()


def time_word(text: str) -> str | None:
    for token in _TOKEN_SEP.split(text):
        if token in _TIME:
            return _TIME[token]
    for word in sorted(_TIME, key=len, reverse=True):
        if len(word) > 1 and word in text:
            return _TIME[word]
    return None


def absorb_heading_tokens(mark: SceneMark, text: str) -> tuple[SceneMark, str] | None:
    """`５、杜凡家` then `日外静静敲门…` on the same line: fold the 日外 into the heading."""
    match = _LEADING_TOKENS.match(text)
    if not match or (mark.time_of_day and mark.setting):
        return None
    tokens = match.group(0)
    extra = _heading(tokens, None, tokens)
    if extra.time_of_day is None and extra.setting is None:
        return None
    merged = SceneMark(
        heading=f"{mark.heading} {tokens.strip()}", number=mark.number,
        time_of_day=mark.time_of_day or extra.time_of_day, setting=mark.setting or extra.setting,
        location=mark.location, rest="")
    return merged, text[match.end():]


def cast_line(text: str) -> list[str] | None:
    """`人物：林晚、周母` -> ["林晚", "周母"]; None when the line is not a cast line."""
    match = _CAST.match(text)
    if not match:
        return None
    return cast_names(match.group(1) if match.group(1) is not None else match.group(2))


def cast_names(value: str) -> list[str]:
    value = re.sub(r"[（(][^）)]{0,30}[）)]", "、", value)
    names = []
    for part in _CAST_SPLIT.split(value):
        part = re.split(r"——|--|－－|—|：|:", part)[0].strip(" \u3000\"“”《》【】")
        if 1 <= len(part) <= 6 and not any(ch.isdigit() for ch in part) and part not in names:
            names.append(part)
    return names


def cast_entry(text: str) -> str | None:
    """A line of a character list: `刘平：大学生；` or `张华——第五元素店主，二十三岁`."""
    match = _CAST_ENTRY.match(text.strip(" \u3000；;。"))
    if not match:
        return None
    name = match.group(1).strip(" \u3000\"“”")
    name = re.sub(r"^[0-9０-９]+[、.．]\s*", "", name)
    return name if 1 <= len(name) <= 6 and not re.search(r"[，,。！？\s]", name) else None


def character_note(speech: str) -> bool:
    """`男，38岁，郝正的同事`: a cast list entry, not a line of dialogue."""
    return bool(_CHARACTER_NOTE.match(speech.strip()))


_CHARACTER_NOTE = re.compile(
    rf"^(?:[男女]性?\s*(?:[，,、；;。\s（(]|{_N}|$)|(?:年约|约|年龄)?\s*{_N}{{1,3}}\s*(?:多|来)?岁)")


def caption(text: str) -> str | None:
    match = _CAPTION.match(text)
    return match.group(1).strip() if match else None


def narration(text: str) -> tuple[str | None, str] | None:
    """`旁白：…` -> (direction, text)."""
    match = _NARRATION.match(text)
    return (match.group(2), match.group(3).strip()) if match else None


def flashback(text: str) -> str | None:
    match = _FLASHBACK.match(text.strip())
    return match.group(1) if match else None


def is_transition(text: str) -> bool:
    match = _TRANSITION.match(text)
    if not match or len(text) > 24:
        return False
    rest = re.sub(r"[\W_]", "", text[match.end():])
    return not rest if match.group(1) in _BARE_ONLY else len(rest) <= 10


def action_mark(text: str) -> str | None:
    match = _ACTION_MARK.match(text)
    return match.group(1).strip() if match else None


def bracketed(text: str) -> tuple[str, str, str] | None:
    """`【字幕：三年后】林晚走进来` -> ("【", "字幕：三年后", "林晚走进来"); an unclosed 【 too."""
    opener = text[:1]
    closer = _BRACKETS.get(opener)
    if closer is None:
        return None
    end = text.find(closer, 1)
    if end < 0:
        return (opener, text[1:].strip(), "") if opener in "【［[" else None
    return opener, text[1:end].strip(), text[end + 1:].strip()


def split_parentheticals(text: str) -> tuple[str | None, str]:
    """Leading and trailing （…） of a speech are stage directions: (direction, speech)."""
    directions = []
    text = text.strip()
    while text and text[0] in "（(":
        end = _matching(text)
        if end < 0:
            break
        directions.append(text[1:end].strip())
        text = text[end + 1:].strip()
    match = re.search(r"[（(]([^（()）]{1,40})[）)]\s*$", text)
    if match and match.start() > 0:
        directions.append(match.group(1).strip())
        text = text[:match.start()].strip()
    if len(text) >= 2 and text[0] in "“\"「" and text[-1] in "”\"」" and not any(q in text[1:-1] for q in "“”「」"):
        text = text[1:-1].strip()
    direction = "，".join(d for d in directions if d) or None
    return direction, text


def _matching(text: str) -> int:
    closer = "）" if text[0] == "（" else ")"
    end = text.find(closer)
    other = text.find(")" if closer == "）" else "）")
    if end < 0 or (0 <= other < end):
        end = other
    return end if 0 < end <= 60 else -1


def _heading(full: str, number: str | None, tail: str) -> SceneMark:
    glued = _TIME_RUNS_ON.search(tail[:40])
    if glued and not re.search(r"[。！？!?；;，,]", tail[:glued.start()]) \
            and not any(t in _TIME for t in _TOKEN_SEP.split(tail[:glued.start()])):
        # 内 几艺卧室 夜几艺爱搭不理的…: the time word, then the action without a break
        head, rest = _cut_heading(tail[:glued.end(1)])
        rest = (rest + " " + tail[glued.end(1):]).strip()
    else:
        head, rest = _cut_heading(tail)
    time_of_day = setting = None
    location_parts = []
    for token in _TOKEN_SEP.split(head):
        if not token:
            continue
        glued = _GLUED.match(token)
        if glued:
            t = glued.group(1) or glued.group(4)
            s = glued.group(2) or glued.group(3)
            time_of_day = time_of_day or _TIME[t]
            setting = setting or _SETTING[s]
        elif token in _TIME and time_of_day is None:
            time_of_day = _TIME[token]
        elif (token in _SETTING or token.rstrip("景") in _SETTING) and setting is None:
            setting = _SETTING.get(token) or _SETTING[token.rstrip("景")]
        else:
            location_parts.append(token)
    heading = full[: len(full) - len(rest)].strip() if rest else full.strip()
    location = " ".join(location_parts) or None
    return SceneMark(heading=heading, number=number, time_of_day=time_of_day, setting=setting,
                     location=location, rest=rest)


def _cut_heading(tail: str) -> tuple[str, str]:
    """A heading ends at sentence punctuation, or within 30 characters at a space."""
    for index, ch in enumerate(tail):
        if ch in _SENTENCE_END and index > 0:
            return tail[:index], tail[index + 1:].strip()
        if ch in "（(【":
            if index > 0:
                return tail[:index], tail[index:].strip()
        if index >= 30:
            cut = max(tail.rfind(" ", 0, index), tail.rfind("\u3000", 0, index))
            cut = cut if cut > 0 else index
            return tail[:cut], tail[cut:].strip()
    return tail, ""


def _looks_like_heading_tail(tail: str) -> bool:
    head, _ = _cut_heading(tail)
    if not head.strip() or "：" in head or ":" in head:
        return False
    tokens = [t for t in _TOKEN_SEP.split(head) if t]
    has_time_or_setting = any(t in _TIME or t in _SETTING or t.rstrip("景") in _SETTING or _GLUED.match(t)
                              for t in tokens)
    return has_time_or_setting or (len(head) <= 12 and len(tail) == len(head))


SHORT_TITLE_CHARS = 20


def _cut_title(text: str) -> tuple[str | None, str]:
    text = text.strip()
    if len(text) <= SHORT_TITLE_CHARS and not any(ch in "。！？!?；;（(【△▲" for ch in text):
        return text.strip(" \u3000：:") or None, ""  # 第1集 三十五岁，被优化: a comma inside a short title
    for index, ch in enumerate(text):
        if ch in _SENTENCE_END or ch in "（(【△▲" or index >= 30:
            title = text[:index].strip(" \u3000：:") or None
            return title, text[index:].lstrip("。！？!?；;，, ")
    return text.strip(" \u3000：:") or None, ""


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
