"""Model cards (README.md) for the Chinese encoder and the Chinese emotion classifier.

Cards are rendered from the JSON records the scripts keep (corpus manifest, pretraining state,
experiment results), so every figure on a card can be traced to the run that produced it.
"""
from __future__ import annotations

import platform


def _versions() -> str:
    import safetensors
    import tokenizers
    import torch
    import transformers

    return (f"python {platform.python_version()}, torch {torch.__version__}, transformers "
            f"{transformers.__version__}, tokenizers {tokenizers.__version__}, safetensors {safetensors.__version__}")


def corpus_table(manifest: dict) -> str:
    rows = ["| source | license as stated | used | lines | characters |", "|---|---|---|---|---|"]
    for name, info in manifest["sources"].items():
        used = "yes" if info.get("used") else "**no**"
        rows.append(f"| {name} | {info['license']} | {used} | {info.get('lines', 0):,} | {info.get('chars', 0):,} |")
    return "\n".join(rows)


def _f(value, digits: int = 3) -> str:
    """A figure for a table cell; a dash where a run did not measure it."""
    return "–" if value is None else f"{value:.{digits}f}"


def downstream_table(results: list[dict]) -> str:
    rows = ["| variant | CPED test weighted F1 | macro F1 | dev weighted F1 |", "|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r['variant']} | {_f(r['test_weighted_f1'])} | {_f(r.get('test_macro_f1'))} | "
                    f"{_f(r['dev_weighted_f1'])} |")
    return "\n".join(rows)


def sizes_table(sizes: list[dict]) -> str:
    """Encoder sizes pretrained side by side: pretraining figures and the emotion classifier from each."""
    rows = ["| run | parameters | steps | tokens seen | held-out MLM loss | emotion variant (best on dev) | "
            "dev wF1 fused | test wF1 fused | test wF1 alone |", "|---|---|---|---|---|---|---|---|---|"]
    for r in sizes:
        rows.append(f"| {r['size']} | {r['parameters']:,} | {r['steps']:,} | {r['tokens_seen']:,} | "
                    f"{r['heldout_loss']:.3f} | {r.get('variant') or '–'} | {_f(r.get('dev_weighted_f1'))} | "
                    f"{_f(r.get('test_weighted_f1'))} | {_f(r.get('test_alone'))} |")
    return "\n".join(rows)


