"""A catalogue of bad inputs. Each one gets a clear one-line error that names the file (and
the line, where a line helps), never a traceback; `resonance parse FILE` prints it as
``error: FILE: ...`` on stderr and exits 1; in a batch the good files are still read and
scored. docs/limits.md lists the exact message for each case.
"""
from __future__ import annotations

import functools
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resonance.cli import app
from resonance.config import Config
from resonance.errors import InputError, ParseError, ResonanceError, UnsupportedFormatError
from resonance.io import DEFAULT_MAX_BYTES, read_paths, read_script
from resonance.io import docx as docx_reader
from resonance.pipeline import score_paths
from resonance.timelimit import TimeLimitError

runner = CliRunner()

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
GOOD_ZH = "第1集 红酒\n1-1 日 内 宴会厅\n人物：林晚、周母\n△一杯红酒泼在林晚的婚纱上。\n周母（冷笑）：三万块？你拿什么还？\n"
SECRET = "TOP-SECRET-7f3a"


def xxe_fdx(secret_file: Path) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n'
            '<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph>'
            "</Content></FinalDraft>").encode()


def entity_bomb_fdx() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE FinalDraft [{entities}]>'
            '<FinalDraft><Content><Paragraph Type="Action"><Text>&lol9;</Text></Paragraph>'
            "</Content></FinalDraft>").encode()


def zip_bomb_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (16 * 1024 * 1024))  # ~16 KB on disk
    return buffer.getvalue()


@functools.cache
def oversized_docx() -> bytes:
    """25 parts of 10 MiB zeros: 250 MiB unzipped, past the 200 MiB limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(25):
            archive.writestr(f"word/media/part{index}.bin", b"\0" * (10 * 1024 * 1024))
    return buffer.getvalue()


def crowded_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(docx_reader.MAX_MEMBERS + 1):
            archive.writestr(f"p{index}", b"")
    return buffer.getvalue()


def blank_pdf(password: str | None = None) -> bytes:
    """One empty page: no text layer, like a scan."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def mixed_encodings() -> bytes:
    """50 lines of UTF-8, then 50 lines of GBK: a file pasted together from two sources."""
    return ("第1集 开始\n林晚：我们走吧。\n" * 25).encode("utf-8") + ("第2集 结束\n周母：你走。\n" * 25).encode("gbk")


def write_sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)  # sparse: instant, takes no disk
    return path


