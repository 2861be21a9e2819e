"""Final Draft .fdx: typed paragraphs in, elements out; unsafe XML refused."""
from __future__ import annotations

import time

import pytest

from resonance.errors import ParseError
from resonance.io import read_paths, read_script


def fdx(*paragraphs: tuple[str, str], title: str | None = None) -> bytes:
    body = "".join(_paragraph(kind, text) for kind, text in paragraphs)
    title_page = (f"<TitlePage><Content><Paragraph><Text>{title}</Text></Paragraph>"
                  "<Paragraph><Text>Written by</Text></Paragraph></Content></TitlePage>") if title else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
            f'<FinalDraft DocumentType="Script" Template="No" Version="5"><Content>{body}</Content>'
            f"{title_page}</FinalDraft>").encode("utf-8")


def _paragraph(kind: str, text: str) -> str:
    if kind == "dual":
        return f"<Paragraph><DualDialogue>{text}</DualDialogue></Paragraph>"
    return f'<Paragraph Type="{kind}"><Text>{text}</Text></Paragraph>'


SCRIPT = fdx(
    ("New Act", "EPISODE 1"),                      # 1
    ("Scene Heading", "INT. PENTHOUSE - NIGHT"),   # 2
    ("Action", "Lily stares at the contract."),    # 3
    ("Character", "ETHAN"),                        # 4
    ("Parenthetical", "(coldly)"),                 # 5
    ("Dialogue", "Sign it."),                      # 6
    ("Character", "LILY (V.O.)"),                  # 7
    ("Dialogue", "I should have run."),            # 8
    ("Shot", "CLOSE ON THE PEN"),                  # 9
    ("Action", "SUPER: Three years earlier"),      # 10
    ("Transition", "CUT TO:"),                     # 11
    ("General", "Episode 2: The Wedding"),         # 12
    ("Scene Heading", "EXT. CHURCH - DAY"),        # 13
    ("Character", "ETHAN (CONT'D)"),               # 14
    ("Dialogue", "You came."),                     # 15
    title="The Heiress Returns",
)


def write(tmp_path, data: bytes, name: str = "drama.fdx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_paragraph_types_become_elements_with_paragraph_numbers(tmp_path):
    script = read_script(write(tmp_path, SCRIPT))
    assert script.format == "fdx" and script.language == "en"
    assert script.title == "The Heiress Returns"
    assert [(ep.number, ep.title, ep.line) for ep in script.episodes] == [(1, None, 1), (2, "The Wedding", 12)]
    first = script.episodes[0].elements
    assert [(e.kind, e.line) for e in first] == [
        ("heading", 2), ("action", 3), ("dialogue", 6), ("narration", 8), ("action", 9), ("caption", 10),
        ("transition", 11)]
    assert (first[2].speaker, first[2].direction) == ("ETHAN", "coldly")
    assert (first[3].speaker, first[3].voice) == ("LILY", "VO")
    scene = script.episodes[0].scenes[0]
    assert (scene.setting, scene.location, scene.time_of_day) == ("int", "PENTHOUSE", "night")
    assert script.episodes[1].elements[-1].speaker == "ETHAN"


def test_acts_are_not_episodes_and_styled_text_runs_are_joined(tmp_path):
    data = fdx(("New Act", "ACT ONE"), ("Scene Heading", "INT. A - DAY"),
               ("Action", 'She </Text><Text Style="Bold">runs'), ("New Act", "ACT TWO"),
               ("Action", "She stops."))
    script = read_script(write(tmp_path, data))
    assert [ep.number for ep in script.episodes] == [1]
    assert [e.text for e in script.elements if e.kind == "action"] == ["She runs", "She stops."]


def test_dual_dialogue_marks_the_second_speaker(tmp_path):
    inner = ('<Paragraph Type="Character"><Text>STEEL</Text></Paragraph>'
             '<Paragraph Type="Dialogue"><Text>Screw retirement.</Text></Paragraph>'
             '<Paragraph Type="Character"><Text>BRICK</Text></Paragraph>'
             '<Paragraph Type="Dialogue"><Text>Screw retirement.</Text></Paragraph>')
    script = read_script(write(tmp_path, fdx(("Action", "They look up."), ("dual", inner))))
    assert [(e.speaker, e.dual, e.line) for e in script.elements if e.is_spoken] == [
        ("STEEL", False, 3), ("BRICK", True, 5)]


def test_external_entity_is_refused_and_nothing_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file://{secret}">]>'
            '<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph>'
            "</Content></FinalDraft>").encode()
    path = write(tmp_path, data, "xxe.fdx")
    with pytest.raises(ParseError) as caught:
        read_script(path)
    assert str(path) in str(caught.value)
    assert "TOP-SECRET-VALUE" not in str(caught.value)


def test_billion_laughs_is_refused_quickly(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    data = (f'<?xml version="1.0"?><!DOCTYPE FinalDraft [{entities}]>'
            '<FinalDraft><Content><Paragraph Type="Action"><Text>&lol9;</Text></Paragraph>'
            "</Content></FinalDraft>").encode()
    started = time.perf_counter()
    scripts, errors = read_paths([write(tmp_path, data, "bomb.fdx")])
    assert scripts == [] and len(errors) == 1
    assert isinstance(errors[0], ParseError) and "bomb.fdx" in str(errors[0])
    assert time.perf_counter() - started < 2


def test_broken_or_foreign_xml_is_a_parse_error(tmp_path):
    with pytest.raises(ParseError, match="well-formed"):
        read_script(write(tmp_path, b"<FinalDraft><Content>", "cut.fdx"))
    with pytest.raises(ParseError, match="FinalDraft"):
        read_script(write(tmp_path, b"<html><body>hi</body></html>", "page.fdx"))
