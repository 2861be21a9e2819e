"""The unified emotion label space and how every source's labels map onto it.

Seven labels (Ekman's six basic emotions plus neutral), in the column order every emotion model
outputs. Each label carries a point on Russell's circumplex (valence = unpleasant..pleasant,
arousal = calm..excited), both in [-1, 1]. The numbers are our rounded placements of the category
words on the circumplex (Russell 1980, "A circumplex model of affect"; Scherer 2005, "What are
emotions?", figure 1): joy and surprise are the only pleasant labels, sadness the only calm one,
anger, fear and surprise the most aroused, neutral the origin. They are coarse anchors for a
probability-weighted mean, not measurements.

Source mappings are total: every source label appears, mapped either to a unified label or to
``None`` (dropped). Decisions that are not obvious:

- EmoryNLP ``Peaceful`` -> joy. Its annotation wheel (Willcox's feeling wheel) files content,
  relaxed, loving and serene under Peaceful: pleasant, low arousal. CPED's ``relaxed`` maps to joy
  too, so both languages agree; the EmoryNLP head of the English model keeps the native labels.
- EmoryNLP ``Powerful`` (proud, confident, hopeful) -> joy; ``Scared`` (anxious, insecure,
  helpless) -> fear; ``Mad`` (hurt, hostile, frustrated, critical) -> anger.
- CPED follows the 7-class mapping of ../shared/datasets/README.md exactly: worried -> fear;
  happy, grateful, relaxed, positive-other -> joy; depress -> sadness; astonished -> surprise;
  negative-other dropped.
- NLPCC 2013 ``like`` -> joy and ``none`` -> neutral; SMP2020's ``neural`` is its spelling of
  neutral.
"""
from __future__ import annotations

UNIFIED = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")

# label: (valence, arousal), both in [-1, 1]
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    "anger": (-0.60, 0.80),
    "disgust": (-0.65, 0.50),
    "fear": (-0.65, 0.75),
    "joy": (0.80, 0.50),
    "sadness": (-0.70, -0.40),
    "surprise": (0.15, 0.80),
    "neutral": (0.00, 0.00),
}

EMORYNLP = ("Neutral", "Joyful", "Peaceful", "Powerful", "Scared", "Mad", "Sad")

SOURCE_MAPS: dict[str, dict[str, str | None]] = {
    "meld": {label: label for label in UNIFIED},
    "emorynlp": {
        "Joyful": "joy", "Peaceful": "joy", "Powerful": "joy", "Scared": "fear",
        "Mad": "anger", "Sad": "sadness", "Neutral": "neutral",
    },
    "goemotions_ekman": {label: label for label in UNIFIED},
    "cped": {
        "neutral": "neutral", "anger": "anger", "disgust": "disgust",
        "fear": "fear", "worried": "fear",
        "happy": "joy", "grateful": "joy", "relaxed": "joy", "positive-other": "joy",
        "sadness": "sadness", "depress": "sadness",
        "astonished": "surprise",
        "negative-other": None,
    },
    "smp2020": {
        "happy": "joy", "neural": "neutral", "angry": "anger", "sad": "sadness",
        "fear": "fear", "surprise": "surprise",
    },
    "nlpcc2013": {
        "none": "neutral", "like": "joy", "happiness": "joy", "disgust": "disgust",
        "sadness": "sadness", "anger": "anger", "surprise": "surprise", "fear": "fear",
    },
}


def to_unified(source: str, label: str) -> str | None:
    """The unified label for ``label`` of ``source``; None when the source label is dropped."""
    try:
        return SOURCE_MAPS[source][label]
    except KeyError:
        raise KeyError(f"{source!r} has no label {label!r}") from None


def valence_arousal(probabilities, labels=UNIFIED):
    """Probability-weighted circumplex point per row: returns (valence, arousal) arrays.

    ``probabilities`` is an (n, len(labels)) array whose columns follow ``labels``.
    """
    import numpy as np

    probabilities = np.asarray(probabilities, dtype=np.float64)
    points = np.array([CIRCUMPLEX[label] for label in labels], dtype=np.float64)
    weighted = probabilities @ points / np.clip(probabilities.sum(axis=1, keepdims=True), 1e-12, None)
    return weighted[:, 0], weighted[:, 1]


def mapping_table(sources=None) -> str:
    """The source -> unified mapping as a Markdown table (for model cards)."""
    rows = ["| source | source label | unified label |", "|---|---|---|"]
    for source, mapping in SOURCE_MAPS.items():
        if sources is not None and source not in sources:
            continue
        for label, unified in mapping.items():
            rows.append(f"| {source} | {label} | {unified or '(dropped)'} |")
    return "\n".join(rows)
