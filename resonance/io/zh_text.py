"""Reader for Chinese scripts in plain text: the mainland layout and run-together (inline) text.

Mainland layout (one unit per line)::

    第3集 她回来了
    3-1 日 内 医院走廊
    人物：林晚、周母
    △走廊尽头，林晚攥着缴费单。
    周母（冷笑）：三万块？你拿什么还？
    林晚（OS）：这一次，我不会再低头。

Inline text (no line breaks, cues mid-sentence) is first cut into virtual lines by
zh_segment.py; each virtual line keeps the number of the source line it came from.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field, replace

from resonance.io import zh_lines as L
from resonance.io.builder import Parsed, ScriptBuilder
from resonance.io.zh_names import NARRATOR_NAMES, is_structure_key, normalise_name, split_voice
from resonance.io.zh_segment import VirtualLine, segment
from resonance.types import Element, ElementKind

_TITLE = re.compile(r"^《([^》]{1,40})》\s*(.*)$", re.S)
_ENUMERATOR = re.compile(r"[0-9０-９一二三四五六七八九十]{1,3}[、.．)）]?")
_BARE_NAME = re.compile(r"([^\s（(：:]{1,12})\s*(?:[（(]([^）)]{0,20})[）)])?")
_TAG = re.compile(r"^(对话|动作|旁白|角色|镜头)\s*[:：]?\s*[?？]*\s*([^\s:：?？\]]{1,8})?\s*说?\s*\d*$")
_METADATA_KEYS = {"剧名": "title", "片名": "title", "剧本名": "title", "标题": "title", "编剧": "writer",
                  "作者": "writer", "导演": "director", "类型": "genre", "题材": "genre", "片长": "length",
                  "时长": "length", "集数": "episodes"}


@dataclass
class _PendingScene:
    """A scene heading whose details (地点：, 时间：, 人物：) may still follow on the next lines."""

    heading: str | None
    line: int
    number: str | None = None
    time_of_day: str | None = None
    setting: str | None = None
    location: str | None = None
    cast_lines: list[tuple[list[str], str, int]] = field(default_factory=list)


@dataclass
class _OpenCue:
    speaker: str | None
    direction: str | None
    voice: str | None
    kind: str


def parse(text: str, source: str) -> Parsed:
    lines, speakers = segment(text)
    reader = _Reader(speakers, marked=_uses_action_marks(lines))
    for line in lines:
        reader.feed(line)
    return reader.finish(inline=_is_inline(text, lines))


class _Reader:
    def __init__(self, speakers: set[str], marked: bool) -> None:
        self.builder = ScriptBuilder()
        self.speakers = speakers
        self.marked = marked
        self.pending: _PendingScene | None = None
        self.open_cue: _OpenCue | None = None
        self.in_cast_list = False
        self.title: str | None = None
        self.metadata: dict[str, str] = {}
        self.started = False  # a scene, episode or spoken line was seen
        self.rests: deque[VirtualLine] = deque()  # text left after a marker, read next

    # -- driving ----------------------------------------------------------
    def feed(self, vl: VirtualLine) -> None:
        # the rest of a line after a marker is queued, not fed recursively: one line of
        # thousands of markers (第1集第1集…) would otherwise exhaust the stack
        self.rests.append(vl)
        while self.rests:
            self._feed_one(self.rests.popleft())

    def _feed_one(self, vl: VirtualLine) -> None:
        text = vl.text
        if not text or _ENUMERATOR.fullmatch(text):
            return  # `1、` left over before a cast entry or cue
        if self.pending is not None and self.pending.time_of_day is None and vl.split:
            absorbed = self._absorb(vl)
            if absorbed is not None:
                vl = absorbed
                text = vl.text
                if not text:
                    return
        if self._structure(vl) or self._markers(vl):
            return
        if vl.cue is not None and self._cue(vl):
            return
        self._plain(vl)

    def finish(self, inline: bool) -> Parsed:
        self._flush()
        self.metadata["layout"] = "inline" if inline else "lines"
        return Parsed(episodes=self.builder.build(), title=self.title, metadata=self.metadata)

    # -- structure: episodes, scenes, cast ----------------------------------
    def _structure(self, vl: VirtualLine) -> bool:
        text = vl.text
        if self.in_cast_list and self._cast_entry(vl):
            return True
        if vl.cue is not None and vl.cue.speaker in self.speakers and not is_structure_key(vl.cue.speaker):
            return False
        episode = L.episode_mark(text)
        if episode is not None:
            self._flush()
            self.open_cue = None
            self.in_cast_list = False
            self.started = True
            self.builder.episode(episode.number, episode.title, vl.line)
            self._rest(vl, episode.rest)
            return True
        scene = L.scene_mark(text)
        if scene is not None:
            self._flush()
            self.open_cue = None
            self.in_cast_list = False
            self.started = True
            self.pending = _PendingScene(scene.heading, vl.line, scene.number, scene.time_of_day,
                                         scene.setting, scene.location)
            self._rest(vl, scene.rest)
            return True
        key = L.scene_key(text)
        if key is not None:
            heading = text[: len(text) - len(key[2])].strip() if key[2] else text
            self._scene_detail(key[:2], replace(vl, text=heading))
            self._rest(vl, key[2])
            return True
        names = L.cast_line(text)
        if names is not None:
            value = text.split("：", 1)[-1] if "：" in text else text.split(":", 1)[-1]
            self.in_cast_list = not names or bool(re.search(r"——|--|－－|：|:", value))
            self._cast(names, text, vl.line)
            return True
        return False

    def _cast_entry(self, vl: VirtualLine) -> bool:
        """Inside a character list: `刘平：大学生；`, `张华——店主，二十三岁`, `行人`."""
        text = vl.text
        entry = L.cast_entry(text) or (normalise_name(text) if len(text) <= 6 and text.isalnum() else None)
        if entry is None or is_structure_key(entry) or L.episode_mark(text) or L.scene_mark(text):
            self.in_cast_list = False
            return False
        self._cast([entry], text, vl.line)
        return True

    def _scene_detail(self, key: tuple[str, str], vl: VirtualLine) -> None:
        kind, value = key
        pending = self.pending
        if pending is None or (kind == "location" and pending.location is not None):
            self._flush()
            pending = self.pending = _PendingScene(vl.text, vl.line)
        elif pending.heading != vl.text:
            pending.heading = f"{pending.heading} {vl.text}" if pending.heading else vl.text
        if kind == "location":
            pending.location = value or None
        else:
            pending.time_of_day = pending.time_of_day or L.time_word(value)
        self.started = True

    def _cast(self, names: list[str], text: str, line: int) -> None:
        if self.pending is not None:
            self.pending.cast_lines.append((names, text, line))
        else:
            self.builder.cast(names, text, line)

    def _absorb(self, vl: VirtualLine) -> VirtualLine | None:
        assert self.pending is not None
        if vl.cue is not None:
            return None
        mark = L.SceneMark(self.pending.heading or "", self.pending.number, self.pending.time_of_day,
                           self.pending.setting, self.pending.location)
        absorbed = L.absorb_heading_tokens(mark, vl.text)
        if absorbed is None:
            return None
        mark, rest = absorbed
        self.pending.heading = mark.heading
        self.pending.time_of_day, self.pending.setting = mark.time_of_day, mark.setting
        return replace(vl, text=rest.strip())

    def _flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self.builder.scene(pending.heading, pending.line, number=pending.number,
                           time_of_day=pending.time_of_day, setting=pending.setting,
                           location=pending.location)
        for names, text, line in pending.cast_lines:
            self.builder.cast(names, text, line)

    # -- marked lines: △, 【…】, captions, transitions ------------------------
    def _markers(self, vl: VirtualLine) -> bool:
        text = vl.text
        if L.flashback(text):
            return self._add(ElementKind.FLASHBACK, L.flashback(text) or text, vl)
        if L.is_transition(text):
            return self._add(ElementKind.TRANSITION, text.strip("（()）【】[] ：:。"), vl)
        action = L.action_mark(text)
        if action is not None:
            self.open_cue = None
            return self._add(ElementKind.ACTION, action, vl)
        caption = L.caption(text)
        if caption is not None:
            return self._add(ElementKind.CAPTION, caption, vl)
        spoken = L.narration(text)
        if spoken is not None and vl.cue is None:
            direction, speech = spoken
            return self._speech(None, direction, "VO", ElementKind.NARRATION, speech, vl)
        return self._bracketed(vl)

    def _bracketed(self, vl: VirtualLine) -> bool:
        parts = L.bracketed(vl.text)
        if parts is None:
            return False
        opener, inner, rest = parts
        if self._tagged(inner, rest, vl):
            return True
        if opener in "（(" and (rest or self.open_cue is not None):
            return False  # （哽咽）你别走 or a direction under an open cue: handled as speech
        inner_line = replace(vl, text=inner, cue=None, speech="")
        if L.episode_mark(inner) is not None:
            self._structure(inner_line)
        elif L.caption(inner) is not None:
            self._add(ElementKind.CAPTION, L.caption(inner) or "", vl)
        elif L.flashback(inner) or L.is_transition(inner) or L.narration(inner):
            self._markers(inner_line)
        elif inner:
            self.open_cue = None
            self._add(ElementKind.ACTION, inner, vl)
        self._rest(vl, rest)
        return True

    def _tagged(self, tag: str, rest: str, vl: VirtualLine) -> bool:
        """Tagged layout: `[对话: 乔思辰 说]：…`, `[动作: 乔思辰]：…`, `[角色] 乔思辰，江一然`."""
        match = _TAG.match(tag)
        if match is None:
            return False
        kind, name = match.group(1), match.group(2)
        body = rest.lstrip("：: ")
        if kind == "角色":
            self._cast(L.cast_names(body), vl.text, vl.line)
        elif kind == "对话" and name:
            self._speech(normalise_name(name), None, None, ElementKind.DIALOGUE, body, vl)
        elif kind == "旁白":
            self._speech(None, None, "VO", ElementKind.NARRATION, body, vl)
        else:
            self._add(ElementKind.ACTION, body, vl)
        return True

    # -- speech -----------------------------------------------------------
    def _cue(self, vl: VirtualLine) -> bool:
        cue = vl.cue
        assert cue is not None
        if is_structure_key(cue.speaker) and cue.speaker not in NARRATOR_NAMES:
            return self._metadata(cue.speaker, vl)
        if cue.speaker in NARRATOR_NAMES:
            voice = cue.voice or "VO"
            return self._speech(None, cue.direction, voice, ElementKind.NARRATION, vl.speech, vl)
        if L.character_note(vl.speech):
            self._cast([cue.speaker], vl.text, vl.line)
            return True
        kind = ElementKind.NARRATION if cue.voice else ElementKind.DIALOGUE
        return self._speech(cue.speaker, cue.direction, cue.voice, kind, vl.speech, vl)

    def _speech(self, speaker: str | None, direction: str | None, voice: str | None, kind: str,
                speech: str, vl: VirtualLine) -> bool:
        extra, speech = L.split_parentheticals(speech)
        direction = "，".join(d for d in (direction, extra) if d) or None
        self.started = True
        if not speech:
            self.open_cue = _OpenCue(speaker, direction, voice, kind)
            return True
        self.open_cue = None
        self._flush()
        self.builder.add(Element(kind=kind, text=speech, line=vl.line, speaker=speaker,
                                 direction=direction, voice=voice))
        return True

    def _metadata(self, key: str, vl: VirtualLine) -> bool:
        value = vl.speech.strip()
        if not self.started and key in _METADATA_KEYS and value:
            name = _METADATA_KEYS[key]
            if name == "title":
                self.title = self.title or value.strip("《》")
            self.metadata.setdefault(name, value)
            return True
        return self._add(ElementKind.NOTE, vl.text, vl)

    def _plain(self, vl: VirtualLine) -> None:
        text = vl.text
        if not self.started and self.title is None:
            match = _TITLE.match(text)
            if match or (len(text) <= 30 and not re.search(r"[。！？!?，,：:]", text)):
                self.title = match.group(1) if match else text.strip("《》 ")
                if match and match.group(2):
                    self._rest(vl, match.group(2))
                return
        if self.open_cue is not None:
            cue = self.open_cue
            self._speech(cue.speaker, cue.direction, cue.voice, cue.kind, text, vl)
            return
        name, direction, voice = _bare_name(text) if self.speakers else (None, None, None)
        if name and name in self.speakers:
            kind = ElementKind.NARRATION if voice else ElementKind.DIALOGUE
            self.open_cue = _OpenCue(name, direction, voice, kind)
            return
        if vl.fresh and not vl.after_blank and self.marked and self.builder.extend_last(text):
            return
        self._add(ElementKind.ACTION, text, vl)

    # -- helpers ------------------------------------------------------------
    def _add(self, kind: str, text: str, vl: VirtualLine) -> bool:
        self._flush()
        if kind != ElementKind.NOTE:
            self.started = True
        if kind in (ElementKind.FLASHBACK, ElementKind.TRANSITION, ElementKind.CAPTION):
            self.open_cue = None
        self.builder.add(Element(kind=kind, text=text.strip(), line=vl.line))
        return True

    def _rest(self, vl: VirtualLine, rest: str) -> None:
        rest = rest.strip()
        if rest:
            self.rests.append(VirtualLine(rest, vl.line, fresh=False, after_blank=False))


def _bare_name(text: str) -> tuple[str | None, str | None, str | None]:
    """A line holding only a name (and a direction): `张华` or `林晚（哽咽）`."""
    if len(text) > 20:
        return None, None, None
    match = _BARE_NAME.fullmatch(text)
    if not match:
        return None, None, None
    return split_voice(normalise_name(match.group(1)), match.group(2))


def _uses_action_marks(lines: list[VirtualLine]) -> bool:
    marks = sum(1 for vl in lines[:5000] if vl.text and vl.text[0] in "△▲【[")
    return marks >= 2


def _is_inline(text: str, lines: list[VirtualLine]) -> bool:
    source_lines = text.count("\n") + 1
    return len(lines) > 2 * source_lines