def encoder_card(manifest: dict, state: dict, config: dict, hardware: str,
                 downstream: list[dict] | None = None, comparisons: list[dict] | None = None,
                 corpus_classifiers: list[dict] | None = None) -> str:
    """``comparisons``: ``{"title", "intro", "rows"}`` tables of encoders pretrained side by side
    (rows as ``resonance.classifiers.zh_encoder_build.size_rows`` makes them)."""
    tvsub_used = manifest["sources"].get("tvsub_zh", {}).get("used", False)
    nc_line = ("**These weights saw tvsub_zh (CC BY-NC-ND 4.0): non-commercial use only.**" if tvsub_used else
               "tvsub_zh (CC BY-NC-ND 4.0, research only) was **not** used, so no non-commercial "
               "license shaped these weights. Some sources state no license or are research "
               "competition data (see the table): check them before commercial use.")
    history = state.get("history", [])
    curve = "\n".join(f"| {h['step']:,} | {h['tokens']:,} | {h['elapsed_s']:,} | {h['train_loss']:.3f} | "
                      f"{h['heldout_loss']:.3f} |" for h in history)
    tok = manifest.get("tokenizers", {})
    tok_lines = "\n".join(f"- `{kind}`: vocabulary {t['vocab_size']:,}, {t['tokens_per_char']:.3f} tokens per "
                          f"character, unknown rate {t['unknown_rate']:.5f} ({t['measured_on']})"
                          for kind, t in tok.items())
    parts = [
        "# encoder-zh: a small Chinese character-level BERT encoder (encoder.zh.v1)",
        "",
        f"A {config['num_layers']}-layer, {config['hidden_size']}-wide BERT encoder "
        f"({config['num_heads']} heads, feed-forward {config['intermediate_size']}, positions "
        f"{config['max_position']}) pretrained with masked-LM from random initialisation on "
        f"{manifest['total_chars']:,} characters of Chinese text. It is the base of the Chinese "
        "classifiers (models/emotion-zh fine-tunes all of it; models/narrative-zh and "
        "models/cultural-zh fine-tune its top layers and load the rest from here). Weights are float16 safetensors (BertModel, no "
        "MLM head, no pooler); config.json records their sha256.",
        "",
        "## Pretraining",
        f"- Hardware: {hardware}.",
        f"- Tokens seen: {state['tokens_seen']:,} in {state['step']:,} steps of {config['batch_size']} x "
        f"{config['seq_len']} tokens ({state['elapsed_s'] / 60:.1f} min).",
        f"- Final masked-LM loss: {state['loss_ema']:.3f} (train, moving average); "
        f"{state['heldout_loss']:.3f} on held-out text (the last {config['heldout_fraction']:.1%} of each source).",
        f"- Masking {config['mask_prob']:.0%} (80/10/10), peak learning rate {config['learning_rate']}, "
        f"AdamW, linear warm-up {config['warmup_steps']} steps then linear decay by time budget.",
        f"- Source sampling weights (x size): {config.get('source_weights') or 'uniform'}.",
        "",
        "| step | tokens | seconds | train loss | held-out loss |",
        "|---|---|---|---|---|",
        curve,
        "",
        "## Tokenizer",
        "Character-level for CJK (BERT-Chinese style: NFKC, lowercase, every CJK character one token, "
        "Latin words as WordPiece pieces), trained with `tokenizers` on the corpus. Measured:",
        tok_lines,
        "The character kind was chosen: the multi-character WordPiece kind shortens sequences by a third "
        "but needs a vocabulary 2.5 times as large (a bigger embedding table, each piece seen far fewer "
        "times in a CPU budget). The shipped tokenizer.json is the one the weights were trained with: "
        "retraining it from the same corpus picks the same kind of vocabulary but may order (and, at the "
        "frequency cut-off, choose) rare characters differently, because `tokenizers` breaks frequency "
        "ties in hash order.",
        "",
        "## Corpus and licenses",
        nc_line,
        "",
        corpus_table(manifest),
        "",
        "CPED contributes only the utterances of its training series (the dev series 30, 45 and test "
        "series 27, 29, 34 of ../shared/datasets/README.md are excluded). Lines of 8+ characters are "
        "deduplicated across sources.",
    ]
    if corpus_classifiers:
        parts += ["", "## Effect on the corpus classifiers (held-out test series of corpora/annotated)",
                  "Before: on the CPU-pretrained encoder (2.9 M tokens seen); after: retrained the same way on this "
                  "one (`resonance train narrative|cultural --lang zh`, then `resonance evaluate ... --write-card`; "
                  "their cards hold the full reports). The epoch was chosen on dev each time.", "",
                  "| model | head | metric | test before | test after | dev before | dev after | note |",
                  "|---|---|---|---|---|---|---|---|",
                  *(f"| {r['model']} | {r['head']} | {r['metric']} | {_f(r['before'])} | {_f(r['after'])} | "
                    f"{_f(r.get('dev_before'))} | {_f(r.get('dev_after'))} | {r.get('note', '')} |"
                    for r in corpus_classifiers)]
    for table in comparisons or []:
        parts += ["", f"## {table['title']}", table["intro"], "", sizes_table(table["rows"])]
    if downstream:
        parts += ["", "## Effect on the Chinese emotion classifier (CPED, series held out)",
                  "Same split, same fine-tuning; test figures measured once, after choices made on dev.", "",
                  downstream_table(downstream)]
    on_gpu = "GPU" in hardware
    command = (f"python scripts/pretrain_zh.py --time-budget {config['time_budget_s']:.0f} --layers "
               f"{config['num_layers']} --hidden {config['hidden_size']} --heads {config['num_heads']} --seq-len "
               f"{config['seq_len']} --batch-size {config['batch_size']} --lr {config['learning_rate']} --warmup "
               f"{config['warmup_steps']} --checkpoint-every {config['checkpoint_every_s']:.0f} --fresh "
               f"--export models/encoder-zh" + (" --device cuda" if on_gpu else " --threads 1"))
    speed = (f"This run averaged {state['tokens_seen'] / max(state['elapsed_s'], 1):,.0f} tokens/s on the GPU "
             "while two other sizes trained beside it (scripts/device_zh.sh runs the whole lease: three "
             "sizes, then the emotion fine-tuning; its log is docs/device/). On a CPU the same model runs "
             "about 5,000 tokens/s on one idle core: the budget above would see 1/150 of the tokens."
             if on_gpu else
             "On a shared CPU the tokens seen in a time budget vary with the load (this run averaged "
             f"{state['tokens_seen'] / max(state['elapsed_s'], 1):,.0f} tokens/s; the same model runs about "
             "5,000 tokens/s on one idle core of this CPU with bfloat16 autocast).")
    parts += ["", "## Reproduce", "```", "python scripts/build_zh_corpus.py", command,
              "# or: resonance train encoder --lang zh --time-budget SECONDS",
              "python scripts/zh_emotion_experiments.py --encoder-card --variants   # the tables above", "```",
              speed, "",
              f"Software: {_versions()}.", ""]
    return "\n".join(parts)


