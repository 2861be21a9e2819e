"""Turning points (TRIPOD, Papalampidi et al. 2019) from the narrative beat model: an external check.

TRIPOD's 15 test screenplays carry scene-level gold for five turning points (tp1 Opportunity,
tp2 Change of Plans, tp3 Point of No Return, tp4 Major Setback, tp5 Climax). This module holds the
pieces of that check that need no model and no files, so each can be tested on a few lines:

- ``tripod_scenes``: scenes split exactly as TRIPOD's ``screenplays_scene_segmentation.py`` does
  (a line starts a scene when one of its whitespace-separated tokens is ``INT.``, ``EXT.``,
  ``INT/EXT.``, ``EXT./INT.`` or ``INT./EXT.``; text before the first heading is dropped and so is
  the last scene, which that script never writes out). The gold indices count these scenes from 0.
- ``scene_signals``: per-line beat probabilities -> per-scene means, maxima and a "turn" signal.
- ``synopsis_prior``: where each turning point sits, from the TRAIN synopsis annotations only.
- ``predict_turning_points``: the scene maximising log prior + log relative turn, per TP.
- ``tripod_metrics``: Total Agreement, Partial Agreement and Distance as the TRIPOD authors compute
  them (``modules/evaluation.py`` of ppapalampidi/GraphTP): the prediction for a TP is a set of
  scenes (TRIPOD's protocol: the top scene and its two neighbours, see ``tripod_window``).
"""
from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

TURNING_POINTS = ("tp1", "tp2", "tp3", "tp4", "tp5")
TP_NAMES = {"tp1": "Opportunity", "tp2": "Change of Plans", "tp3": "Point of No Return",
            "tp4": "Major Setback", "tp5": "Climax"}
HEADING_TOKENS = frozenset({"INT.", "EXT.", "INT/EXT.", "EXT./INT.", "INT./EXT."})
SIGNAL_BEATS = ("reversal", "revelation", "conflict", "cliffhanger", "payoff", "hook", "exposition", "calm")
# A turning point changes the story's direction: the beats that turn, reveal, leave open or pay off.
# Conflict is left out on purpose: it runs through most scenes of a drama, it does not mark a turn.
TURN_BEATS = ("reversal", "revelation", "cliffhanger", "payoff")
# A scene's turn is its mean line turn shrunk toward the screenplay's mean as if it had this many
# more average lines, so a one-line scene cannot win on one noisy line.
SHRINK_LINES = 3
_TAG = re.compile(r"<[^<>\n]*>")

GoldOrPred = Mapping[str, Sequence[int]]


# --- scenes, as TRIPOD splits them ---------------------------------------------------------

@dataclass(frozen=True)
class SceneSpan:
    """One TRIPOD scene: ``start`` is the 1-based line of its heading, ``end`` the first line after it."""

    index: int
    heading: str
    start: int
    end: int


