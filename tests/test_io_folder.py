"""A folder of episode files read as one series."""
from __future__ import annotations

import os

import pytest

from resonance.errors import InputError
from resonance.io import read_script
from resonance.io.folder import read_folder

MAX = 1_000_000


def _episode(text_line: str) -> str:
    return f"1-1 日 内 客厅\n林晚：{text_line}\n周母：嗯。\n"


def _first_line(episode):
    return next(e.text for e in episode.elements if e.speaker == "林晚")


def test_files_are_read_in_natural_order(tmp_path):
    for number in (10, 2, 1):
        (tmp_path / f"ep{number}.txt").write_text(_episode(f"第{number}个文件"), encoding="utf-8")
    script = read_script(tmp_path)
    assert script.format == "folder"
    assert [ep.number for ep in script.episodes] == [1, 2, 10]
    assert [_first_line(ep) for ep in script.episodes] == ["第1个文件", "第2个文件", "第10个文件"]
    assert script.language == "zh"


def test_chinese_file_names_give_episode_numbers(tmp_path):
    for number in (3, 1, 12):
        (tmp_path / f"第{number}集.txt").write_text(_episode(str(number)), encoding="utf-8")
    script = read_folder(tmp_path, max_bytes=MAX)
    assert [ep.number for ep in script.episodes] == [1, 3, 12]


def test_a_file_with_its_own_markers_keeps_them(tmp_path):
    (tmp_path / "part1.txt").write_text("第5集\n" + _episode("五") + "第6集\n" + _episode("六"), encoding="utf-8")
    (tmp_path / "part2.txt").write_text("第7集\n" + _episode("七"), encoding="utf-8")
    script = read_folder(tmp_path, max_bytes=MAX)
    assert [ep.number for ep in script.episodes] == [5, 6, 7]


def test_hidden_and_non_script_files_are_skipped(tmp_path):
    (tmp_path / "ep1.txt").write_text(_episode("一"), encoding="utf-8")
    (tmp_path / ".ep2.txt").write_text(_episode("隐藏"), encoding="utf-8")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0not a script")
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "ep9.txt").write_text(_episode("草稿"), encoding="utf-8")
    script = read_folder(tmp_path, max_bytes=MAX)
    assert [_first_line(ep) for ep in script.episodes] == ["一"]


def test_encoding_is_the_most_common_one(tmp_path):
    (tmp_path / "ep1.txt").write_bytes(_episode("一").encode("gb18030"))
    (tmp_path / "ep2.txt").write_bytes(_episode("二").encode("gb18030"))
    (tmp_path / "ep3.txt").write_bytes(_episode("三").encode("utf-8"))
    script = read_folder(tmp_path, max_bytes=MAX)
    assert script.encoding == "gb18030"
    assert [_first_line(ep) for ep in script.episodes] == ["一", "二", "三"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this system")
def test_symlink_loop_is_refused_naming_the_file(tmp_path):
    (tmp_path / "ep1.txt").write_text(_episode("一"), encoding="utf-8")
    loop = tmp_path / "ep2.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="ep2.txt"):
        read_folder(tmp_path, max_bytes=MAX)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_refused_naming_the_file(tmp_path):
    (tmp_path / "ep1.txt").write_text(_episode("一"), encoding="utf-8")
    locked = tmp_path / "ep2.txt"
    locked.write_text(_episode("二"), encoding="utf-8")
    locked.chmod(0)
    try:
        with pytest.raises(InputError, match="ep2.txt"):
            read_folder(tmp_path, max_bytes=MAX)
    finally:
        locked.chmod(0o644)


def test_folder_without_scripts_is_an_error(tmp_path):
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match="no script files"):
        read_folder(tmp_path, max_bytes=MAX)


def test_oversized_episode_file_is_refused(tmp_path):
    (tmp_path / "ep1.txt").write_text(_episode("一" * 2000), encoding="utf-8")
    with pytest.raises(InputError, match="ep1.txt"):
        read_folder(tmp_path, max_bytes=1000)
