"""English screenplay conventions shared by the Fountain, plain-text and FDX readers.

One place decides what an ``INT./EXT.`` heading, a caps character cue, a ``(V.O.)``
extension, a parenthetical, a transition, a ``SUPER:`` caption, a FLASHBACK marker or
an ``EPISODE 3`` header looks like, so the three readers cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from resonance.types import Element, ElementKind

# -- scene headings -------------------------------------------------------------
_HEADING = re.compile(  # INTERIOR/EXTERIOR only in caps: "Exterior walls crumble." is action
    r"^(?P<prefix>INTERIOR|EXTERIOR|(?i:INT\.?/EXT|INT/EXT|EXT\.?/INT|I/E|INT|EXT|EST))(?:\.|\s)[\s\-]*(?P<rest>.*)$")
_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")  # Fountain's  INT. LAB - DAY #12A#
# production drafts number scenes in both margins:  12   INT. LAB - DAY   12*
_MARGIN_NUMBERS = re.compile(r"^(?P<number>\d+(?:[A-Z](?![A-Z]))?)\.?\s*(?P<body>.+?)(?:\s*(?P=number))?\s*\*?$")
_DASH = re.compile(r"\s+[-\u2013\u2014]+\s+")
_TIMES = {
    "DAY": "day", "NIGHT": "night", "MORNING": "morning", "AFTERNOON": "afternoon",
    "EVENING": "evening", "DAWN": "dawn", "SUNRISE": "dawn", "DUSK": "dusk", "SUNSET": "dusk",
    "NOON": "day", "MIDNIGHT": "night", "CONTINUOUS": "continuous", "LATER": "later",
    "MOMENTS LATER": "later", "SAME": "same", "SAME TIME": "same",
}


@dataclass(frozen=True)
class Heading:
    text: str
    setting: str | None
    location: str | None
    time_of_day: str | None
    number: str | None = None


def is_heading(line: str) -> bool:
    return parse_heading(line) is not None


def parse_heading(line: str, forced: bool = False) -> Heading | None:
    """``EXT. BRICK'S PATIO - DAY #4#`` -> setting ext, location, time day, number 4."""
    text = line.strip()
    number = None
    found = _SCENE_NUMBER.search(text)
    if found:
        number, text = found.group(1), text[:found.start()].rstrip()
    margins = _MARGIN_NUMBERS.match(text)
    if margins and _HEADING.match(margins.group("body")):
        number, text = margins.group("number"), margins.group("body")
    match = _HEADING.match(text)
    if not match:
        return Heading(text, None, text or None, None, number) if forced and text else None
    prefix = match.group("prefix").upper().replace(".", "")
    setting = {"INT": "int", "INTERIOR": "int", "EXT": "ext", "EXTERIOR": "ext", "EST": "ext"}.get(prefix, "int/ext")
    parts = _DASH.split(match.group("rest").strip())
    # the first part after the place that names a time: "SKY - NIGHT - ANGLE ON PLANET" is night
    at = next((i for i in range(1, len(parts)) if _time_of_day(parts[i])), None)
    time_of_day = _time_of_day(parts[at]) if at else None
    location = " - ".join(parts[:at] if at else parts).strip() or None
    return Heading(text, setting, location, time_of_day, number)


def _time_of_day(part: str) -> str | None:
    """A dash-separated part that is a time (``NIGHT``, ``MOMENTS LATER``, ``DAY (1987)``)."""
    words = re.sub(r"\(.*?\)", " ", part.upper())
    joined = " ".join(re.sub(r"[^A-Z ]", " ", words).split())
    return _TIMES.get(joined)


# -- character cues ---------------------------------------------------------------
_EXTENSION = re.compile(r"\(([^()]*)\)\s*$")
_VOICES = {"VO": "VO", "OS": "OS", "OC": "OS", "OFF": "OS", "OFFSCREEN": "OS"}
_CONTINUED = {"CONTD", "CONT", "CONTINUED", "CONTINUING"}
_NAME_PUNCT = set(" .'\u2019-&#/")
NARRATORS = {"NARRATOR", "NARRATION", "VOICE OVER", "VOICEOVER", "VOICE-OVER"}
MAX_CUE_CHARS = 40
MAX_CUE_WORDS = 5


