"""Every reader, fed anything: it returns a script whose line numbers point inside the input,
or it raises a ResonanceError (one line for the user). Nothing else may escape.

The strategies here are shared with ``scripts/fuzz_readers.py``, which runs them for many
more examples; sizes are bounded so this file stays a ~20 s part of the suite.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resonance.errors import ResonanceError
from resonance.io import en_text, fountain, read_text, zh_text
from resonance.io import docx as docx_reader
from resonance.io import fdx as fdx_reader
from resonance.io import pdf as pdf_reader
from resonance.io.decode import decode

SOURCE = "<fuzz>"
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))

# -- text ------------------------------------------------------------------------------

ZH_TOKENS = [
    "第1集", "第十二集", "第3集 她回来了", "第一百零一集", "3-1 日 内 医院走廊", "1-2\u3000夜\u3000外\u3000天台",
    "人物：林晚、周母", "人物：", "角色表：", "△", "▲", "【闪回】", "【闪回结束】", "【字幕：三年后】", "【",
    "】", "林晚", "周母", "秦叔", "（冷笑）", "（OS）", "（VO）", "（画外音）", "（", "）", "：", ":", "，", "。",
    "！", "？", "……", "——", "《", "》", "《逆袭》", "旁白：", "剧名：", "编剧：", "场景：", "地点：", "时间：",
    "日", "夜", "内", "外", "[对话: 乔思辰 说]：", "[角色] 乔思辰，江一然", "[动作]", "切至：", "黑屏", "\u3000",
    "林晚（哽咽）", "林晚：你好。", "周母：滚！", "1.", "①", "Ａ", "１２", "～",
]
EN_TOKENS = [
    "EPISODE 1", "Episode 3: The Fall", "EPISODE THREE", "INT. KITCHEN - NIGHT", "EXT. ROOF - DAY",
    "INT./EXT. CAR - CONTINUOUS", "I/E", ".FORCED HEADING", "@McCLANE", "LILY", "ETHAN (V.O.)", "(O.S.)",
    "(whispering)", "(", ")", "CUT TO:", "FADE IN:", "FADE OUT.", "> THE END <", ">", "<", "~", "#", "## Episode 2",
    "= synopsis", "===", "[[note", "]]", "[[", "/*", "*/", "Title: X", "Author: Y", "Episode: 4", "Lily: Hello.",
    "CAST: A, B", "SUPER: Three years later", "FLASHBACK", "END FLASHBACK", "^", "*", "**", "_", "\\", "!",
    "(MORE)", "(CONT'D)", "...", "#1", "SCENE 4", "ACT ONE", "Page 2", "12.",
]
SEPARATORS = ["\n", "\n\n", "\n\n\n", " ", "  ", "\t", "\r\n", "\r", "\x0b", "\x0c", "\u2028", "\x85"]
ODD_CHARS = ["\x00", "\x01", "\x1b", "\x7f", "\ufeff", "\ufffd", "\u200b", "\U0001F600", "\uff1a", "\uff08",
             "\uff09", "\u3002", "\u00a0", "\u0301"]

_piece = st.one_of(
    st.sampled_from(ZH_TOKENS), st.sampled_from(EN_TOKENS), st.sampled_from(SEPARATORS),
    st.sampled_from(ODD_CHARS), st.text(max_size=12),
)


def script_text(max_pieces: int = 80, long_line: int = 20_000) -> st.SearchStrategy[str]:
    """Script-shaped text: structure tokens of both languages, separators, control and
    full-width characters, arbitrary text, and now and then one very long line."""
    shaped = st.lists(_piece, max_size=max_pieces).map("".join)
    long_lines = st.builds(lambda unit, count, around: around + unit * count + around,
                           st.sampled_from(["好", "word ", "林晚：", "（", "[[", "/*", "a" * 7, "：", " "]),
                           st.integers(1, long_line), st.sampled_from(["", "\n", "第1集\n"]))
    return st.one_of(shaped, st.text(max_size=300), long_lines)


def line_count(text: str) -> int:
    return text.count("\n") + 1


def assert_lines_inside(parsed_or_script, last_line: int) -> None:
    """Every episode, scene and element line is a real line of the input (1-based)."""
    for episode in parsed_or_script.episodes:
        assert 1 <= episode.line <= last_line, ("episode", episode.line, last_line)
        for scene in episode.scenes:
            assert 1 <= scene.line <= last_line, ("scene", scene.line, last_line)
            for element in scene.elements:
                assert 1 <= element.line <= last_line, (element, last_line)
                assert isinstance(element.text, str)


def check_text_reader(module, text: str) -> str:
    try:
        parsed = module.parse(text, SOURCE)
    except ResonanceError:
        return "refused"
    assert_lines_inside(parsed, line_count(text))
    return "parsed"


def check_read_text(text: str, extension: str = "") -> str:
    try:
        script = read_text(text, source=SOURCE, extension=extension)
    except ResonanceError as err:
        assert SOURCE in str(err) and "\n" not in str(err)
        return "refused"
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert_lines_inside(script, line_count(normalised))
    return "parsed"


# -- bytes -------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    """A few byte edits and maybe a truncation: damaged files, not random noise."""
    buffer = bytearray(data)
    for position, value in edits:
        if buffer:
            buffer[position % len(buffer)] = value
    if cut is not None and buffer:
        del buffer[cut % len(buffer):]
    return bytes(buffer)


def mutated(strategy: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    edits = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6)
    return st.one_of(strategy, st.builds(_mutate, strategy, edits, st.none() | st.integers(0, 1 << 20)))


def text_bytes() -> st.SearchStrategy[bytes]:
    """Bytes a text reader may meet: script text in some encoding, two encodings glued
    together (half GBK, half UTF-8), or anything at all."""
    encoded = st.builds(_encode, script_text(long_line=2_000), st.sampled_from(ENCODINGS))
    glued = st.builds(lambda a, b: a + b, encoded, encoded)
    return mutated(st.one_of(encoded, glued, st.binary(max_size=600)))


FDX_TYPES = ["Scene Heading", "Action", "Character", "Parenthetical", "Dialogue", "Transition", "Shot",
             "General", "New Act", "End of Act", "Episode", "Cast List", "", "Weird"]


def _fdx_paragraph(kind: str, text: str) -> str:
    return f'<Paragraph Type="{escape(kind)}"><Text>{escape(text)}</Text></Paragraph>'


def _fdx_document(paragraphs: list[tuple[str, str]], dual: bool, title: str | None) -> bytes:
    body = [_fdx_paragraph(k, t) for k, t in paragraphs]
    if dual and len(body) >= 2:
        body[-2:] = [f"<Paragraph><DualDialogue>{body[-2]}{body[-1]}</DualDialogue></Paragraph>"]
    title_page = (f"<TitlePage><Content>{_fdx_paragraph('Action', title)}</Content></TitlePage>"
                  if title is not None else "")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<FinalDraft DocumentType="Script" Version="4">'
            f"<Content>{''.join(body)}</Content>{title_page}</FinalDraft>").encode("utf-8", "surrogatepass")


_line_text = st.one_of(st.sampled_from(EN_TOKENS + ZH_TOKENS), st.text(max_size=40))


def fdx_bytes() -> st.SearchStrategy[bytes]:
    paragraphs = st.lists(st.tuples(st.sampled_from(FDX_TYPES), _line_text), max_size=30)
    return mutated(st.builds(_fdx_document, paragraphs, st.booleans(), st.none() | _line_text))


_DOCX_TEMPLATE: dict[str, bytes] = {}


def _docx_template() -> dict[str, bytes]:
    if not _DOCX_TEMPLATE:
        import docx

        buffer = io.BytesIO()
        docx.Document().save(buffer)
        with zipfile.ZipFile(buffer) as archive:
            _DOCX_TEMPLATE.update({name: archive.read(name) for name in archive.namelist()})
    return _DOCX_TEMPLATE


def _xml_safe(text: str) -> str:
    return "".join(ch for ch in text if ch in "\t\n\r" or "\x20" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd")


def _docx_paragraph(text: str) -> str:
    runs = "<w:r><w:br/></w:r>".join(f'<w:r><w:t xml:space="preserve">{escape(_xml_safe(part))}</w:t></w:r>'
                                     for part in text.split("\n"))
    return f"<w:p>{runs}</w:p>"


def _docx_document(paragraphs: list[str], table: list[str]) -> bytes:
    body = "".join(_docx_paragraph(p) for p in paragraphs)
    if table:
        cells = "".join(f"<w:tc>{_docx_paragraph(t)}</w:tc>" for t in table)
        body += f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}</w:body></w:document>").encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _docx_template().items():
            archive.writestr(name, document if name == "word/document.xml" else content)
    return buffer.getvalue()


def docx_bytes() -> st.SearchStrategy[bytes]:
    paragraphs = st.lists(st.one_of(_line_text, st.text(max_size=60)), max_size=25)
    table = st.lists(_line_text, max_size=4)
    return mutated(st.builds(_docx_document, paragraphs, table))


def _pdf_document(pages: list[list[tuple[int, str]]]) -> bytes:
    """A minimal PDF with a Courier text layer; each line is (indent in characters, text)."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"]
    pages_id = 2 + 2 * len(pages)
    page_ids = []
    for lines in pages:
        ops = []
        for row, (indent, text) in enumerate(lines):
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 12 Tf {72 + indent * 7.2:.1f} {720 - row * 12} Td ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("latin-1", "replace")
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
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(objects), xref)
    return bytes(out)


