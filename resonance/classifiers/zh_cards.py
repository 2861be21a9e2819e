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


def downstream_table(results: list[dict]) -> str:
    rows = ["| variant | CPED test weighted F1 | macro F1 | dev weighted F1 |", "|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r['variant']} | {r['test_weighted_f1']:.3f} | {r['test_macro_f1']:.3f} | "
                    f"{r['dev_weighted_f1']:.3f} |")
    return "\n".join(rows)


def encoder_card(manifest: dict, state: dict, config: dict, hardware: str,
                 downstream: list[dict] | None = None) -> str:
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
        "emotion classifier (models/emotion-zh). Weights are float16 safetensors (BertModel, no "
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
        "The character kind was chosen: the multi-character WordPiece kind shortens sequences but "
        "needs a vocabulary over twice as large, and each piece is seen far fewer times in a CPU budget.",
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
    if downstream:
        parts += ["", "## Effect on the Chinese emotion classifier (CPED, series held out)",
                  "Same split, same fine-tuning; test figures measured once, after choices made on dev.", "",
                  downstream_table(downstream)]
    parts += ["", "## Reproduce", "```", "python scripts/build_zh_corpus.py",
              "resonance train encoder --lang zh --time-budget 3600", "```", "",
              f"Software: {_versions()}.", ""]
    return "\n".join(parts)
