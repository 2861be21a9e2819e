"""Flat renderings of a Report: one row per episode (CSV, JSONL, Markdown)."""
from __future__ import annotations

import csv
import io
import json

from resonance.report import Report

COLUMNS = ("source", "episode", "title", "emotional", "cultural", "narrative", "overall", "flags")


def episode_rows(report: Report) -> list[dict]:
    rows = []
    for script in report.scripts:
        for ep in script.episodes:
            rows.append({"source": script.source, "episode": ep.number, "title": ep.title or "",
                         **{k: ep.scores[k] for k in ("emotional", "cultural", "narrative", "overall")},
                         "flags": " ".join(f.code for f in ep.flags)})
    return rows


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(episode_rows(report))
    return buffer.getvalue()


def to_jsonl(report: Report) -> str:
    """One JSON object per script (the same object as in `--format json`), then one per error."""
    lines = [json.dumps(s.to_dict(), ensure_ascii=False) for s in report.scripts]
    lines += [json.dumps({"error": dict(e)}, ensure_ascii=False) for e in report.errors]
    return "\n".join(lines) + ("\n" if lines else "")


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    out = []
    for script in report.scripts:
        s = script.series.scores
        out.append(f"## {_md_escape(script.title or script.source)}\n")
        out.append(f"Language: {script.language} · episodes: {len(script.episodes)} · series overall "
                   f"**{s['overall']:.1f}** (emotional {s['emotional']:.1f}, cultural {s['cultural']:.1f}, "
                   f"narrative {s['narrative']:.1f})\n")
        out.append("| ep | title | emotional | cultural | narrative | overall | flags |")
        out.append("|---:|---|---:|---:|---:|---:|---|")
        for ep in script.episodes:
            sc = ep.scores
            out.append(f"| {ep.number} | {_md_escape(ep.title or '')} | {sc['emotional']:.1f} | {sc['cultural']:.1f} "
                       f"| {sc['narrative']:.1f} | {sc['overall']:.1f} | {' '.join(f.code for f in ep.flags)} |")
        out.append("\n### Evidence\n")
        for ep in script.episodes:
            for e in ep.evidence:
                out.append(f"- ep {ep.number}, line {e.line} ({e.dimension}, {e.reason}): "
                           f"{_md_escape(e.text)}")
        out.append("")
    for err in report.errors:
        out.append(f"- **error** {err['source']}: {_md_escape(err['message'])}")
    return "\n".join(out) + "\n"
