"""Batch triage for producers: a folder of submissions ranked by series score, with a
one-paragraph summary of each."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from resonance.io import SCRIPT_EXTENSIONS, natural_key
from resonance.report import ScriptReport

DIMS = ("emotional", "cultural", "narrative")


def submissions(folder: Path) -> list[Path]:
    """One submission per script file or per sub-folder (a folder of episode files)."""
    items = []
    for child in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
        if child.name.startswith("."):
            continue
        if child.is_dir() or child.suffix.lower() in SCRIPT_EXTENSIONS - {""}:
            items.append(child)
    return items


@dataclass(frozen=True)
class Ranked:
    rank: int
    report: ScriptReport
    summary: str

    def row(self) -> dict:
        s = self.report.series.scores
        return {"rank": self.rank, "source": self.report.source, "title": self.report.title or "",
                "episodes": len(self.report.episodes), **{k: s[k] for k in (*DIMS, "overall")},
                "summary": self.summary}


def summarize(report: ScriptReport) -> str:
    s = report.series.scores
    strongest = max(DIMS, key=lambda d: (s[d], d))
    weakest = min(DIMS, key=lambda d: (s[d], d))
    flags: dict[str, int] = {}
    for ep in report.episodes:
        for f in ep.flags:
            flags[f.code] = flags.get(f.code, 0) + 1
    flag_text = ", ".join(f"{code} ×{n}" for code, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])))
    worst = ", ".join(map(str, report.series.weakest)) or "none"
    paywall = report.series.paywall
    pay = ""
    if paywall.get("episodes_in_window"):
        pay = (" The paywall window ends on strong cliffhangers." if paywall["strong"]
               else f" Weak endings in the paywall window: episodes {', '.join(map(str, paywall['weak_endings']))}.")
    return (f"{len(report.episodes)} episodes, overall {s['overall']:.1f}. Strongest: {strongest} "
            f"({s[strongest]:.1f}); weakest: {weakest} ({s[weakest]:.1f}). Worst episodes: {worst}."
            f"{pay} Flags: {flag_text or 'none'}.")


def rank(reports: list[ScriptReport]) -> list[Ranked]:
    ordered = sorted(reports, key=lambda r: (-r.series.scores["overall"], r.source))
    return [Ranked(i + 1, r, summarize(r)) for i, r in enumerate(ordered)]
