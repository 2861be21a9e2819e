"""The beat classifier (narrative dimension): hook, conflict, reversal, revelation, payoff,
cliffhanger, calm, exposition, none, for each line given its neighbours and its place.

It has a second head, ``culture``: does the line carry cultural content at all (the annotated
corpus marks every such line)? The beat model reads every line anyway, so this costs nothing at
run time, and it finds the craft a lexicon has never heard of (sweetgrass, an awl, a kiln). The
cultural dimension takes a line as cultural when the lexicon names a term in it *or* this head
is at least ``culture_threshold`` sure (chosen on the dev series so that the lines it adds are
as precise as the lexicon's; ``None`` where no threshold is: then the lexicon alone decides).
The threshold is kept in config.json."""
from __future__ import annotations

from pathlib import Path

from resonance.classifiers import corpus_task
from resonance.classifiers.beat_rules import rule_beat
from resonance.classifiers.corpus import DEFAULT_ROOT, LabeledLine
from resonance.classifiers.inputs import Example
from resonance.classifiers.line_features import BEAT_FEATURES, beat_features
from resonance.types import BEATS


CULTURE = ("no", "yes")
THRESHOLDS = (0.01, 0.02, 0.03, 0.04) + tuple(round(0.05 * i, 2) for i in range(1, 20))
MIN_ADDED = 5  # lines the head must add on dev before its precision there is believed


def _examples(line: LabeledLine) -> list[Example]:
    if line.beat is None:
        return []
    common = dict(text=line.text, context=line.around, features=beat_features(line.index, line.count, line.kind),
                  group=line.series, source="annotated")
    return [Example(label=line.beat, head="beat", **common),
            Example(label=CULTURE[line.integration is not None], head="culture", **common)]


def _rule(line: LabeledLine) -> str:
    return rule_beat(line.text, line.language, line.index, line.count, line.kind)


def _lexicon_rule(line: LabeledLine) -> str:
    """The baseline for the culture head: the cultural lexicon names a term in the line."""
    from resonance.culture.matcher import find_cultural_spans

    return CULTURE[bool(find_cultural_spans(line.text, line.language))]


def _tune(model, lang: str, lines: list[LabeledLine], examples: list[Example]) -> dict:
    """The culture threshold, chosen on dev: the lowest at which the lines the head adds (those
    the lexicon misses) are at least as precise as the lexicon's own lines, on at least
    ``MIN_ADDED`` lines; ``None`` (the head adds nothing) when no threshold gets there.

    Why precision and not F1: the dev series are rich in culture (more than half their lines in
    English), so an F1-best threshold drifts low and, on an ordinary episode, would turn a
    hospital bill into "culture". A line the head adds must be as trustworthy as a lexicon hit."""
    import numpy as np

    from resonance.classifiers.predict import predict_proba

    exs = [e for e in examples if e.head == "culture"]
    if not exs or "culture" not in model.head_labels:
        return {}
    probs = predict_proba(model, [e.text for e in exs], [e.context for e in exs], [e.features for e in exs],
                          heads=["culture"])["culture"][:, list(model.head_labels["culture"]).index("yes")]
    gold = np.array([e.label == "yes" for e in exs])
    lexicon = np.array([_lexicon_rule(l) == "yes" for l in lines])  # lines and examples share the order

    def precision(chosen) -> float:
        return round(float((chosen & gold).sum() / max(int(chosen.sum()), 1)), 4)

    def f1(chosen) -> float:
        tp = int((chosen & gold).sum())
        return round(2 * tp / max(int(chosen.sum()) + int(gold.sum()), 1), 4)

    floor = precision(lexicon)
    threshold = next((t for t in THRESHOLDS if (added := ~lexicon & (probs >= t)).sum() >= MIN_ADDED
                      and precision(added) >= floor), None)
    chosen = lexicon | (probs >= threshold) if threshold is not None else lexicon
    return {"culture_threshold": threshold,
            "culture_dev": {"lines": len(exs), "cultural": int(gold.sum()), "lexicon precision": floor,
                            "lexicon F1": f1(lexicon),
                            "added lines": int((chosen & ~lexicon).sum()),
                            "added precision": precision(chosen & ~lexicon) if threshold is not None else None,
                            "lexicon or head F1": f1(chosen)}}


