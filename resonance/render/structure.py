"""Render parsed scripts (the `resonance parse` command) as JSON or a table."""
from __future__ import annotations

import json

from resonance.errors import ResonanceError
from resonance.types import Element, Script

SCHEMA_VERSION = 1


def element_dict(element: Element) -> dict:
    out: dict = {"kind": element.kind, "speaker": element.speaker, "text": element.text, "line": element.line}
    if element.direction:
        out["direction"] = element.direction
    if element.voice:
        out["voice"] = element.voice
    if element.dual:
        out["dual"] = True
    return out


def script_dict(script: Script) -> dict:
    return {
        "source": script.source,
        "format": script.format,
        "encoding": script.encoding,
        "language": script.language,
        "title": script.title,
        "episodes": [
            {
                "number": ep.number,
                "title": ep.title,
                "line": ep.line,
                "scenes": [
                    {
                        "heading": sc.heading, "line": sc.line, "number": sc.number,
                        "time_of_day": sc.time_of_day, "setting": sc.setting,
                        "location": sc.location, "cast": list(sc.cast),
                        "elements": [element_dict(e) for e in sc.elements],
                    }
                    for sc in ep.scenes
                ],
            }
            for ep in script.episodes
        ],
    }


def to_json(scripts: list[Script], errors: list[ResonanceError]) -> str:
    payload = {
        "schema_version": SCHEMA_VERSION,
        "scripts": [script_dict(s) for s in scripts],
        "errors": [{"source": e.source, "message": e.message, "line": e.line} for e in errors],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def print_table(scripts: list[Script], console) -> None:
    from rich.table import Table

    for script in scripts:
        table = Table(title=f"{script.source}  [{script.format}, {script.encoding}, {script.language}]")
        for col in ("ep", "scenes", "dialogue", "action", "speakers", "title"):
            table.add_column(col)
        for ep in script.episodes:
            els = ep.elements
            speakers = {e.speaker for e in els if e.speaker}
            table.add_row(str(ep.number), str(len(ep.scenes)),
                          str(sum(e.kind == "dialogue" for e in els)),
                          str(sum(e.kind == "action" for e in els)),
                          str(len(speakers)), ep.title or "")
        console.print(table)
