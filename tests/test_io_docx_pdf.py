"""Word and PDF scripts: text comes out, the right reader parses it, bad files are refused."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from pypdf import PdfWriter

from resonance.errors import InputError
from resonance.io import docx as docx_reader
from resonance.io import read_script

EN_PARAGRAPHS = ["EPISODE 1", "", "INT. KITCHEN - NIGHT", "Lily drops the plate.", "LILY", "(whispering)",
                 "He knows.", "ETHAN (V.O.)", "I always knew.", "", "EPISODE 2", "EXT. ROOF - DAY",
                 "Ethan: Goodbye, Lily."]
ZH_PARAGRAPHS = ["第1集 红酒", "1-1 日 内 宴会厅", "人物：林晚、周母", "△一杯红酒泼在林晚的婚纱上。",
                 "周母（冷笑）：三万块？你拿什么还？", "林晚：我会还的，一分不少。", "",
                 "第2集 回来", "2-1 夜 外 天台", "秦叔：大小姐，老爷子等了您二十三年。"]


def word_file(tmp_path, paragraphs, name="script.docx"):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / name
    document.save(path)
    return path


def test_english_docx_is_parsed_with_paragraph_numbers(tmp_path):
    script = read_script(word_file(tmp_path, EN_PARAGRAPHS))
    assert script.format == "docx" and script.language == "en"
    assert [(ep.number, ep.line) for ep in script.episodes] == [(1, 1), (2, 11)]
    spoken = [(e.kind, e.speaker, e.text, e.line, e.direction) for e in script.elements if e.is_spoken]
    assert spoken == [("dialogue", "LILY", "He knows.", 7, "whispering"),
                      ("narration", "ETHAN", "I always knew.", 9, None),
                      ("dialogue", "Ethan", "Goodbye, Lily.", 13, None)]


def test_chinese_docx_goes_through_the_chinese_reader(tmp_path):
    script = read_script(word_file(tmp_path, ZH_PARAGRAPHS))
    assert script.language == "zh"
    assert [ep.number for ep in script.episodes] == [1, 2]
    speakers = [e.speaker for e in script.elements if e.is_spoken]
    assert speakers == ["周母", "林晚", "秦叔"]
    assert [e.line for e in script.elements if e.is_spoken] == [5, 6, 10]


def test_line_breaks_inside_a_paragraph_and_tables_keep_paragraph_numbers(tmp_path):
    document = docx.Document()
    document.add_paragraph("INT. HALL - DAY")
    cue = document.add_paragraph("BRICK")
    cue.add_run().add_break()
    cue.add_run("Hey, partner.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "STEEL"
    table.cell(0, 1).text = "Beer's ready!"
    path = tmp_path / "mixed.docx"
    document.save(path)
    script = read_script(path)
    spoken = [(e.speaker, e.text, e.line) for e in script.elements if e.is_spoken]
    assert spoken == [("BRICK", "Hey, partner.", 2), ("STEEL", "Beer's ready!", 4)]


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an old binary .doc
    with pytest.raises(InputError, match="not a zip") as caught:
        read_script(path)
    assert "old.docx" in str(caught.value)


def test_zip_without_a_word_document_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    path = tmp_path / "fake.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="word/document.xml"):
        read_script(path)


def test_zip_bomb_docx_is_refused_before_unzipping(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (8 * 1024 * 1024))  # ~8 KB on disk
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match="zip bomb"):
        read_script(path)


def test_docx_that_would_unzip_past_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = word_file(tmp_path, EN_PARAGRAPHS)
    monkeypatch.setattr(docx_reader, "MAX_UNZIPPED_BYTES", 10_000)  # a real docx unzips larger
    with pytest.raises(InputError, match="limit"):
        read_script(path)


# -- PDF ---------------------------------------------------------------------------

def pdf_with_text(pages: list[list[tuple[int, str]]]) -> bytes:
    """A minimal PDF with a Courier text layer; each line is (indent in characters, text)."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"]
    pages_id = 2 + 2 * len(pages)
    page_ids = []
    for lines in pages:
        ops = []
        for row, (indent, text) in enumerate(lines):
            if text:
                escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(f"BT /F1 12 Tf {72 + indent * 7.2:.1f} {720 - row * 12} Td ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources "
                       b"<< /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % (pages_id, len(objects)))
        page_ids.append(len(objects))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)


PAGE_1 = [(0, "EPISODE 1"), (0, ""), (0, "INT. KITCHEN - NIGHT"), (0, ""), (0, "Lily drops the plate."),
          (0, ""), (22, "LILY"), (10, "(whispering)"), (10, "He knows."), (0, ""), (50, "1.")]
PAGE_2 = [(0, "EPISODE 2"), (0, ""), (0, "EXT. ROOF - DAY"), (0, ""), (22, "ETHAN (O.S.)"), (10, "Goodbye.")]


def test_pdf_text_layer_is_parsed_across_pages(tmp_path):
    path = tmp_path / "drama.pdf"
    path.write_bytes(pdf_with_text([PAGE_1, PAGE_2]))
    script = read_script(path)
    assert script.format == "pdf"
    assert [ep.number for ep in script.episodes] == [1, 2]
    spoken = [(e.kind, e.speaker, e.text, e.direction, e.voice) for e in script.elements if e.is_spoken]
    assert spoken == [("dialogue", "LILY", "He knows.", "whispering", None),
                      ("narration", "ETHAN", "Goodbye.", None, "OS")]
    assert "1." not in [e.text for e in script.elements]  # the page number is not script text
    lines = [e.line for e in script.elements]
    assert lines == sorted(lines) and script.episodes[1].line > len(PAGE_1) - 2


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError, match="no text layer.*OCR") as caught:
        read_script(path)
    assert "scan.pdf" in str(caught.value)


def test_password_protected_pdf_is_refused(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError, match="password"):
        read_script(path)


@pytest.mark.parametrize("data", [b"<html>not a pdf</html>", pdf_with_text([PAGE_1])[:300]])
def test_broken_pdf_is_an_input_error(tmp_path, data):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError):
        read_script(path)