def split_lines(text: str) -> list[str]:
    """Lines as Python's text-mode ``readlines()`` sees them (\\n, \\r\\n and \\r end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def is_tripod_heading(line: str) -> bool:
    return any(token in HEADING_TOKENS for token in line.split())


def tripod_scenes(text: str) -> list[SceneSpan]:
    """The scenes TRIPOD indexes. The last heading's scene is dropped, as TRIPOD's script drops it."""
    lines = split_lines(text)
    starts = [i + 1 for i, line in enumerate(lines) if is_tripod_heading(line)]
    return [SceneSpan(index=k, heading=lines[start - 1].strip(), start=start, end=end)
            for k, (start, end) in enumerate(zip(starts, starts[1:]))]


def strip_html(text: str) -> str:
    """Remove tags such as ``<b>`` inside lines; the number of lines stays the same."""
    return _TAG.sub("", text)


def scene_of_line(scenes: Sequence[SceneSpan], line: int) -> int | None:
    """Index of the scene holding a 1-based line; None before the first or inside the dropped last one."""
    if not scenes:
        return None
    k = bisect_right([s.start for s in scenes], line) - 1
    if k < 0 or line >= scenes[k].end:
        return None
    return k


# --- per-scene signals from per-line beat probabilities -------------------------------------

@dataclass(frozen=True)
class SceneSignals:
    lines: int
    mean: dict[str, float]  # beat -> mean probability over the scene's lines (0 for an empty scene)
    max: dict[str, float]
    turn_mean: float
    turn_max: float
    turn: float  # the shrunk mean turn that the prediction reads


def line_turn(beat: Mapping[str, float]) -> float:
    return sum(beat.get(b, 0.0) for b in TURN_BEATS)


def scene_signals(n_scenes: int, line_scenes: Sequence[int | None],
                  line_beats: Sequence[Mapping[str, float]]) -> list[SceneSignals]:
    """Aggregate line beats into ``n_scenes`` scenes; lines whose scene is None are left out."""
    if len(line_scenes) != len(line_beats):
        raise ValueError("line_scenes and line_beats must have one entry per line")
    grouped: list[list[Mapping[str, float]]] = [[] for _ in range(n_scenes)]
    for scene, beat in zip(line_scenes, line_beats):
        if scene is not None:
            grouped[scene].append(beat)
    kept = [b for group in grouped for b in group]
    overall = sum(map(line_turn, kept)) / len(kept) if kept else 0.0
    out = []
    for group in grouped:
        turns = [line_turn(b) for b in group]
        mean = {b: (sum(x.get(b, 0.0) for x in group) / len(group) if group else 0.0) for b in SIGNAL_BEATS}
        peak = {b: max((x.get(b, 0.0) for x in group), default=0.0) for b in SIGNAL_BEATS}
        out.append(SceneSignals(
            lines=len(group), mean=mean, max=peak,
            turn_mean=sum(turns) / len(turns) if turns else 0.0, turn_max=max(turns, default=0.0),
            turn=(sum(turns) + SHRINK_LINES * overall) / (len(turns) + SHRINK_LINES)))
    return out


# --- where turning points sit ------------------------------------------------------------

@dataclass(frozen=True)
class PositionPrior:
    """A Gaussian over relative position (0 = start, 1 = end) for each turning point."""

    mean: dict[str, float]
    std: dict[str, float]
    movies: int = 0

    def log_density(self, tp: str, position: float) -> float:
        z = (position - self.mean[tp]) / self.std[tp]
        return -0.5 * z * z - math.log(self.std[tp])


def synopsis_prior(annotations: Iterable[tuple[str, int, Mapping[str, int | None]]]) -> PositionPrior:
    """Mean and spread of each TP's relative position over annotated synopses.

    ``annotations`` yields (movie, number of sentences, {tp: sentence index}). Sentence i of n sits at
    (i + 0.5) / n; a movie annotated several times counts once, at its annotators' mean position.
    """
    per_movie: dict[str, dict[str, list[float]]] = {}
    for movie, sentences, tps in annotations:
        for tp in TURNING_POINTS:
            index = tps.get(tp)
            if index is not None and sentences > 0:
                per_movie.setdefault(movie, {}).setdefault(tp, []).append((index + 0.5) / sentences)
    mean, std = {}, {}
    for tp in TURNING_POINTS:
        xs = [sum(v[tp]) / len(v[tp]) for v in per_movie.values() if v.get(tp)]
        if len(xs) < 2:
            raise ValueError(f"need at least two annotated movies for {tp}")
        mean[tp] = sum(xs) / len(xs)
        std[tp] = math.sqrt(sum((x - mean[tp]) ** 2 for x in xs) / len(xs))
    return PositionPrior(mean=mean, std=std, movies=len(per_movie))


def scene_position(index: int, n_scenes: int) -> float:
    """Relative position of a scene's middle, on the same scale as the synopsis prior."""
    return (index + 0.5) / n_scenes


# --- prediction ----------------------------------------------------------------------------

def predict_position_only(n_scenes: int, prior: PositionPrior) -> dict[str, int]:
    """The scene whose middle is nearest each TP's expected position."""
    return {tp: max(range(n_scenes), key=lambda j: prior.log_density(tp, scene_position(j, n_scenes)))
            for tp in TURNING_POINTS}


def predict_turning_points(turn: Sequence[float], prior: PositionPrior) -> dict[str, int]:
    """Per TP, the scene maximising log prior(position) + log(turn / mean turn).

    The turn signal acts as a likelihood ratio on top of the positional prior: no weight is fitted,
    and a screenplay whose scenes all turn alike gets the position-only answer.
    """
    n = len(turn)
    if n == 0:
        raise ValueError("no scenes")
    average = sum(turn) / n
    ratio = [math.log(max(t, 1e-9) / average) if average > 0 else 0.0 for t in turn]
    return {tp: max(range(n), key=lambda j: prior.log_density(tp, scene_position(j, n)) + ratio[j])
            for tp in TURNING_POINTS}


def tripod_window(top: int, n_scenes: int) -> list[int]:
    """TRIPOD's predicted set for a TP: the top scene and its neighbours, shifted inward at the ends."""
    if n_scenes <= 3:
        return list(range(n_scenes))
    start = min(max(top - 1, 0), n_scenes - 3)
    return [start, start + 1, start + 2]


# --- TRIPOD's measures ---------------------------------------------------------------------

@dataclass(frozen=True)
class Metrics:
    """TA and PA are fractions (0-1); D is a fraction of the screenplay's scenes."""

    total_agreement: float
    partial_agreement: float
    distance: float
    events: int

    def as_percent(self) -> dict[str, float]:
        return {"TA": round(100 * self.total_agreement, 2), "PA": round(100 * self.partial_agreement, 2),
                "D": round(100 * self.distance, 2)}