def emotion_card(results: dict, shipped: str, encoder_name: str = "models/encoder-zh", note: str = "") -> str:
    """Card of the shipped Chinese emotion model: every variant's figures on the same split;
    ``note``: why this variant was shipped."""
    from resonance.classifiers.labels import mapping_table

    chosen = results[shipped]
    emotion = chosen["figures"]["emotion"]
    sentiment = chosen["figures"].get("sentiment")
    tfidf, tfidf_sent = results.get("tfidf-emotion"), results.get("tfidf-sentiment")
    config = chosen["config"]
    rows = ["| variant | dev wF1 | test wF1 | test macro F1 | fused with n-grams: weight, dev wF1, test wF1, macro |",
            "|---|---|---|---|---|"]
    for name, r in results.items():
        if name.startswith("tfidf"):
            continue
        e = r["figures"]["emotion"]
        a, f = e["alone"], e["fused"]
        rows.append(f"| {name}{' (partial, see below)' if r.get('partial') else ''} | "
                    f"{_f(a['dev_weighted_f1'])} | {_f(a['test_weighted_f1'])} | {_f(a.get('test_macro_f1'))} | "
                    f"{f['weight']}, {_f(f['dev_weighted_f1'])}, **{_f(f['test_weighted_f1'])}**, "
                    f"{_f(f.get('test_macro_f1'))} |")
    partial = [f"- {name}: {r['partial']}." for name, r in results.items() if r.get("partial")]
    per_label = emotion["fused"]["test"]["per_label"]
    label_rows = "\n".join(f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
                           for label, v in per_label.items())
    parts = [
        "# emotion-zh: Chinese utterance emotion (emotion.zh.fusion.v1)",
        "",
        "Seven unified labels (anger, disgust, fear, joy, sadness, surprise, neutral) for one line of "
        "Chinese dialogue read with its previous turns. A small BERT (the whole of "
        f"{encoder_name}, fine-tuned end to end, float16) whose emotion log-probabilities are mixed "
        "with a char 1-3-gram TF-IDF + logistic-regression scorer (stored as arrays, no pickle): "
        f"`(1 - w) * transformer + w * ngram`, w = {emotion['fused']['weight']} chosen on dev.",
        "",
        "## Evaluation: CPED, TV series held out",
        "Split of ../shared/datasets/README.md: train = 9 series, dev = TV_ID 30, 45, test = TV_ID 27, "
        "29, 34. Epochs, C and the fusion weight were chosen on dev; test was scored once per variant "
        "and never used for a choice. One seed each.",
        "",
        f"- **Shipped model ({shipped}): test weighted F1 {emotion['fused']['test_weighted_f1']:.3f}, macro F1 "
        f"{emotion['fused']['test_macro_f1']:.3f}** (transformer alone {emotion['alone']['test_weighted_f1']:.3f}).",
    ]
    if tfidf:
        parts.append(f"- TF-IDF + LR baseline (char 1-3-grams, C={tfidf['selection']['C']} on dev): "
                     f"{tfidf['test_weighted_f1']:.3f} weighted, {tfidf['test_macro_f1']:.3f} macro.")
    if sentiment and tfidf_sent:
        parts.append(f"- CPED 3-class sentiment (the sentiment head): {sentiment['alone']['test_weighted_f1']:.3f} "
                     f"weighted alone, {sentiment['fused']['test_weighted_f1']:.3f} fused with its own n-gram "
                     f"scorer (w={sentiment['fused']['weight']}), TF-IDF + LR {tfidf_sent['test_weighted_f1']:.3f}. "
                     "The shipped folder keeps the sentiment head but fuses only the emotion head.")
    if note:
        parts += ["", note]
    parts += ["", "All variants (same split; wF1 = weighted F1; `@S`, `@M`, `@L`: the 4 x 256, 4 x 384 and 6 x 512 "
              "encoders of the GPU run, see the encoder card):", "", *rows, "", *partial, "",
              "Per label, shipped model on test:", "", "| label | precision | recall | F1 | support |",
              "|---|---|---|---|---|", label_rows, "",
              "## Training",
              f"- Tasks (heads): {', '.join(config['tasks'])}; context: the {config['context_turns']} previous "
              f"turns as segment B; max {config['max_length']} tokens.",
              f"- AdamW lr {config['learning_rate']}, batch {config['batch_size']}, up to {config['epochs']} "
              f"epochs, best dev epoch kept: {chosen['history']}.",
              f"- {'One GPU' if config.get('device') == 'cuda' else 'CPU only'}, {chosen['seconds'] / 60:.1f} min.",
              "",
              "## Data and licenses",
              "- CPED (Apache-2.0): emotion and sentiment labels, training series only.",
              "- NLPCC 2013 Weibo emotion and SMP2020-EWECT virus Weibo (research competition data; repo "
              "MIT), training rows only (row n % 10 >= 2), when the `weibo` head is used.",
              "- The encoder's pretraining corpus and its licenses: see its card (tvsub_zh not used).",
              "", "Label mapping:", "", mapping_table(), "",
              "## Reproduce", "```",
              f"python scripts/zh_emotion_experiments.py --variants tfidf {shipped} --ship models/emotion-zh",
              "resonance evaluate emotion --lang zh", "```", "", f"Software: {_versions()}.", ""]
    return "\n".join(parts)