# name -> (file name, content maker, error class, words the one-line message must hold, line)
CATALOGUE = {
    "empty": ("empty.txt", lambda tmp: b"", InputError, "file is empty", None),
    "whitespace only": ("blank.txt", lambda tmp: " \n\t\r\n\u3000\n   \n".encode(), InputError, "file is empty",
                        None),
    "empty binary format": ("empty.docx", lambda tmp: b"", InputError, "file is empty", None),
    "png named .txt": ("picture.txt", lambda tmp: PNG_HEAD + bytes(range(256)) * 8, InputError,
                       "NUL bytes: looks binary", None),
    "NUL inside text": ("nul.txt", lambda tmp: GOOD_ZH.encode() + b"\x00" + GOOD_ZH.encode(), InputError,
                        "NUL bytes", None),
    "NUL past the first 4 KB": ("late_nul.txt", lambda tmp: GOOD_ZH.encode() * 200 + b"abc\x00def\n",
                                InputError, "NUL bytes", None),
    "control characters": ("controls.txt", lambda tmp: bytes(range(1, 9)) * 500, InputError,
                           "looks binary (many control characters)", None),
    "fdx external entity (XXE)": ("xxe.fdx", lambda tmp: xxe_fdx(tmp / "secret.txt"), ParseError,
                                  "refused unsafe XML", None),
    "fdx entity-expansion bomb": ("lol.fdx", lambda tmp: entity_bomb_fdx(), ParseError, "refused unsafe XML", None),
    "fdx cut short": ("cut.fdx", lambda tmp: b'<?xml version="1.0"?>\n<FinalDraft>\n<Content>\n', ParseError,
                      "not well-formed XML", 4),
    "fdx with an encoding expat cannot read": (
        "gbk.fdx", lambda tmp: b'<?xml version="1.0" encoding="GB2312"?><FinalDraft/>', ParseError,
        "encoding the XML declares", None),
    "docx zip bomb": ("bomb.docx", lambda tmp: zip_bomb_docx(), InputError, "zip bomb", None),
    "docx that is not a zip": ("old.docx", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                               InputError, "not a zip archive", None),
    "docx over the unzipped limit": ("big.docx", lambda tmp: oversized_docx(), InputError,
                                     "it would unzip to 250 MiB, over the 200 MiB limit (zip bomb?)", None),
    "docx with too many parts": ("many.docx", lambda tmp: crowded_docx(), InputError,
                                 "10001 files inside the archive (zip bomb?)", None),
    "password-protected pdf": ("locked.pdf", lambda tmp: blank_pdf(password="secret"), InputError,
                               "password-protected", None),
    "pdf without a text layer": ("scan.pdf", lambda tmp: blank_pdf(), InputError, "no text layer", None),
    "pdf that is not a pdf": ("fake.pdf", lambda tmp: b"<html>hello</html>", InputError, "not a PDF", None),
    "unknown extension": ("budget.xlsx", lambda tmp: b"PK\x03\x04 not really", UnsupportedFormatError,
                          "unsupported file type '.xlsx'", None),
}


def make(tmp_path: Path, case: str) -> Path:
    name, content, *_ = CATALOGUE[case]
    (tmp_path / "secret.txt").write_text(SECRET)
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    return path


def assert_one_line_naming(err: ResonanceError, path: Path, line: int | None = None) -> None:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text
    where = f"{path}:{line}: " if line else f"{path}: "
    assert text.startswith(where), text
    assert err.source == str(path)


@pytest.mark.parametrize("case", list(CATALOGUE))
def test_bad_file_raises_a_one_line_error_naming_it(tmp_path, case):
    _, _, kind, words, line = CATALOGUE[case]
    path = make(tmp_path, case)
    with pytest.raises(kind) as caught:
        read_script(path)
    assert words in caught.value.message
    assert_one_line_naming(caught.value, path, line)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("case", list(CATALOGUE))
def test_cli_prints_one_error_line_and_exits_1(tmp_path, case):
    path = make(tmp_path, case)
    result = runner.invoke(app, ["parse", str(path), "--format", "json"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}"), result.stderr
    assert CATALOGUE[case][3] in lines[0]
    assert SECRET not in result.stdout + result.stderr
    assert json.loads(result.stdout)["scripts"] == []


def test_nonexistent_path(tmp_path):
    path = tmp_path / "missing.txt"
    with pytest.raises(InputError, match="no such file") as caught:
        read_script(path)
    assert_one_line_naming(caught.value, path)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 1 and result.stderr.strip() == f"error: {path}: no such file"


# -- size ------------------------------------------------------------------------------------

def test_50_mb_file_is_over_the_default_limit(tmp_path):
    path = write_sparse(tmp_path / "huge.txt", 50 * 1024 * 1024)
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(InputError) as caught:
        read_script(path)
    assert caught.value.message.startswith("file is 50 MiB, over the 20 MiB limit")
    assert "--max-bytes" in caught.value.message
    assert_one_line_naming(caught.value, path)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}: file is 50 MiB")


