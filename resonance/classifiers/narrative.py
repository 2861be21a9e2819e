"""The beat classifier (narrative dimension): hook, conflict, reversal, revelation, payoff,
cliffhanger, calm, exposition, none, for each line given its neighbours and its place."""
from __future__ import annotations

from pathlib import Path

from resonance.classifiers import corpus_task
from resonance.classifiers.beat_rules import rule_beat
from resonance.classifiers.corpus import DEFAULT_ROOT, LabeledLine
from resonance.classifiers.inputs import Example
from resonance.classifiers.line_features import BEAT_FEATURES, beat_features
from resonance.types import BEATS


def _examples(line: LabeledLine) -> list[Example]:
    if line.beat is None:
        return []
    return [Example(text=line.text, context=line.around, label=line.beat, head="beat",
                    features=beat_features(line.index, line.count, line.kind), group=line.series,
                    source="annotated")]


def _rule(line: LabeledLine) -> str:
    return rule_beat(line.text, line.language, line.index, line.count, line.kind)


def _card(lang: str, config: dict) -> str:
    from resonance.classifiers.cards import corpus_card

    return corpus_card("narrative", lang, config)


TASK = corpus_task.CorpusTask(task="narrative", heads={"beat": BEATS}, primary_head="beat",
                              feature_names=BEAT_FEATURES, examples=_examples, rule=_rule, card=_card)


def train(lang: str, out_dir: str | Path, settings=None, **kwargs):
    return corpus_task.train(TASK, lang, out_dir, settings, **kwargs)


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
