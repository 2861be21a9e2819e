"""Rendering: reports and parse trees to text. Knows nothing of models."""
from __future__ import annotations

FORMATS = ("table", "json", "jsonl", "csv", "markdown", "html")
MACHINE_FORMATS = ("json", "jsonl", "csv")


def render(report, fmt: str) -> str:
    """Report -> text in one of the file formats (everything but the terminal table)."""
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "jsonl":
        from resonance.render.tabular import to_jsonl

        return to_jsonl(report)
    if fmt == "csv":
        from resonance.render.tabular import to_csv

        return to_csv(report)
    if fmt == "markdown":
        from resonance.render.tabular import to_markdown

        return to_markdown(report)
    if fmt == "html":
        from resonance.render.html import to_html

        return to_html(report)
    raise ValueError(f"unknown format {fmt!r}")