def test_size_limit_is_configurable(tmp_path, zh_script_file, stand_in_models):
    huge = write_sparse(tmp_path / "huge.txt", 50 * 1024 * 1024)
    with pytest.raises(InputError, match="NUL bytes"):  # past the raised limit: read, then refused as binary
        read_script(huge, max_bytes=60 * 1024 * 1024)
    with pytest.raises(InputError, match=r"over the 100 bytes limit"):
        read_script(zh_script_file, max_bytes=100)
    assert runner.invoke(app, ["parse", str(zh_script_file), "--max-bytes", "100"]).exit_code == 1
    assert runner.invoke(app, ["parse", str(zh_script_file), "--max-bytes", "100000"]).exit_code == 0
    report = score_paths([zh_script_file], config=Config(max_bytes=100), models=stand_in_models)
    assert report.scripts == () and "limit" in report.errors[0]["message"]


# -- large but fine -----------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "林晚（哽咽）：" + "我不会再低头，" * 96_000,  # ~2 MB of UTF-8 on one line
    "She runs and runs and " * 100_000,
    "[[ " * 700_000,  # unclosed Fountain notes: once quadratic
    "/* " * 700_000,  # unclosed boneyard: once quadratic
    "第1集" * 300_000,  # a marker after a marker: once a RecursionError
], ids=["zh dialogue", "en action", "unclosed notes", "unclosed boneyard", "markers"])
def test_a_single_2_mb_line_parses(tmp_path, line):
    path = tmp_path / "one_line.txt"
    path.write_text(line, encoding="utf-8")
    assert path.stat().st_size >= 2_000_000
    script = read_script(path, max_bytes=4 * 1024 * 1024)
    assert script.elements or script.episodes
    assert all(e.line == 1 for e in script.elements)


def test_mixed_encodings_decode_with_a_reported_encoding_or_fail_on_the_line(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(mixed_encodings())
    result = runner.invoke(app, ["parse", str(path), "--format", "json"])
    try:
        script = read_script(path)
    except InputError as err:
        assert err.line == 51 and "cannot decode" in err.message  # the first GBK line
        assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}:51: cannot decode")
        return
    assert script.encoding not in ("utf-8", "") and script.episodes
    assert result.exit_code == 0 and json.loads(result.stdout)["scripts"][0]["encoding"] == script.encoding


def test_script_with_no_dialogue_parses_to_no_spoken_elements(tmp_path):
    zh = tmp_path / "silent.txt"
    zh.write_text("第1集 雨夜\n1-1 夜 外 街道\n△雨一直下。\n△林晚站在路灯下，一动不动。\n", encoding="utf-8")
    en = tmp_path / "silent.fountain"
    en.write_text("EXT. BEACH - DAY\n\nThe waves roll in. Nobody speaks.\n\nCUT TO:\n", encoding="utf-8")
    for path in (zh, en):
        script = read_script(path)
        assert script.elements and not [e for e in script.elements if e.is_spoken]


def test_a_thousand_episodes_in_one_file(tmp_path):
    zh = tmp_path / "long_zh.txt"
    zh.write_text("".join(f"第{i}集\n{i}-1 日 内 客厅\n林晚：第{i}句。\n" for i in range(1, 1001)), encoding="utf-8")
    en = tmp_path / "long_en.txt"
    en.write_text("".join(f"EPISODE {i}\n\nINT. ROOM - DAY\n\nLILY\nLine {i}.\n\n" for i in range(1, 1001)),
                  encoding="utf-8")
    for path in (zh, en):
        script = read_script(path)
        assert [ep.number for ep in script.episodes] == list(range(1, 1001))


# -- XML and zip attacks ------------------------------------------------------------------------

@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    '<!DOCTYPE FinalDraft [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
    '<!DOCTYPE FinalDraft SYSTEM "file://{secret}">',
], ids=["entity", "parameter entity", "external dtd"])
def test_fdx_external_references_never_leak_the_secret(tmp_path, doctype):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    path = tmp_path / "xxe.fdx"
    path.write_bytes((f'<?xml version="1.0"?>\n{doctype.format(secret=secret)}\n<FinalDraft><Content>'
                      '<Paragraph Type="Action"><Text>&xxe;</Text></Paragraph></Content></FinalDraft>').encode())
    scripts, errors = read_paths([path])
    assert scripts == [] and isinstance(errors[0], ParseError)
    result = runner.invoke(app, ["parse", str(path), "--format", "json"])
    assert SECRET not in result.stdout + result.stderr


