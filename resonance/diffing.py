"""Two drafts of the same script, episodes aligned by number: score deltas and flag changes."""
from __future__ import annotations

from dataclasses import dataclass

from resonance.report import ScriptReport

KEYS = ("emotional", "cultural", "narrative", "overall")


@dataclass(frozen=True)
class EpisodeDiff:
    number: int
    old: dict[str, float] | None  # None: the episode is new
    new: dict[str, float] | None  # None: the episode was removed
    flags_added: tuple[str, ...]
    flags_removed: tuple[str, ...]

    @property
    def delta(self) -> dict[str, float]:
        if self.old is None or self.new is None:
            return {}
        return {k: round(self.new[k] - self.old[k], 1) for k in KEYS}

    def to_dict(self) -> dict:
        return {"number": self.number, "old": self.old, "new": self.new, "delta": self.delta,
                "flags_added": list(self.flags_added), "flags_removed": list(self.flags_removed)}


def diff_reports(old: ScriptReport, new: ScriptReport) -> list[EpisodeDiff]:
    old_eps = {e.number: e for e in old.episodes}
    new_eps = {e.number: e for e in new.episodes}
    out = []
    for number in sorted(set(old_eps) | set(new_eps)):
        a, b = old_eps.get(number), new_eps.get(number)
        flags_a = {f.code for f in a.flags} if a else set()
        flags_b = {f.code for f in b.flags} if b else set()
        out.append(EpisodeDiff(number=number, old=dict(a.scores) if a else None, new=dict(b.scores) if b else None,
                               flags_added=tuple(sorted(flags_b - flags_a)),
                               flags_removed=tuple(sorted(flags_a - flags_b))))
    return out


def series_delta(old: ScriptReport, new: ScriptReport) -> dict[str, float]:
    return {k: round(new.series.scores[k] - old.series.scores[k], 1) for k in KEYS}