def tripod_metrics(gold: Sequence[GoldOrPred], predicted: Sequence[GoldOrPred],
                   n_scenes: Sequence[int], tps: Sequence[str] = TURNING_POINTS) -> Metrics:
    """TRIPOD's three measures over screenplays x turning points.

    - TA: of all gold TP scenes, the share inside the predicted set of their TP (pooled over scenes).
    - PA: of all TP events, the share whose predicted set holds at least one gold scene.
    - D: mean over TP events of the smallest |predicted - gold| scene distance over the two sets,
      divided by the screenplay's number of scenes.
    """
    if not (len(gold) == len(predicted) == len(n_scenes)):
        raise ValueError("gold, predicted and n_scenes must have one entry per screenplay")
    hits = gold_scenes = exact = events = 0
    distance = 0.0
    for g_movie, p_movie, n in zip(gold, predicted, n_scenes):
        for tp in tps:
            g, p = set(g_movie[tp]), set(p_movie[tp])
            if not g or not p:
                raise ValueError(f"empty gold or predicted set for {tp}")
            events += 1
            gold_scenes += len(g)
            hits += len(g & p)
            exact += bool(g & p)
            distance += min(abs(a - b) for a in g for b in p) / n
    return Metrics(hits / gold_scenes, exact / events, distance / events, events)


def random_baseline(gold: Sequence[GoldOrPred], n_scenes: Sequence[int], *, draws: int = 1000,
                    seed: int = 0, window: bool = True, tps: Sequence[str] = TURNING_POINTS) -> Metrics:
    """Mean of ``draws`` runs that pick each TP's top scene uniformly at random (seeded)."""
    rng = random.Random(seed)
    totals = [0.0, 0.0, 0.0]
    events = 0
    for _ in range(draws):
        predicted = []
        for n in n_scenes:
            tops = {tp: rng.randrange(n) for tp in tps}
            predicted.append({tp: tripod_window(j, n) if window else [j] for tp, j in tops.items()})
        m = tripod_metrics(gold, predicted, n_scenes, tps)
        totals = [totals[0] + m.total_agreement, totals[1] + m.partial_agreement, totals[2] + m.distance]
        events = m.events
    return Metrics(totals[0] / draws, totals[1] / draws, totals[2] / draws, events)


@dataclass(frozen=True)
class ShuffleControl:
    """The prediction rule fed each screenplay's own turn values in a random scene order."""

    mean: Metrics
    # share of shuffles that reach the real signal's TA / PA (a one-sided permutation p-value)
    p_total_agreement: float
    p_partial_agreement: float


def shuffled_signal_control(turns: Sequence[Sequence[float]], prior: PositionPrior,
                            gold: Sequence[GoldOrPred], observed: Metrics, *, draws: int = 200,
                            seed: int = 0, window: bool = True) -> ShuffleControl:
    """Does the turn signal help because of *where* it is high, or would any signal with the same
    values do? Shuffling keeps the values and the prior and breaks only the link to the scenes."""
    rng = random.Random(seed)
    n_scenes = [len(t) for t in turns]
    sums = [0.0, 0.0, 0.0]
    reach_ta = reach_pa = 0
    events = 0
    for _ in range(draws):
        predicted = []
        for turn, n in zip(turns, n_scenes):
            shuffled = list(turn)
            rng.shuffle(shuffled)
            tops = predict_turning_points(shuffled, prior)
            predicted.append({tp: tripod_window(j, n) if window else [j] for tp, j in tops.items()})
        m = tripod_metrics(gold, predicted, n_scenes)
        sums = [sums[0] + m.total_agreement, sums[1] + m.partial_agreement, sums[2] + m.distance]
        reach_ta += m.total_agreement >= observed.total_agreement - 1e-12
        reach_pa += m.partial_agreement >= observed.partial_agreement - 1e-12
        events = m.events
    return ShuffleControl(Metrics(sums[0] / draws, sums[1] / draws, sums[2] / draws, events),
                          reach_ta / draws, reach_pa / draws)


def within_screenplay_auc(values: Sequence[Sequence[float]], gold: Sequence[Iterable[int]],
                          radius: float | None = None) -> float:
    """P(a gold scene's value > a non-gold scene's value of the same screenplay); ties count half.

    With ``radius`` (a fraction of the screenplay), a gold scene is compared only with non-gold
    scenes at most that far from it, which takes the position trend out of the comparison.
    """
    wins = pairs = 0.0
    for vals, g in zip(values, gold):
        g = set(g)
        n = len(vals)
        reach = n if radius is None else max(1, round(radius * n))
        for a in g:
            for b in range(max(0, a - reach), min(n, a + reach + 1)):
                if b in g:
                    continue
                pairs += 1
                wins += 1.0 if vals[a] > vals[b] else 0.5 if vals[a] == vals[b] else 0.0
    return wins / pairs if pairs else float("nan")
