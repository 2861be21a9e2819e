"""Reading Chinese scripts saved in the encodings and line endings people actually use."""
from __future__ import annotations

import codecs

import pytest

from resonance.errors import InputError
from resonance.io import read_script
from resonance.types import ElementKind

SIMPLIFIED = "第1集 重逢\n1-1 日 内 医院走廊\n林晚：你终于来了。\n周母（冷笑）：三万块？你拿什么还？\n"
TRADITIONAL = "第1集 重逢\n1-1 日 內 醫院走廊\n林晚：你終於來了。\n周母（冷笑）：三萬塊？你拿什麼還？\n"


def _write(tmp_path, data: bytes, name="script.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _lines(script):
    return [(e.speaker, e.text) for e in script.elements if e.kind == ElementKind.DIALOGUE]


@pytest.mark.parametrize("data, encoding", [
    (SIMPLIFIED.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-bom"),
    (SIMPLIFIED.encode("utf-16"), "utf-16"),  # Python writes a byte-order mark
    (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16"),
    (SIMPLIFIED.encode("gb18030"), "gb18030"),
    (SIMPLIFIED.encode("gbk"), "gb18030"),
])
def test_simplified_chinese_in_each_encoding(tmp_path, data, encoding):
    script = read_script(_write(tmp_path, data))
    assert script.encoding == encoding
    assert _lines(script) == [("林晚", "你终于来了。"), ("周母", "三万块？你拿什么还？")]
    assert script.episodes[0].scenes[0].location == "医院走廊"


def test_big5_is_not_mistaken_for_gbk(tmp_path):
    script = read_script(_write(tmp_path, TRADITIONAL.encode("big5")))
    assert script.encoding == "big5"
    assert _lines(script) == [("林晚", "你終於來了。"), ("周母", "三萬塊？你拿什麼還？")]


def test_short_gbk_file_is_not_mistaken_for_big5(tmp_path):
    script = read_script(_write(tmp_path, "老王：走吧。\n".encode("gbk")))
    assert script.encoding == "gb18030"
    assert _lines(script) == [("老王", "走吧。")]


def test_gb18030_with_crlf_line_endings(tmp_path):
    script = read_script(_write(tmp_path, SIMPLIFIED.replace("\n", "\r\n").encode("gb18030")))
    assert script.encoding == "gb18030"
    assert _lines(script) == [("林晚", "你终于来了。"), ("周母", "三万块？你拿什么还？")]
    assert all("\r" not in e.text for e in script.elements)
    assert [e.line for e in script.elements if e.kind == ElementKind.DIALOGUE] == [3, 4]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_give_the_same_lines(tmp_path, newline):
    script = read_script(_write(tmp_path, SIMPLIFIED.replace("\n", newline).encode("utf-8")))
    assert [e.line for e in script.elements if e.kind == ElementKind.DIALOGUE] == [3, 4]
    assert _lines(script)[0] == ("林晚", "你终于来了。")


def test_empty_and_binary_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="empty"):
        read_script(_write(tmp_path, b"  \n\n", "empty.txt"))
    with pytest.raises(InputError, match="binary"):
        read_script(_write(tmp_path, bytes(range(256)) * 8, "noise.txt"))
