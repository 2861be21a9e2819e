"""Cultural resonance: presence, specificity, integration, contemporary bridge.

Intuition for a screenwriter: culture counts when it is concrete (傩面, not 传统文化), when it
drives what a character does (embodied) rather than being explained by a narrator or a caption
(expository), and when it touches the viewer's life today (rent, livestreams, family pressure).
A craft lectured about scores lower than the same craft a character fights for.
"""
from __future__ import annotations

from resonance.scoring.common import clip01, mean, rounded, saturate, top_evidence, weighted_score
from resonance.types import DimensionScore, EpisodeSignals, LineSignals

WEIGHTS = {"presence": 0.20, "specificity": 0.15, "diversity": 0.10, "integration": 0.40, "bridge": 0.15}
CONTENT_KINDS = ("dialogue", "narration", "action", "caption")
# How much each way of using culture is worth: embodied is the goal, passing mentions help a little.
INTEGRATION_VALUE = {"embodied": 1.0, "decorative": 0.35, "expository": 0.0}


def integration_value(line: LineSignals) -> float:
    if not line.integration:
        return 0.0
    return sum(INTEGRATION_VALUE.get(k, 0.0) * p for k, p in line.integration.items())


def score_cultural(signals: EpisodeSignals) -> DimensionScore:
    lines = [s for s in signals.lines if s.element.kind in CONTENT_KINDS]
    cultural = [s for s in lines if s.cultural]
    if not lines or not cultural:
        return DimensionScore("cultural", 0.0, rounded({k: 0.0 for k in WEIGHTS} | {"mentions": 0}))
    mentions = [m for s in cultural for m in s.mentions]
    unnamed = sum(1 for s in cultural if not s.mentions)  # found by the model, no lexicon term
    presence = saturate(len(cultural) / len(lines), 0.10)
    # A detail the model found without a lexicon term is concrete by construction (the lexicon
    # holds the generic words: "tradition", "heritage"), so it counts as one specific reference;
    # all of them together add at most one distinct item to diversity.
    specificity = mean([1.0 if m.specific else 0.0 for m in mentions] + [1.0] * unnamed)
    diversity = clip01((len({m.term for m in mentions if m.specific}) + min(unnamed, 1)) / 4.0)
    integration = mean(integration_value(s) for s in cultural)
    bridge = mean(s.bridge or 0.0 for s in cultural)
    parts = {"presence": presence, "specificity": specificity, "diversity": diversity,
             "integration": integration, "bridge": bridge}
    value = weighted_score(parts, WEIGHTS)

    def weigh(s: LineSignals) -> tuple[float, str]:
        if not s.cultural or not s.integration:
            return 0.0, ""
        kind = max(s.integration, key=lambda k: s.integration[k])
        terms = (", ".join(dict.fromkeys(m.term for m in s.mentions)) if s.mentions else
                 f"a cultural detail no lexicon term names (model {s.culture:.0%})")
        contribution = integration_value(s) - 0.5
        bridged = "; bridged to today" if (s.bridge or 0) >= 0.5 else ""
        return contribution, f"{kind} ({s.integration[kind]:.0%}): {terms}{bridged}"

    types = sorted({m.type for m in mentions})
    features = dict(parts, mentions=len(mentions), cultural_lines=len(cultural), unnamed_lines=unnamed,
                    embodied_share=mean(1.0 if s.integration and max(s.integration, key=s.integration.get)
                                        == "embodied" else 0.0 for s in cultural),
                    expository_share=mean(1.0 if s.integration and max(s.integration, key=s.integration.get)
                                          == "expository" else 0.0 for s in cultural),
                    types=len(types))
    return DimensionScore("cultural", value, rounded(features),
                          top_evidence("cultural", signals.episode.number, cultural, weigh))