def test_fdx_entity_bomb_is_refused_before_expanding(tmp_path):
    path = tmp_path / "lol.fdx"
    path.write_bytes(entity_bomb_fdx())
    with pytest.raises(ParseError, match="DOCTYPE"):  # expanded, it would be ~3 GB
        read_script(path)


def test_docx_with_an_external_entity_never_leaks_the_secret(tmp_path):
    import docx

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>EXT. ROOF - DAY</w:t></w:r></w:p><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>"
        "</w:body></w:document>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    path = tmp_path / "xxe.docx"
    path.write_bytes(out.getvalue())
    try:
        script = read_script(path)
    except ResonanceError as err:
        assert SECRET not in str(err)
        return
    assert SECRET not in " ".join(e.text for e in script.elements)


def test_docx_bomb_thresholds_are_documented_numbers():
    assert docx_reader.MAX_UNZIPPED_BYTES == 200 * 1024 * 1024
    assert docx_reader.MAX_RATIO == 100 and docx_reader.MAX_MEMBERS == 10_000


# -- folders ------------------------------------------------------------------------------------

def episode_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / "ep1.txt").write_text("1-1 日 内 客厅\n林晚：你回来了。\n", encoding="utf-8")
    (folder / "ep2.txt").write_text("2-1 夜 外 天台\n周母：滚出去！\n", encoding="utf-8")
    return folder


def test_folder_with_a_dangling_symlink_names_the_link(tmp_path):
    folder = episode_folder(tmp_path)
    link = folder / "ep3.txt"
    link.symlink_to(folder / "deleted.txt")
    with pytest.raises(InputError, match="broken symlink") as caught:
        read_script(folder)
    assert_one_line_naming(caught.value, link)


def test_folder_with_a_symlink_loop_names_the_link(tmp_path):
    folder = episode_folder(tmp_path)
    (folder / "ep3.txt").symlink_to(folder / "ep4.txt")
    (folder / "ep4.txt").symlink_to(folder / "ep3.txt")
    with pytest.raises(InputError, match="symlink loop") as caught:
        read_script(folder)
    assert caught.value.source in (str(folder / "ep3.txt"), str(folder / "ep4.txt"))
    result = runner.invoke(app, ["parse", str(folder)])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_folder_linking_to_itself_is_read_once_without_recursing(tmp_path):
    folder = episode_folder(tmp_path)
    (folder / "again").symlink_to(folder, target_is_directory=True)
    (folder / "again.txt").symlink_to(folder, target_is_directory=True)
    script = read_script(folder)
    assert [ep.number for ep in script.episodes] == [1, 2]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_folder_with_an_unreadable_file_names_it(tmp_path):
    folder = episode_folder(tmp_path)
    locked = folder / "ep3.txt"
    locked.write_text("3-1 日 内 客厅\n林晚：谁？\n", encoding="utf-8")
    locked.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied") as caught:
            read_script(folder)
        assert_one_line_naming(caught.value, locked)
    finally:
        locked.chmod(0o644)