@dataclass(frozen=True)
class Cue:
    name: str
    voice: str | None = None  # "VO" / "OS"
    dual: bool = False  # Fountain's trailing ``^``
    direction: str | None = None  # another extension, e.g. (ON PHONE): applies to the whole speech


def parse_cue(line: str, *, allow_forced: bool = False) -> Cue | None:
    """A caps character cue such as ``MR. STEEL (V.O.) (CONT'D) ^``; None when not a cue.

    ``@name`` forces a cue in Fountain (``allow_forced``). A cue is not a heading, a
    transition, a caption or a marker line, and never ends with a colon.
    """
    text = line.strip()
    dual = text.endswith("^")
    if dual:
        text = text[:-1].rstrip()
    forced = allow_forced and text.startswith("@")
    if forced:
        text = text[1:].strip()
    voice = None
    others: list[str] = []
    while (ext := _EXTENSION.search(text)) is not None:
        key = re.sub(r"[^A-Z]", "", ext.group(1).upper())
        if key in _VOICES:
            voice = _VOICES[key]
        elif key not in _CONTINUED and ext.group(1).strip():
            others.insert(0, ext.group(1).strip())
        text = text[:ext.start()].rstrip()
    if not text:
        return None
    if not forced and not _looks_like_name(text):
        return None
    return Cue(name=text, voice=voice, dual=dual, direction="; ".join(others) or None)


def _looks_like_name(text: str) -> bool:
    if len(text) > MAX_CUE_CHARS or len(text.split()) > MAX_CUE_WORDS:
        return False
    if text != text.upper() or not any(ch.isalpha() for ch in text) or text.endswith("."):
        return False
    if any(not (ch.isalnum() or ch in _NAME_PUNCT) for ch in text):
        return False
    return not (is_heading(text) or is_transition(text) or special_kind(text) or episode_header(text))


# -- transitions ------------------------------------------------------------------
_TRANSITION = re.compile(r"^[^a-z]*\bTO:$")
_KNOWN_TRANSITIONS = re.compile(
    r"^(FADE IN:|FADE OUT\.?|FADE TO BLACK\.?|CUT TO BLACK\.?|SMASH CUT\.?|INTERCUT:?|JUMP CUT:?|"
    r"BACK TO SCENE\.?)$")


def is_transition(line: str) -> bool:
    text = line.strip()
    return bool(_TRANSITION.match(text) or _KNOWN_TRANSITIONS.match(text))


# -- captions and flashback markers -----------------------------------------------
_CAPTION = re.compile(
    r"^(?:SUPER|SUPERIMPOSE|TITLE CARD|CHYRON|CAPTION|ON SCREEN|ON-SCREEN TEXT|TEXT ON SCREEN|"
    r"ONSCREEN TEXT|INSERT CARD|SUBTITLE)\s*:\s*(?P<text>.*)$")
_FLASHBACK = re.compile(
    r"^(?:(?:BEGIN |START )?FLASHBACK(?:\s*(?:TO\b|[:\-\u2013\u2014(]).*)?|END(?:\s+OF)?\s+FLASHBACK|"
    r"FLASHBACK\s+ENDS|(?:BACK|RETURN)\s+TO\s+(?:THE\s+)?PRESENT(?:\s+DAY)?)\s*[.:]?$",
    re.IGNORECASE)
MAX_MARKER_CHARS = 60


def special_kind(line: str) -> str | None:
    """``caption`` for SUPER: / TITLE CARD: / CHYRON: lines, ``flashback`` for markers."""
    text = line.strip()
    if _CAPTION.match(text):
        return ElementKind.CAPTION
    if len(text) <= MAX_MARKER_CHARS and _FLASHBACK.match(text):
        return ElementKind.FLASHBACK
    return None


def special_element(line: str, number: int) -> Element | None:
    text = line.strip()
    kind = special_kind(text)
    if kind == ElementKind.CAPTION:
        caption = _CAPTION.match(text).group("text").strip().strip("\"'\u201c\u201d")  # type: ignore[union-attr]
        return Element(kind=kind, text=caption or text, line=number)
    if kind == ElementKind.FLASHBACK:
        return Element(kind=kind, text=text.rstrip(".:"), line=number)
    return None


