"""Chinese script reader: mainland layout, inline (run-together) layout, numerals."""
from __future__ import annotations

import time

import pytest

from resonance.io import read_script, read_text
from resonance.io.numerals import chinese_to_int, try_chinese_to_int
from resonance.types import ElementKind

MAINLAND = """\
第1集 她回来了
1-1 日 内 医院走廊
人物：林晚、周母
△走廊尽头，林晚攥着缴费单，指节发白。
周母（冷笑）：三万块？你拿什么还？
林晚（OS）：这一次，我不会再低头。
林晚：（哽咽）妈，
我求你了。
【闪回】
▲十年前，雨夜。
【闪回结束】
【字幕：三年后】
旁白：那一年，她十八岁。
切至：
第十二集：重逢
3-2 夜 外 天台
周母：你来了。
林晚VO: 风很大。
【第一百零三集】
场景一：客厅
{客厅里一片狼藉。}
[门铃响。]
周母：谁？
"""


def _script(tmp_path, text, name="drama.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return read_script(path)


def _spoken(script):
    return [e for e in script.elements if e.kind in ElementKind.SPOKEN]


# -- mainland layout -------------------------------------------------------------

def test_episode_markers_with_arabic_and_chinese_numerals(tmp_path):
    script = _script(tmp_path, MAINLAND)
    assert [ep.number for ep in script.episodes] == [1, 12, 103]
    assert script.episodes[0].title == "她回来了"
    assert script.episodes[1].title == "重逢"
    assert script.format == "zh_text" and script.language == "zh"


def test_episode_marker_variants():
    text = "【第2集】\n甲：一。\n第3集：回家\n甲：二。\n第 4 集 · 归来\n甲：三。\n"
    script = read_text(text)
    assert [(ep.number, ep.title) for ep in script.episodes] == [(2, None), (3, "回家"), (4, "归来")]


def test_a_comma_inside_a_short_episode_title_stays_in_the_title():
    script = read_text("第1集 三十五岁，被优化\n△会议室里一片死寂。\n第2集 他来了。林晚推门进来\n甲：二。\n")
    assert [ep.title for ep in script.episodes] == ["三十五岁，被优化", "他来了"]
    assert [e.text for e in script.episodes[0].elements if e.is_spoken or e.kind == "action"] == ["会议室里一片死寂。"]


def test_scene_heading_fields(tmp_path):
    script = _script(tmp_path, MAINLAND)
    first = script.episodes[0].scenes[0]
    assert (first.number, first.time_of_day, first.setting, first.location) == ("1-1", "day", "int", "医院走廊")
    rooftop = script.episodes[1].scenes[0]
    assert (rooftop.number, rooftop.time_of_day, rooftop.setting, rooftop.location) == ("3-2", "night", "ext", "天台")
    living_room = script.episodes[2].scenes[0]
    assert living_room.number == "1" and living_room.location == "客厅"


def test_numbered_scene_words():
    script = read_text("第一场\n甲：走。\n第二场 夜 外 河边\n乙：来。\n")
    scenes = script.episodes[0].scenes
    assert [s.number for s in scenes] == ["1", "2"]
    assert scenes[1].time_of_day == "night" and scenes[1].location == "河边"


def test_scene_details_on_following_key_lines():
    script = read_text("第一场\n时间：傍晚\n地点：村口老槐树下\n人物：二柱、翠花\n二柱：你咋来了？\n")
    scene = script.episodes[0].scenes[0]
    assert scene.location == "村口老槐树下"
    assert scene.time_of_day == "dusk"
    assert scene.cast == ("二柱", "翠花")
    assert {e.speaker for e in _spoken(script)} == {"二柱"}


def test_cast_line_goes_to_scene_cast(tmp_path):
    script = _script(tmp_path, MAINLAND)
    scene = script.episodes[0].scenes[0]
    assert scene.cast == ("林晚", "周母")
    assert any(e.kind == ElementKind.CAST for e in scene.elements)


def test_emotion_cue_is_direction_not_text(tmp_path):
    script = _script(tmp_path, MAINLAND)
    line = next(e for e in script.elements if e.speaker == "周母" and "三万块" in e.text)
    assert line.kind == ElementKind.DIALOGUE
    assert line.direction == "冷笑"
    assert "冷笑" not in line.text and "（" not in line.text
    assert line.text == "三万块？你拿什么还？"


def test_leading_parenthetical_in_speech_is_direction_and_continuation_joins(tmp_path):
    script = _script(tmp_path, MAINLAND)
    line = next(e for e in script.elements if e.speaker == "林晚" and e.kind == ElementKind.DIALOGUE)
    assert line.direction == "哽咽"
    assert line.text == "妈，我求你了。"
    assert line.line == 7


def test_os_vo_and_narrator_are_narration(tmp_path):
    script = _script(tmp_path, MAINLAND)
    narration = [e for e in script.elements if e.kind == ElementKind.NARRATION]
    inner = next(e for e in narration if e.voice == "OS")
    assert inner.speaker == "林晚" and inner.text == "这一次，我不会再低头。"
    voice_over = next(e for e in narration if e.speaker == "林晚" and e.voice == "VO")
    assert voice_over.text == "风很大。"
    narrator = next(e for e in narration if e.speaker is None)
    assert narrator.text == "那一年，她十八岁。"


def test_caption_flashback_transition_and_action(tmp_path):
    script = _script(tmp_path, MAINLAND)
    kinds = [(e.kind, e.text) for e in script.elements]
    assert (ElementKind.CAPTION, "三年后") in kinds
    assert (ElementKind.FLASHBACK, "闪回") in kinds
    assert (ElementKind.FLASHBACK, "闪回结束") in kinds
    assert any(kind == ElementKind.TRANSITION and "切至" in text for kind, text in kinds)
    actions = [text for kind, text in kinds if kind == ElementKind.ACTION]
    assert "走廊尽头，林晚攥着缴费单，指节发白。" in actions
    assert "十年前，雨夜。" in actions
    assert "客厅里一片狼藉。" in actions and "门铃响。" in actions


def test_plain_caption_and_half_width_colon():
    script = read_text("字幕：一年后\n阿强:钱呢？\n阿强: 拿来！\n")
    assert [(e.kind, e.text) for e in script.elements][:1] == [(ElementKind.CAPTION, "一年后")]
    assert [(e.speaker, e.text) for e in _spoken(script)] == [("阿强", "钱呢？"), ("阿强", "拿来！")]


def test_element_line_numbers_point_at_source_lines(tmp_path):
    script = _script(tmp_path, MAINLAND)
    lines = MAINLAND.splitlines()
    for element in script.elements:
        assert element.text[:1] in lines[element.line - 1]
    assert {e.line for e in script.elements if e.speaker == "周母"} == {5, 17, 23}


def test_metadata_keys_are_not_speakers():
    text = "编剧：王五\n时间：夜\n地点：天台\n人物：甲、乙\n甲：你好。\n乙：你好。\n场景：屋里\n导演：赵六\n"
    script = read_text(text)
    speakers = {e.speaker for e in _spoken(script)}
    assert speakers == {"甲", "乙"}
    assert script.metadata.get("writer") == "王五"


def test_file_without_episode_markers_is_episode_one():
    script = read_text("甲：你来了。\n乙：我来了。\n")
    assert [ep.number for ep in script.episodes] == [1]
    assert [e.speaker for e in _spoken(script)] == ["甲", "乙"]


def test_episode_words_inside_speech_stay_speech():
    script = read_text("1-1 日 内 客厅\n林晚：第3集的台词我背熟了。\n周母：第二场呢？\n")
    assert [ep.number for ep in script.episodes] == [1]
    assert [(e.speaker, e.text) for e in _spoken(script)] == [
        ("林晚", "第3集的台词我背熟了。"), ("周母", "第二场呢？")]


def test_name_alone_on_a_line_then_speech():
    script = read_text("张华：开门！\n张华\n这是我的店。\n吴丰：好。\n")
    assert [(e.speaker, e.text) for e in _spoken(script)][1] == ("张华", "这是我的店。")


# -- inline layout ----------------------------------------------------------------

INLINE = ("破旧的小屋里，强子踹开门走了进来。强子：拿钱！猛子（发抖）：没、没有啊。强子：没有？"
          "猛子：真的没有。时间：深夜。强子一把揪住猛子的衣领强子：今天不给钱，别想走！")


def test_inline_cues_split_into_dialogue_and_action():
    script = read_text(INLINE)
    spoken = _spoken(script)
    assert [e.speaker for e in spoken] == ["强子", "猛子", "强子", "猛子", "强子"]
    assert spoken[0].text == "拿钱！"
    assert spoken[1].direction == "发抖" and spoken[1].text == "没、没有啊。"
    assert spoken[-1].text == "今天不给钱，别想走！"
    assert all(e.line == 1 for e in script.elements)
    actions = [e.text for e in script.elements if e.kind == ElementKind.ACTION]
    assert actions[0] == "破旧的小屋里，强子踹开门走了进来。"
    assert "强子一把揪住猛子的衣领" in actions
    assert script.metadata["layout"] == "inline"


def test_fullwidth_space_paragraphs_are_lines():
    text = ("　　一、山村　　一辆公共汽车慢慢停了下来。　　刘老汉：走，咱回家去！"
            "　　刘平：爸。　　二、刘平家　　刘老汉：在家好好歇几天。　　刘平：嗯。")
    script = read_text(text)
    scenes = script.episodes[0].scenes
    assert [s.location for s in scenes] == ["山村", "刘平家"]
    assert [(e.speaker, e.text) for e in _spoken(script)] == [
        ("刘老汉", "走，咱回家去！"), ("刘平", "爸。"), ("刘老汉", "在家好好歇几天。"), ("刘平", "嗯。")]


def test_inline_speaker_that_runs_on_from_action():
    text = "奶奶：饭好了。女孩：奶奶，薯片是您买的吗？奶奶一头雾水奶奶：我没买啊。女孩：那是谁？"
    spoken = _spoken(read_text(text))
    assert [e.speaker for e in spoken] == ["奶奶", "女孩", "奶奶", "女孩"]
    assert spoken[2].text == "我没买啊。"


def test_one_off_colon_words_are_not_speakers():
    text = "甲：看黑板。乙：写的什么？黑板上写着：明天考试。甲：完了。乙：完了。"
    spoken = _spoken(read_text(text))
    assert {e.speaker for e in spoken} == {"甲", "乙"}


def test_quoted_speech_in_prose_is_attributed():
    text = "大伯走进院子。大伯笑着说：“想吃吗？”小明点点头。小明说：“想！”大伯把香蕉递给小明。"
    spoken = _spoken(read_text(text))
    assert [(e.speaker, e.text) for e in spoken] == [("大伯", "想吃吗？"), ("小明", "想！")]


def test_large_single_line_parses_in_bounded_time():
    unit = "强子一把揪住猛子的衣领。强子：今天不给钱，别想走！猛子（发抖）：我真的没有。"
    text = "　　".join([unit] * 25_000)  # about 2 MB of UTF-8 on one line
    start = time.perf_counter()
    script = read_text(text)
    elapsed = time.perf_counter() - start
    assert len(_spoken(script)) == 50_000
    assert elapsed < 20  # linear work; catastrophic backtracking would take minutes


# -- numerals ---------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百零三", 103), ("两千", 2000),
    ("一千零一", 1001), ("三万五千", 35_000), ("二〇二四", 2024), ("12", 12), ("１２", 12), ("零", 0),
])
def test_chinese_numerals(text, value):
    assert chinese_to_int(text) == value


def test_not_a_numeral():
    assert try_chinese_to_int("三集") is None
    with pytest.raises(ValueError):
        chinese_to_int("")
