"""spaCy preprocessing: tokens, sentences, long lines, and the cast of a script."""
from __future__ import annotations

import subprocess
import sys

import pytest

from resonance.errors import ConfigError
from resonance.preprocess import (
    WINDOW_CHARS,
    character_inventory,
    sentences,
    split_windows,
    tokenize,
    tokenize_elements,
)
from resonance.types import Element, ElementKind, Episode, Scene, Script


def _line(speaker: str | None, text: str, line: int, kind: str = ElementKind.DIALOGUE) -> Element:
    return Element(kind=kind, text=text, line=line, speaker=speaker)


def _episode(*elements: Element) -> Episode:
    return Episode(number=1, title=None, line=1, scenes=(Scene(heading=None, line=1, elements=elements),))


# -- tokens and sentences ------------------------------------------------------------

def test_chinese_is_cut_into_words_not_characters():
    doc = tokenize(["我们明天一起去看京剧表演"], "zh")[0]
    words = [token.text for token in doc]
    assert "我们" in words and "明天" in words
    assert len(words) < len("我们明天一起去看京剧表演")


def test_english_tokens_split_punctuation_and_contractions():
    doc = tokenize(["Don't touch Grandma's lion-dance mask!"], "en")[0]
    words = [token.text for token in doc]
    assert words[:2] == ["Do", "n't"]
    assert words[-1] == "!"


def test_one_doc_per_text_in_order():
    texts = ["第一句。", "", "第三句话比较长一些。"]
    docs = tokenize(texts, "zh")
    assert [doc.text for doc in docs] == texts


def test_chinese_line_splits_at_full_stop_exclamation_question_and_ellipsis():
    found = sentences("你终于来了。我等了你三年！你为什么不说话？算了……我走了", "zh")
    assert found == ["你终于来了。", "我等了你三年！", "你为什么不说话？", "算了……", "我走了"]


def test_english_sentences():
    assert sentences("Wait. Who are you? Get out!", "en") == ["Wait.", "Who are you?", "Get out!"]


def test_a_very_long_line_is_windowed_but_still_one_doc_with_the_same_text():
    long_line = "林晚攥着缴费单，指节发白。" * 400  # 5,200 characters, the run-together corpus files
    pieces = split_windows(long_line)
    assert len(pieces) > 1
    assert "".join(pieces) == long_line
    assert all(len(piece) <= WINDOW_CHARS for piece in pieces)
    assert all(piece.endswith("。") for piece in pieces)  # cut at sentence ends
    doc = tokenize([long_line], "zh")[0]
    assert doc.text == long_line
    assert len(list(doc.sents)) == 400


def test_window_cut_falls_back_to_a_hard_cut_without_punctuation():
    text = "啊" * (WINDOW_CHARS * 2 + 5)
    pieces = split_windows(text)
    assert "".join(pieces) == text and max(map(len, pieces)) == WINDOW_CHARS


def test_element_docs_carry_line_speaker_and_kind():
    elements = [_line("林晚", "这一次，我不会再低头。", 7), _line(None, "△走廊尽头。", 8, ElementKind.ACTION)]
    docs = tokenize_elements(elements, "zh")
    assert (docs[0]._.resonance_line, docs[0]._.resonance_speaker) == (7, "林晚")
    assert docs[1]._.resonance_kind == ElementKind.ACTION


def test_unknown_language_is_a_config_error():
    with pytest.raises(ConfigError):
        tokenize(["bonjour"], "fr")


def test_importing_preprocess_and_culture_does_not_import_spacy():
    code = ("import sys, resonance.preprocess, resonance.culture; "
            "sys.exit(1 if 'spacy' in sys.modules or 'jieba' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- the cast -------------------------------------------------------------------------

def _names(episode: Episode) -> dict[str, int]:
    return {c.name: c.lines for c in character_inventory(episode)}


def test_counts_spoken_lines_only_most_lines_first():
    episode = _episode(
        _line("周母", "三万块？", 2), _line("林晚", "我会还。", 3), _line("林晚", "一定。", 4),
        _line(None, "△林晚转身。", 5, ElementKind.ACTION), _line("林晚", "走廊", 6, ElementKind.HEADING),
    )
    cast = character_inventory(episode)
    assert [(c.name, c.lines) for c in cast] == [("林晚", 2), ("周母", 1)]
    assert cast[0].characters == len("我会还。一定。")
    assert cast[0].first_line == 3


def test_cue_extensions_case_and_spacing_are_merged():
    episode = _episode(
        _line("CHEN", "Hi.", 1), _line("CHEN (V.O.)", "Years ago...", 2), _line("Chen", "Yes.", 3),
        _line("林晚（OS）", "不。", 4), _line("林晚", "好。", 5), _line("张 三", "喂！", 6), _line("张三", "谁？", 7),
    )
    assert _names(episode) == {"CHEN": 3, "林晚": 2, "张三": 2}


def test_honorific_merges_only_when_one_title_claims_the_name():
    merged = _episode(_line("MR. CHEN", "Sit.", 1), _line("CHEN", "Now.", 2), _line("CHEN", "Go.", 3))
    cast = character_inventory(merged)
    assert [(c.name, c.lines) for c in cast] == [("CHEN", 3)]
    assert cast[0].aliases == ("MR. CHEN",)

    ambiguous = _episode(_line("MR. CHEN", "Sit.", 1), _line("MRS. CHEN", "No.", 2), _line("CHEN", "Go.", 3))
    assert _names(ambiguous) == {"MR. CHEN": 1, "MRS. CHEN": 1, "CHEN": 1}


def test_surname_alone_merges_into_the_only_full_name_with_it():
    one = _episode(_line("DAVID CHEN", "Hi.", 1), _line("CHEN", "Yes.", 2), _line("MAYA", "Hey.", 3))
    assert _names(one) == {"DAVID CHEN": 2, "MAYA": 1}

    two = _episode(_line("DAVID CHEN", "Hi.", 1), _line("AMY CHEN", "Yes.", 2), _line("CHEN", "Hm.", 3))
    assert _names(two) == {"DAVID CHEN": 1, "AMY CHEN": 1, "CHEN": 1}


def test_chinese_prefix_names_merge_only_when_safe():
    episode = _episode(
        _line("阿强", "走！", 1), _line("强", "好。", 2), _line("阿强", "快。", 3),  # 阿强 = 强
        _line("小王", "嗯。", 4), _line("老王", "哼。", 5), _line("王", "啊？", 6),  # two prefixes: ambiguous
        _line("林晚", "不。", 7), _line("小林", "姐。", 8),  # 小林 is not 林晚
        _line("小姐", "请。", 9), _line("姐", "哦。", 10),  # 小姐 is a word, not 小 + 姐
    )
    assert _names(episode) == {"阿强": 3, "小王": 1, "老王": 1, "王": 1, "林晚": 1, "小林": 1, "小姐": 1, "姐": 1}


def test_inventory_of_a_whole_script_spans_episodes():
    first = _episode(_line("林晚", "一。", 1))
    second = Episode(number=2, title=None, line=9,
                     scenes=(Scene(heading=None, line=9, elements=(_line("林晚", "二。", 10),)),))
    script = Script(source="s.txt", format="zh_text", encoding="utf-8", language="zh", episodes=(first, second))
    assert _names(script) == {"林晚": 2}
