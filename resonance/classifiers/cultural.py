"""The cultural integration classifier: for a line that carries cultural content, is it
embodied (drives a character's action, choice, conflict or relationship), expository
(narration, lecture, caption) or decorative (in passing), and is it bridged to today?"""
from __future__ import annotations

from pathlib import Path

from resonance.classifiers import corpus_task
from resonance.classifiers.corpus import DEFAULT_ROOT, LabeledLine
from resonance.classifiers.inputs import Example
from resonance.classifiers.line_features import CULTURAL_FEATURES, cultural_features
from resonance.types import INTEGRATIONS

BRIDGE = ("no", "yes")


def _examples(line: LabeledLine) -> list[Example]:
    if line.integration is None:
        return []
    features = cultural_features(line.kind)
    common = dict(text=line.text, context=line.before, features=features, group=line.series, source="annotated")
    return [Example(label=line.integration, head="integration", **common),
            Example(label=BRIDGE[bool(line.bridge)], head="bridge", **common)]


def _rule(line: LabeledLine) -> str:
    """The rule the issue names: narration or caption is expository, everything else embodied."""
    return "expository" if line.kind in ("narration", "caption") else "embodied"


def _card(lang: str, config: dict) -> str:
    from resonance.classifiers.cards import corpus_card

    return corpus_card("cultural", lang, config)


TASK = corpus_task.CorpusTask(task="cultural", heads={"integration": INTEGRATIONS, "bridge": BRIDGE},
                              primary_head="integration", feature_names=CULTURAL_FEATURES,
                              examples=_examples, rule=_rule, card=_card)


def train(lang: str, out_dir: str | Path, settings=None, **kwargs):
    return corpus_task.train(TASK, lang, out_dir, settings, **kwargs)


def evaluate(lang: str, model_dir: str | Path | None = None, split: str = "test", *,
             root: Path = DEFAULT_ROOT) -> dict:
    return corpus_task.evaluate(TASK, lang, model_dir, split, root=root)
