"""The cultural lexicon and its matcher: what a user sees in the cultural-resonance report."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resonance.culture import (
    CULTURE_TYPES,
    CulturalMatcher,
    find_cultural_spans,
    find_cultural_spans_in_elements,
    load_lexicon,
)
from resonance.culture.lexicon import read_entries
from resonance.culture.matcher import to_spacy_spans
from resonance.errors import ConfigError
from resonance.types import Element, ElementKind


def _found(text: str, lang: str) -> list[tuple[str, str, str]]:
    return [(s.text, s.term, s.type) for s in find_cultural_spans(text, lang)]


# -- the shipped lexicon ------------------------------------------------------------------

def test_lexicon_files_have_800_entries_with_known_types_and_no_repeats():
    zh, en = load_lexicon("zh"), load_lexicon("en")
    assert len(zh) + len(en) >= 800
    assert len(zh) >= 500 and len(en) >= 250
    for lexicon in (zh, en):
        assert {entry.type for entry in lexicon.entries} <= set(CULTURE_TYPES)
        terms = [entry.term.lower() for entry in lexicon.entries]
        assert len(terms) == len(set(terms))
        forms = [form.lower() for entry in lexicon.entries for form in entry.forms]
        assert len(forms) == len(set(forms))  # an alias never names two entries
        assert not {word.lower() for word in lexicon.generic} & set(forms)


def test_every_culture_type_is_used_in_chinese():
    counts = load_lexicon("zh").count_by_type()
    assert all(count > 0 for count in counts.values()), counts


def test_the_24_solar_terms_are_all_there():
    solar = ["立春", "雨水", "惊蛰", "春分", "清明", "谷雨", "立夏", "小满", "芒种", "夏至", "小暑", "大暑",
             "立秋", "处暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至", "小寒", "大寒"]
    entries = [e for e in load_lexicon("zh").entries if e.type == "festival_solar_term"]
    for name in solar:
        assert any(form.startswith(name) for e in entries for form in e.forms), name


def test_a_repeated_form_in_a_lexicon_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "zh.jsonl"
    rows = [{"term": "傩戏", "type": "performing_art", "aliases": []},
            {"term": "傩堂戏", "type": "performing_art", "aliases": ["傩戏"]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"zh.jsonl:2: .*傩戏"):
        read_entries(path)


def test_an_unknown_type_is_reported(tmp_path):
    path = tmp_path / "en.jsonl"
    path.write_text('{"term": "haka", "type": "dance", "aliases": []}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown type 'dance'"):
        read_entries(path)


# -- what the matcher finds ------------------------------------------------------------------

def test_nuo_opera_and_its_mask_in_chinese():
    assert _found("她从小跟爷爷学傩戏，如今要亲手雕一副傩面具。", "zh") == [
        ("傩戏", "傩戏", "performing_art"), ("傩面具", "傩面具", "craft_heritage")]


def test_nuo_opera_and_day_of_the_dead_in_english():
    assert _found("Grandpa taught me Nuo opera before Día de Muertos.", "en") == [
        ("Nuo opera", "Nuo opera", "performing_art"), ("Día de Muertos", "Día de Muertos", "festival_solar_term")]


def test_an_alias_reports_the_canonical_term():
    assert _found("We built the ofrenda for Dia de los Muertos.", "en")[-1][1:] == (
        "Día de Muertos", "festival_solar_term")
    assert _found("他给孩子发了压岁包。", "zh") == [("压岁包", "压岁钱", "custom_rite")]


def test_longest_match_wins():
    assert _found("他表演川剧变脸。", "zh") == [("川剧变脸", "川剧变脸", "performing_art")]
    assert _found("他唱川剧。", "zh") == [("川剧", "川剧", "performing_art")]
    assert _found("Her first Mid-Autumn Festival abroad.", "en") == [
        ("Mid-Autumn Festival", "Mid-Autumn Festival", "festival_solar_term")]


def test_a_longer_term_starting_inside_a_shorter_one_still_wins():
    matcher = _tiny_matcher([("甲乙", "custom_rite"), ("乙丙丁戊", "cuisine")])
    assert [(s.text, s.type) for s in matcher.find("了甲乙丙丁戊了")] == [("乙丙丁戊", "cuisine")]


def test_generic_words_are_found_but_not_specific():
    spans = find_cultural_spans("我们要守住传统文化。", "zh")
    assert [(s.text, s.type, s.specific) for s in spans] == [("传统文化", "generic", False)]
    spans = find_cultural_spans("Our traditions and the lion dance.", "en")
    assert [(s.text, s.specific) for s in spans] == [("traditions", False), ("lion dance", True)]


def test_everyday_words_that_contain_a_term_are_not_reported():
    assert _found("你这个小年轻懂什么。", "zh") == []
    assert _found("腊月二十三过小年。", "zh") == [("腊月", "腊月", "festival_solar_term"),
                                            ("小年", "小年", "festival_solar_term")]
    assert _found("三天后我再来。", "zh") == []  # 天后 is not the goddess here


def test_english_matches_whole_words_any_case_with_plurals():
    assert _found("Happy holidays!", "en") == []  # not Holi
    assert _found("DIWALI lights and Holi's colours", "en") == [
        ("DIWALI", "Diwali", "festival_solar_term"), ("Holi's", "Holi", "festival_solar_term")]
    assert _found("the lion dancers arrive", "en") == [("lion dancers", "lion dance", "performing_art")]
    assert _found("St. Patrick’s Day parade", "en")[0][1] == "St. Patrick's Day"


def test_offsets_point_into_the_original_text():
    text = "İSTANBUL. 她在端午节包粽子，也看赛龙舟。"
    for span in find_cultural_spans(text, "zh"):
        assert text[span.start:span.end] == span.text
    assert [s.term for s in find_cultural_spans(text, "zh")] == ["端午节", "粽子", "赛龙舟"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["傩戏", "傩面具", "川剧", "川剧变脸", "小年", "小年轻", "传统",
                                 "我", "，", "面具", "变脸", "年轻", "剧", "。", " "]), max_size=25))
def test_spans_never_overlap_and_match_their_text(pieces):
    text = "".join(pieces)
    spans = find_cultural_spans(text, "zh")
    for span in spans:
        assert text[span.start:span.end] == span.text
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_spans_in_elements_keep_element_index_and_line():
    elements = [Element(kind=ElementKind.ACTION, text="△祠堂里，族长翻开族谱。", line=12),
                Element(kind=ElementKind.DIALOGUE, text="没什么。", line=13, speaker="林晚"),
                Element(kind=ElementKind.DIALOGUE, text="明天清明节，回去祭祖。", line=14, speaker="周母")]
    found = [(f.element_index, f.line, f.span.term) for f in find_cultural_spans_in_elements(elements, "zh")]
    assert found == [(0, 12, "祠堂"), (0, 12, "族谱"), (2, 14, "清明节"), (2, 14, "祭祖")]


def test_spans_map_onto_spacy_tokens():
    from resonance.preprocess import tokenize

    text = "她戴上傩面具，跳起了傩舞。"
    doc = tokenize([text], "zh")[0]
    spans = to_spacy_spans(doc, find_cultural_spans(text, "zh"))
    assert [(s.text, s._.resonance_culture_type) for s in spans] == [
        ("傩面具", "craft_heritage"), ("傩舞", "performing_art")]


def test_four_thousand_short_lines_take_well_under_a_second():
    lines = ["林晚攥着缴费单，说今年春节要回苗寨看蜡染。", "你懂什么传统？", "我们去看京剧吧！",
             "MAYA lights a diya for Diwali."] * 1000
    find_cultural_spans("", "zh"), find_cultural_spans("", "en")  # load first
    start = time.perf_counter()
    for line in lines:
        find_cultural_spans(line, "en" if line.isascii() else "zh")
    assert time.perf_counter() - start < 1.0


def _tiny_matcher(rows: list[tuple[str, str]]) -> CulturalMatcher:
    from resonance.culture import Lexicon, LexiconEntry

    entries = tuple(LexiconEntry(term=term, type=kind) for term, kind in rows)
    return CulturalMatcher(Lexicon(lang="zh", entries=entries))