def _card(lang: str, config: dict) -> str:
    from resonance.classifiers.cards import corpus_card

    return corpus_card("narrative", lang, config)


TASK = corpus_task.CorpusTask(task="narrative", heads={"beat": BEATS, "culture": CULTURE}, primary_head="beat",
                              feature_names=BEAT_FEATURES, examples=_examples, rule=_rule, card=_card,
                              head_rules={"culture": _lexicon_rule}, tune=_tune)


def train(lang: str, out_dir: str | Path, settings=None, **kwargs):
    return corpus_task.train(TASK, lang, out_dir, settings, **kwargs)


def retune(lang: str, model_dir: str | Path | None = None, *, root: Path = DEFAULT_ROOT) -> dict:
    """Choose the culture threshold again on dev for a trained model (weights untouched); rewrites
    config.json and the card's training section, keeping its results."""
    import json

    from resonance.classifiers.predict import load_cached

    folder = Path(model_dir) if model_dir else TASK.model_dir(lang)
    tuned = _tune(load_cached(folder), lang, *corpus_task.split_examples(TASK, lang, root)["dev"])
    config = {k: v for k, v in json.loads((folder / "config.json").read_text(encoding="utf-8")).items()
              if k not in ("culture_dev_f1", "culture_dev")} | tuned
    (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    corpus_task.rerender_card(TASK, folder, lang, config)
    return tuned


def evaluate(lang: str, model_dir: str | Path | None = None, split: str = "test", *,
             root: Path = DEFAULT_ROOT) -> dict:
    """Per-label and macro F1 beside both baselines, plus episode-ending accuracy."""
    from resonance.classifiers.predict import load_cached

    model = load_cached(Path(model_dir) if model_dir else TASK.model_dir(lang))
    report = corpus_task.evaluate(TASK, lang, model_dir, split, root=root, model=model)
    report["endings"] = ending_accuracy(model, lang, split, root)
    return report


def ending_accuracy(model, lang: str, split: str, root: Path) -> dict:
    """Does each held-out episode end on a cliffhanger? Gold: its last line is labelled
    cliffhanger. Model: cliffhanger strength of its last two lines >= the flag threshold."""
    from resonance.classifiers.predict import predict_proba
    from resonance.scoring.narrative import WEAK_CLIFFHANGER, cliffhanger_strength
    from resonance.types import Element, LineSignals

    lines, _ = corpus_task.split_examples(TASK, lang, root)[split]
    episodes: dict[tuple[str, int], list[LabeledLine]] = {}
    for line in lines:
        episodes.setdefault((line.file, line.episode), []).append(line)
    gold, predicted, rule = [], [], []
    for ep_lines in episodes.values():
        ending = ep_lines[-2:]
        probs = predict_proba(model, [l.text for l in ending], [l.around for l in ending],
                              [beat_features(l.index, l.count, l.kind) for l in ending], heads=["beat"])["beat"]
        strengths = []
        for row in probs:
            signals = LineSignals(element=Element(kind="dialogue", text="", line=0), position=1.0, emotion={},
                                  valence=0.0, arousal=0.0, beat=dict(zip(BEATS, map(float, row))))
            strengths.append(cliffhanger_strength(signals))
        gold.append(ep_lines[-1].beat == "cliffhanger")
        predicted.append(max(strengths) >= WEAK_CLIFFHANGER)
        rule.append(_rule(ep_lines[-1]) == "cliffhanger")
    n = len(gold) or 1
    return {"episodes": len(gold), "cliffhanger_share": round(sum(gold) / n, 4),
            "model_accuracy": round(sum(g == p for g, p in zip(gold, predicted)) / n, 4),
            "rule_accuracy": round(sum(g == p for g, p in zip(gold, rule)) / n, 4),
            "majority_accuracy": round(max(sum(gold), n - sum(gold)) / n, 4)}
