"""A self-contained HTML report: inline SVG charts, no scripts, no network.

Readable on a phone (fluid SVG with a viewBox, one column under 700 px) and on a laptop.
"""
from __future__ import annotations

from html import escape

from resonance.report import Report, ScriptReport

COLORS = {"emotional": "#e4572e", "cultural": "#17bebb", "narrative": "#4b3f72", "overall": "#222"}
DIMS = ("emotional", "cultural", "narrative")

CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;color:#222;background:#fafafa;overflow-wrap:break-word}
main{max-width:1100px;margin:auto;padding:12px}
section{background:#fff;border-radius:10px;padding:12px 16px;margin:12px 0;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem}h2{font-size:1.2rem}h3{font-size:1rem;margin:.8em 0 .3em}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px}
@media (max-width:700px){.grid{grid-template-columns:1fr}table{font-size:.85rem}}
.scroll{overflow-x:auto}td.t{min-width:5em}
svg{width:100%;height:auto}
table{border-collapse:collapse;width:100%}td,th{padding:4px 6px;border-bottom:1px solid #eee;text-align:right}
td.l,th.l{text-align:left}.flag{display:inline-block;background:#fde2e1;color:#a61b1b;border-radius:4px;padding:0 4px;margin:1px;font-size:.8rem}
.legend span{margin-right:12px;font-size:.85rem}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
.ev{font-size:.9rem;margin:2px 0}.dim{color:#666}
"""


# Charts are drawn in a 400-unit-wide viewBox and scaled to their column, so 12-unit text reads
# at about 10 px in a phone's single column and about 15 px in a laptop's half-width column.
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 400, 26, 10, 8, 20
FONT = 12


def _y_axis(height: int) -> list[str]:
    parts = []
    for y in (0, 50, 100):
        yy = height - BOTTOM - (height - TOP - BOTTOM) * y / 100
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 4}" y="{yy + 4:.1f}" font-size="{FONT}" fill="#666" '
                     f'text-anchor="end">{y}</text>')
    return parts


def _x_labels(numbers: list[int], centre_of, height: int) -> list[str]:
    # Leave room for a two-digit label (about 16 units) between labels, however many episodes.
    every = max(1, -(-len(numbers) * 16 // (WIDTH - LEFT - RIGHT)))
    return [f'<text x="{centre_of(i):.1f}" y="{height - 5}" font-size="{FONT}" fill="#444" '
            f'text-anchor="middle">{num}</text>'
            for i, num in enumerate(numbers) if i % every == 0]


def _bars(script: ScriptReport) -> str:
    episodes = script.episodes
    height = 170
    n = max(1, len(episodes))
    group = (WIDTH - LEFT - RIGHT) / n
    bar = max(0.5, group / 4.4)
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="scores per episode" class="chart bars">',
             *_y_axis(height)]
    for i, ep in enumerate(episodes):
        for j, dim in enumerate((*DIMS, "overall")):
            value = ep.scores[dim]
            h = (height - TOP - BOTTOM) * value / 100
            x = LEFT + i * group + (group - 4 * bar) / 2 + j * bar
            parts.append(f'<rect x="{x:.1f}" y="{height - BOTTOM - h:.1f}" width="{bar * 0.9:.2f}" height="{h:.1f}" '
                         f'fill="{COLORS[dim]}"><title>ep {ep.number} {dim} {value:.1f}</title></rect>')
    parts += _x_labels([e.number for e in episodes], lambda i: LEFT + (i + 0.5) * group, height)
    parts.append("</svg>")
    return "".join(parts)


def _arc(script: ScriptReport) -> str:
    height = 170
    arc = script.series.arc
    n = len(script.episodes)
    step = (WIDTH - LEFT - RIGHT) / max(1, n - 1)
    parts = [f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="arc across episodes" class="chart arc">']
    pw = script.series.paywall
    if pw.get("episodes_in_window") and n > 1:
        # Drawn first so that the lines stay on top of the shading.
        numbers = [e.number for e in script.episodes]
        inside = [i for i, num in enumerate(numbers) if pw["window"][0] <= num <= pw["window"][1]]
        x0, x1 = LEFT + inside[0] * step, LEFT + inside[-1] * step
        parts.append(f'<rect x="{x0:.1f}" y="{TOP}" width="{max(4, x1 - x0):.1f}" height="{height - TOP - BOTTOM}" '
                     f'fill="#f4d35e55"><title>paywall window</title></rect>'
                     f'<text x="{x0 + 3:.1f}" y="{TOP + FONT}" font-size="{FONT}" fill="#8a6d00">paywall</text>')
    parts += _y_axis(height)
    for dim in DIMS:
        values = arc.get(dim, [])
        if not values:
            continue
        points = " ".join(f"{LEFT + i * step:.1f},{height - BOTTOM - (height - TOP - BOTTOM) * v / 100:.1f}"
                          for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLORS[dim]}" stroke-width="2" '
                     f'stroke-linejoin="round"/>')
    parts += _x_labels([e.number for e in script.episodes], lambda i: LEFT + i * step, height)
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    return '<div class="legend">' + "".join(
        f'<span><i class="sw" style="background:{c}"></i>{d}</span>' for d, c in COLORS.items()) + "</div>"


def _script_section(script: ScriptReport) -> str:
    s = script.series.scores
    # The script's own words carry its language, so that Chinese gets its simplified glyph forms
    # while the report's English labels stay English.
    lang = f' lang="{escape({"zh": "zh-Hans"}.get(script.language, script.language))}"'
    rows = []
    for ep in script.episodes:
        flags = "".join(f'<span class="flag" title="{escape(f.message)}">{escape(f.code)}</span>' for f in ep.flags)
        rows.append(f"<tr><td>{ep.number}</td><td class='l t'{lang}>{escape(ep.title or '')}</td>"
                    + "".join(f"<td>{ep.scores[d]:.0f}</td>" for d in (*DIMS, "overall"))
                    + f"<td class='l'>{flags}</td></tr>")
    evidence = []
    for ep in script.episodes:
        for e in ep.evidence:
            evidence.append(f'<p class="ev"><b>ep {ep.number} · L{e.line}</b> <span class="dim">{escape(e.dimension)}'
                            f' · {escape(e.reason)}</span><br><span{lang}>{escape(e.text)}</span></p>')
    pw = script.series.paywall
    paywall = ""
    if pw.get("episodes_in_window"):
        weak = ", ".join(map(str, pw["weak_endings"]))
        verdict = "ends on strong cliffhangers" if pw["strong"] else f"weak endings in episodes {weak}"
        paywall = f"<p>Paywall window {pw['window'][0]}–{pw['window'][1]}: {escape(verdict)}.</p>"
    return f"""<section><h2{lang}>{escape(script.title or script.source)}</h2>
<p>{escape(script.language)} · {len(script.episodes)} episodes · series overall <b>{s['overall']:.1f}</b>
(emotional {s['emotional']:.1f}, cultural {s['cultural']:.1f}, narrative {s['narrative']:.1f}).
Weakest episodes: {', '.join(map(str, script.series.weakest)) or '–'}.</p>{paywall}
<div class="grid"><div><h3>Scores per episode</h3>{_bars(script)}</div>
<div><h3>Arc across episodes</h3>{_arc(script)}</div></div>{_legend()}
<h3>Episodes</h3><div class="scroll"><table><tr><th>ep</th><th class='l'>title</th><th>emo</th><th>cult</th><th>narr</th><th>overall</th><th class='l'>flags</th></tr>
{''.join(rows)}</table></div>
<h3>Evidence</h3>{''.join(evidence)}</section>"""


def to_html(report: Report, title: str = "resonance report") -> str:
    errors = "".join(f"<li>{escape(str(e.get('source')))}: {escape(str(e.get('message')))}</li>" for e in report.errors)
    body = "".join(_script_section(s) for s in report.scripts)
    if errors:
        body += f"<section><h2>Errors</h2><ul>{errors}</ul></section>"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main><h1>{escape(title)}</h1>"
            f"{body}</main></body></html>\n")
