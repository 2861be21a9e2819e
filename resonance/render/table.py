"""The terminal view: a rich table per script, flags and the strongest evidence."""
from __future__ import annotations

from resonance.report import Report

DIMS = ("emotional", "cultural", "narrative", "overall")


def _color(value: float) -> str:
    return "green" if value >= 65 else "yellow" if value >= 45 else "red"


def print_report(report: Report, console, evidence: int = 1) -> None:
    from rich.table import Table

    for script in report.scripts:
        s = script.series.scores
        table = Table(title=f"{script.title or script.source}  [{script.language}, {len(script.episodes)} episodes]",
                      caption=f"series: overall {s['overall']:.1f} · emotional {s['emotional']:.1f} · "
                              f"cultural {s['cultural']:.1f} · narrative {s['narrative']:.1f}")
        table.add_column("ep", justify="right")
        for d in DIMS:
            table.add_column(d[:4] if d != "overall" else "overall", justify="right")
        table.add_column("flags")
        for ep in script.episodes:
            table.add_row(str(ep.number), *(f"[{_color(ep.scores[d])}]{ep.scores[d]:.0f}[/]" for d in DIMS),
                          ", ".join(f.code for f in ep.flags))
        console.print(table)
        paywall = script.series.paywall
        if paywall.get("episodes_in_window"):
            verdict = "strong" if paywall["strong"] else f"weak endings in {paywall['weak_endings']}"
            console.print(f"paywall window {paywall['window'][0]}-{paywall['window'][1]}: {verdict}")
        if script.series.weakest:
            console.print(f"weakest episodes: {', '.join(map(str, script.series.weakest))}")
        if evidence:
            for ep in script.episodes:
                per_dimension: dict[str, int] = {}
                for e in ep.evidence:
                    per_dimension[e.dimension] = per_dimension.get(e.dimension, 0) + 1
                    if per_dimension[e.dimension] > evidence:
                        continue
                    console.print(f"  ep {ep.number} L{e.line} [dim]{e.dimension}[/]: {e.text[:60]}  "
                                  f"[dim]({e.reason})[/]", highlight=False)
                for flag in ep.flags:
                    where = f" (line {flag.line})" if flag.line else ""
                    console.print(f"  ep {ep.number} [red]{flag.code}[/]{where}: {flag.message}", highlight=False)
