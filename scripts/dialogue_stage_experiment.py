"""Would the dialogue stage help the English emotion model too? Measured, not shipped.

The Chinese emotion model ships with a dialogue stage (resonance/classifiers/dialogue.py; trained by
`resonance train emotion --lang zh --dialogue`). This script builds the same stage for each
English eval set (MELD, EmoryNLP) over the frozen MiniLM: GRU members trained on the official train
split, each kept at its best dev epoch, the weights of transformer, n-grams and dialogue chosen
together on dev, then scored once on test beside the shipped model. Nothing is written to models/.

    python scripts/dialogue_stage_experiment.py --threads 2 --json docs/dialogue_stage_en.json
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--limit", type=int, default=None, help="examples per split (dry runs)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import torch
    from sklearn.metrics import f1_score

    from resonance.classifiers import dialogue, emotion
    from resonance.classifiers.encoder import load_encoder
    from resonance.classifiers.fusion import mix_parts, safe_log
    from resonance.classifiers.predict import load_cached, predict_proba

    torch.set_num_threads(args.threads)
    started = time.time()
    setup = emotion.setup_for("en")
    model = load_cached(emotion.default_model_dir("en"), int8=False)
    encoder = load_encoder({"kind": "minilm"})
    results = {}
    for eval_set in setup.eval_sets:
        head = eval_set.head
        labels = list(model.head_labels[head])
        data = {split: eval_set.load(split)[:args.limit] for split in ("train", "dev", "test")}
        vectors = {split: dialogue.line_vectors(encoder, [e.text for e in examples]) for split, examples in data.items()}
        targets = {split: [labels.index(e.label) for e in examples] for split, examples in data.items()}
        names = {split: [e.dialogue for e in examples] for split, examples in data.items()}
        members, history = dialogue.train_members(vectors["train"], targets["train"], names["train"],
                                                  vectors["dev"], targets["dev"], names["dev"], len(labels),
                                                  members=args.members, epochs=args.epochs)

        def parts(split):
            examples = data[split]
            texts, contexts = [e.text for e in examples], [e.context for e in examples]
            neural = predict_proba(model.neural, texts, contexts, heads=[head])[head]
            scorer = model.scorers.get(head)
            probabilities = dialogue.mean_probabilities(members, vectors[split], dialogue.group_rows(names[split]))
            return {"transformer": safe_log(neural),
                    "ngram": scorer.log_proba(texts, labels) if scorer else safe_log(neural),
                    "dialogue": safe_log(probabilities)}

        dev_parts, test_parts = parts("dev"), parts("test")
        weights, _ = dialogue.choose_weights(dev_parts, targets["dev"])
        shipped_weight = model.weights.get(head, 0.0)
        shipped = {"transformer": 1 - shipped_weight, "ngram": shipped_weight, "dialogue": 0.0}

        def score(split, part_set, w):
            predicted = mix_parts(part_set, w).argmax(axis=1)
            return round(float(f1_score(targets[split], predicted, average="weighted", zero_division=0)), 4)

        alone = {"transformer": 0.0, "ngram": 0.0, "dialogue": 1.0}
        results[eval_set.name] = {
            "head": head, "weights_chosen_on_dev": weights, "members": history,
            "dev": {"shipped": score("dev", dev_parts, shipped), "with_dialogue": score("dev", dev_parts, weights),
                    "dialogue_alone": score("dev", dev_parts, alone)},
            "test": {"shipped": score("test", test_parts, shipped), "with_dialogue": score("test", test_parts, weights),
                     "dialogue_alone": score("test", test_parts, alone)},
            "n": {split: len(examples) for split, examples in data.items()}}
        print(eval_set.name, json.dumps({k: results[eval_set.name][k] for k in ("weights_chosen_on_dev", "dev", "test")}),
              flush=True)
    report = {"command": "python scripts/dialogue_stage_experiment.py " + " ".join(
        f"--{k} {v}" for k, v in (("threads", args.threads), ("members", args.members), ("epochs", args.epochs))),
        "limit": args.limit, "minutes": round((time.time() - started) / 60, 1), "sets": results}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