def pdf_bytes() -> st.SearchStrategy[bytes]:
    latin = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
    line = st.tuples(st.integers(0, 40), st.one_of(st.sampled_from(EN_TOKENS), latin))
    pages = st.lists(st.lists(line, max_size=20), min_size=1, max_size=3)
    return mutated(st.builds(_pdf_document, pages))


def check_decode(data: bytes) -> str:
    try:
        text, encoding = decode(data, SOURCE)
    except ResonanceError as err:
        assert SOURCE in str(err) and "\n" not in str(err)
        return "refused"
    assert isinstance(encoding, str) and encoding
    assert "\x00" not in text and "\r" not in text
    return check_read_text(text)


def _binary_lines(data: bytes) -> int:
    """An upper bound on the paragraph count of a .fdx or .docx body."""
    return max(1, data.count(b"<Paragraph") + data.count(b"<w:p>") + data.count(b"<w:p "))


def check_fdx(data: bytes) -> str:
    try:
        parsed = fdx_reader.parse_bytes(data, SOURCE)
    except ResonanceError as err:
        assert SOURCE in str(err) and "\n" not in str(err)
        return "refused"
    assert_lines_inside(parsed, _binary_lines(data))
    return "parsed"


def check_docx(data: bytes) -> str:
    try:
        parsed = docx_reader.parse_bytes(data, SOURCE)
    except ResonanceError as err:
        assert SOURCE in str(err) and "\n" not in str(err)
        return "refused"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml")
    assert_lines_inside(parsed, _binary_lines(document))
    return "parsed"