def test_empty_folder(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "notes.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="no script files") as caught:
        read_script(folder)
    assert_one_line_naming(caught.value, folder)


# -- batches: the good files still come back ------------------------------------------------------

def test_cli_parse_lists_errors_and_still_parses_the_good_files(tmp_path, zh_script_file):
    bad = [make(tmp_path, case) for case in ("empty", "png named .txt", "docx zip bomb", "unknown extension")]
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["parse", str(bad[0]), str(zh_script_file), *map(str, bad[1:]), str(missing),
                                 "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [s["source"] for s in data["scripts"]] == [str(zh_script_file)]
    assert [e["source"] for e in data["errors"]] == [*map(str, bad), str(missing)]
    assert all(e["message"] for e in data["errors"])
    assert [line.split(": ")[1] for line in result.stderr.strip().splitlines()] == [*map(str, bad), str(missing)]


def test_score_paths_reports_the_bad_file_and_scores_the_others(tmp_path, zh_script_file, stand_in_models):
    broken = make(tmp_path, "png named .txt")
    other = tmp_path / "other.txt"
    other.write_text(GOOD_ZH, encoding="utf-8")
    report = score_paths([zh_script_file, broken, other], config=Config(), models=stand_in_models)
    assert [s.source for s in report.scripts] == [str(zh_script_file), str(other)]
    assert report.errors == ({"source": str(broken), "line": None,
                              "message": "file contains NUL bytes: looks binary, not a script"},)


class SlowOnMarker:
    """The stand-in models, except that emotion() stalls on a script holding 慢."""

    def __init__(self, models, seconds: float):
        self.models, self.seconds = models, seconds

    def __getattr__(self, name):
        return getattr(self.models, name)

    def emotion(self, language, texts, contexts, scenes):
        if any("慢" in text for text in texts):
            time.sleep(self.seconds)
        return self.models.emotion(language, texts, contexts, scenes)


def test_per_file_time_limit_reports_the_slow_file_and_goes_on(tmp_path, zh_script_file, stand_in_models):
    slow = tmp_path / "slow.txt"
    slow.write_text("第1集\n1-1 日 内 客厅\n林晚：慢慢来，别急！\n", encoding="utf-8")
    models = SlowOnMarker(stand_in_models, seconds=5)
    # load the tokenizers first: their one-time start-up counts against whichever file needs them
    assert score_paths([zh_script_file], config=Config(file_timeout_s=0), models=models).scripts
    report = score_paths([slow, zh_script_file], config=Config(file_timeout_s=1), models=models)
    assert [s.source for s in report.scripts] == [str(zh_script_file)]
    (error,) = report.errors
    assert error["source"] == str(slow)
    assert error["message"].startswith("took longer than the 1 s per-file limit")
    assert issubclass(TimeLimitError, InputError)


class StallsInside:
    """emotion() on 慢 runs ``stall`` (an import, code that swallows exceptions) first."""

    def __init__(self, models, stall):
        self.models, self.stall = models, stall

    def __getattr__(self, name):
        return getattr(self.models, name)

    def emotion(self, language, texts, contexts, scenes):
        if any("慢" in text for text in texts):
            self.stall()
        return self.models.emotion(language, texts, contexts, scenes)


def swallowing_stall():
    try:
        time.sleep(5)
    except Exception:  # noqa: BLE001 - what careless library code does (jieba's cache loading)
        pass
    time.sleep(5)


def test_time_limit_survives_code_that_swallows_it_and_never_cuts_an_import(
        tmp_path, monkeypatch, zh_script_file, stand_in_models):
    slow = tmp_path / "slow.txt"
    slow.write_text("第1集\n1-1 日 内 客厅\n林晚：慢慢来，别急！\n", encoding="utf-8")
    assert score_paths([zh_script_file], config=Config(file_timeout_s=0), models=stand_in_models).scripts
    swallowed = score_paths([slow, zh_script_file], config=Config(file_timeout_s=1),
                            models=StallsInside(stand_in_models, swallowing_stall))
    assert [e["source"] for e in swallowed.errors] == [str(slow)] and len(swallowed.scripts) == 1

    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(1.5)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_to_import", raising=False)
    imported = score_paths([slow, zh_script_file], config=Config(file_timeout_s=0.5),
                           models=StallsInside(stand_in_models, lambda: (__import__("slow_to_import"),
                                                                         time.sleep(5))))
    assert [e["source"] for e in imported.errors] == [str(slow)] and len(imported.scripts) == 1
    assert sys.modules["slow_to_import"].DONE  # imported in full, not cut off half-way
