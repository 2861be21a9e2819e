"""Final Draft ``.fdx`` (XML) -> Parsed.

Final Draft already types every paragraph (Scene Heading, Action, Character,
Parenthetical, Dialogue, Transition, Shot, General), so nothing is guessed from
layout; the shared English rules only read what sits inside a paragraph (a cue's
(V.O.), a heading's DAY/NIGHT, a SUPER: line). ``Element.line`` is the paragraph's
1-based index in the script body.

The XML is read with defusedxml: a DOCTYPE, entity declaration or external reference
(XXE, "billion laughs") is refused before anything is fetched or expanded.
"""
from __future__ import annotations

from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError as XmlParseError

from resonance.errors import ParseError
from resonance.io import en_common as en
from resonance.io.builder import Parsed, ScriptBuilder
from resonance.types import Element, ElementKind

_EPISODE_TYPES = {"new act", "episode", "end of act"}
_ACTION_TYPES = {"action", "general", "shot", "cast list", ""}


def parse_bytes(data: bytes, source: str) -> Parsed:
    root = _safe_xml(data, source)
    if root.tag != "FinalDraft":
        raise ParseError(f"not a Final Draft file: the XML root is <{root.tag}>, not <FinalDraft>", source)
    body = root.find("Content")
    if body is None:
        raise ParseError("Final Draft file has no <Content> (no script body)", source)
    reader = _Reader()
    for number, (kind, text, dual) in enumerate(_paragraphs(body), start=1):
        reader.paragraph(kind, text, number, dual)
    reader.flush()
    return Parsed(episodes=reader.builder.build(), title=_title(root))


def _safe_xml(data: bytes, source: str) -> XmlElement:
    import defusedxml
    from defusedxml import ElementTree as SafeTree

    try:
        return SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as err:
        raise ParseError(
            f"refused unsafe XML ({type(err).__name__}): a .fdx file must not declare a DOCTYPE or "
            "entities; nothing was fetched or expanded", source) from None
    except (LookupError, ValueError) as err:  # an encoding expat cannot use: "gb18030", a typo, "rot13"
        raise ParseError(f"cannot read the encoding the XML declares ({err}); save it as UTF-8", source) from None
    except XmlParseError as err:
        line, column = getattr(err, "position", (None, None))
        reason = str(err).split(": line ")[0]
        raise ParseError(f"not well-formed XML: {reason} (column {column})", source, line=line or None) from None


def _paragraphs(body: XmlElement):
    """(type, text, dual) for each paragraph in order; dual dialogue blocks are flattened,
    and the second speaker's lines inside one are marked dual."""
    for paragraph in body.findall("Paragraph"):
        dual_block = paragraph.find("DualDialogue")
        if dual_block is not None:
            characters = 0
            for inner in dual_block.iter("Paragraph"):
                kind = (inner.get("Type") or "").strip().lower()
                characters += kind == "character"
                yield kind, _text(inner), characters >= 2
            continue
        yield (paragraph.get("Type") or "").strip().lower(), _text(paragraph), False


def _text(paragraph: XmlElement) -> str:
    return " ".join("".join(t.text or "" for t in paragraph.findall("Text")).split())


def _title(root: XmlElement) -> str | None:
    page = root.find("TitlePage")
    if page is None:
        return None
    texts = [_text(p) for p in page.iter("Paragraph")]
    return next((t for t in texts if t), None)


class _Reader:
    def __init__(self) -> None:
        self.builder = ScriptBuilder()
        self.cue: en.Cue | None = None
        self.block: list[tuple[int, str]] = []

    def paragraph(self, kind: str, text: str, number: int, dual: bool) -> None:
        if kind in ("parenthetical", "dialogue") and self.cue is not None:
            self.block.append((number, f"({text.strip('()')})" if kind == "parenthetical" else text))
            return
        self.flush()
        if not text:
            return
        header = en.episode_header(text)
        if header and (kind in _EPISODE_TYPES or kind in _ACTION_TYPES or kind == "scene heading"):
            self.builder.episode(header[0], header[1], number)
        elif kind in _EPISODE_TYPES:
            return  # "ACT ONE" and the like: acts inside an episode, not episodes
        elif kind == "scene heading":
            heading = en.parse_heading(text, forced=True)
            assert heading is not None
            self.builder.scene(heading.text, number, number=heading.number, time_of_day=heading.time_of_day,
                               setting=heading.setting, location=heading.location)
        elif kind == "character":
            cue = en.parse_cue("@" + text, allow_forced=True) or en.Cue(text)  # typed: no guessing
            self.cue = en.Cue(cue.name, cue.voice, dual or cue.dual, cue.direction)
        elif kind == "transition":
            self.builder.add(Element(kind=ElementKind.TRANSITION, text=text, line=number))
        elif kind == "parenthetical":
            self.builder.add(Element(kind=ElementKind.PARENTHETICAL, text=text.strip("() "), line=number))
        elif kind == "dialogue":  # dialogue with no cue before it
            self.builder.add(Element(kind=ElementKind.DIALOGUE, text=text, line=number))
        else:
            special = en.special_element(text, number)
            self.builder.add(special or Element(kind=ElementKind.ACTION, text=text, line=number))

    def flush(self) -> None:
        if self.cue is not None:
            for element in en.dialogue_block(self.cue, self.block):
                self.builder.add(element)
        self.cue, self.block = None, []