def check_pdf(data: bytes) -> str:
    try:
        parsed = pdf_reader.parse_bytes(data, SOURCE)
    except ResonanceError as err:
        assert SOURCE in str(err) and "\n" not in str(err)
        return "refused"
    pages = pdf_reader.extract_pages(data, SOURCE)
    assert_lines_inside(parsed, sum(len(page.split("\n")) for page in pages))
    return "parsed"


# -- the properties ------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(script_text())
def test_zh_text_reader_takes_any_text(text):
    check_text_reader(zh_text, text)


@PROPERTY_SETTINGS
@given(script_text())
def test_fountain_reader_takes_any_text(text):
    check_text_reader(fountain, text)


@PROPERTY_SETTINGS
@given(script_text())
def test_en_text_reader_takes_any_text(text):
    check_text_reader(en_text, text)


@PROPERTY_SETTINGS
@given(script_text(), st.sampled_from(["", ".txt", ".md", ".fountain", ".spmd"]))
def test_read_text_detects_a_reader_for_any_text(text, extension):
    check_read_text(text, extension)


@PROPERTY_SETTINGS
@given(text_bytes())
def test_decode_takes_any_bytes(data):
    check_decode(data)


@PROPERTY_SETTINGS
@given(fdx_bytes())
def test_fdx_reader_takes_any_bytes(data):
    check_fdx(data)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(docx_bytes())
def test_docx_reader_takes_any_bytes(data):
    check_docx(data)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(pdf_bytes())
def test_pdf_reader_takes_any_bytes(data):
    check_pdf(data)