# -- episode headers --------------------------------------------------------------
_EPISODE = re.compile(
    r"^(?:EPISODE|EP\.?)\s*(?:NO\.?\s*|#\s*)?(?P<number>\d+|[A-Z]+(?:[\s\-][A-Z]+){0,2}?)"
    r"(?:\s*(?:[:.\u2013\u2014]|\s-)\s*(?P<title>.*?)|\s+(?P<bare>(?<=\d\s)\S.*?))?\s*$",
    re.IGNORECASE)
_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}


def episode_header(line: str) -> tuple[int, str | None] | None:
    """``EPISODE 3``, ``Episode 3: The Return``, ``EPISODE THREE``, ``Ep. 3`` -> (3, title)."""
    match = _EPISODE.match(line.strip())
    if not match:
        return None
    number = words_to_int(match.group("number"))
    if number is None:
        return None
    title = (match.group("title") or match.group("bare") or "").strip() or None
    return number, title


def words_to_int(text: str) -> int | None:
    """``12`` -> 12, ``twenty-one`` -> 21, ``ONE HUNDRED`` -> 100; None if not a number."""
    if text.isdigit():
        return int(text)
    total = 0
    for word in re.split(r"[\s\-]+", text.lower()):
        if word in _UNITS:
            total += _UNITS.index(word)
        elif word in _TENS:
            total += _TENS[word]
        elif word == "hundred":
            total = max(total, 1) * 100
        elif word != "and":
            return None
    return total or None


# -- dialogue blocks --------------------------------------------------------------
MAX_PAREN_LINES = 4
def is_parenthetical(line: str) -> bool:
    text = line.strip()
    return text.startswith("(") and text.endswith(")")


def spoken_element(cue: Cue, text: str, line: int, direction: str | None = None) -> Element:
    """Dialogue, or narration for a V.O./O.S. cue or a NARRATOR."""
    narration = cue.voice is not None or cue.name.upper() in NARRATORS
    return Element(kind=ElementKind.NARRATION if narration else ElementKind.DIALOGUE, text=text,
                   line=line, speaker=cue.name, direction=direction or cue.direction, voice=cue.voice,
                   dual=cue.dual)


def dialogue_block(cue: Cue, lines: list[tuple[int, str]]) -> list[Element]:
    """The lines under one cue -> spoken elements; a parenthetical goes to the next line's
    ``direction``, and only a trailing one with nothing to direct stays a parenthetical."""
    elements: list[Element] = []
    directions: list[str] = []
    direction_line = 0
    paren: list[tuple[int, str]] = []  # an open parenthetical, possibly over several lines
    speech: list[tuple[int, str]] = []

    def flush_speech() -> None:
        if speech:
            text = " ".join(" ".join(t for _, t in speech).split())
            elements.append(spoken_element(cue, text, speech[0][0], "; ".join(directions) or None))
            directions.clear()
            speech.clear()

    for number, raw in lines:
        text = raw.strip()
        if not text:
            continue
        if not paren and text.startswith("(") and _closes_before_end(text):  # (laughs) I knew it.
            flush_speech()
            close = text.index(")")
            directions.extend([text[1:close].strip()] if text[1:close].strip() else [])
            speech.append((number, text[close + 1:].strip()))
            continue
        if paren or text.startswith("("):
            if not paren:
                flush_speech()
                direction_line = number
            paren.append((number, text))
            if text.endswith(")"):
                direction = " ".join(t for _, t in paren)[1:-1].strip()
                paren.clear()
                voice = _VOICES.get(re.sub(r"[^A-Z]", "", direction.upper()))
                if voice:
                    cue = Cue(cue.name, voice, cue.dual, cue.direction)
                elif direction:
                    directions.append(direction)
            elif len(paren) >= MAX_PAREN_LINES:  # never closed: it was speech after all
                speech.extend(paren)
                paren.clear()
            continue
        speech.append((number, text))
    speech.extend(paren)
    flush_speech()
    if directions:
        elements.append(Element(kind=ElementKind.PARENTHETICAL, text="; ".join(directions),
                                line=direction_line or lines[-1][0], speaker=cue.name))
    return elements


def _closes_before_end(text: str) -> bool:
    close = text.find(")")
    return 0 < close < len(text) - 1


def split_leading_direction(text: str) -> tuple[str | None, str]:
    """``(laughs) I knew it.`` -> ("laughs", "I knew it.")."""
    if text.startswith("(") and _closes_before_end(text):
        close = text.index(")")
        return text[1:close].strip() or None, text[close + 1:].strip()
    return None, text
