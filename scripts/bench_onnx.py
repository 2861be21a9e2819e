"""Would ONNX Runtime run the beat model faster than torch? (issue 8: "int8 or ONNX Runtime").

Not a dependency of resonance: `pip install onnx onnxruntime` first. Builds the 100-episode
Chinese series of scripts/bench.py, then times the bare forward pass of models/narrative-zh
over the pipeline's own batches four ways: torch float, torch int8 (what ships), ONNX Runtime
float and ONNX Runtime int8 (dynamic, per channel), each the best of two passes, 2 threads.

    python scripts/bench_onnx.py [--work /tmp/ort]

Result on the 2-core box (2026-11-26, docs/performance.md "Tried and not kept"): torch float 198,
torch int8 384, ORT float 215-259, ORT int8 280-314 lines/s: ORT is not faster than the torch
int8 path already shipped, so it was not adopted.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ort"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    import bench
    from resonance.analyze import _contexts, content_elements, line_text
    from resonance.classifiers.line_features import beat_features
    from resonance.classifiers.predict import BATCH_SIZE, load_cached, quantize_int8
    from resonance.io import read_script

    torch.set_num_threads(2)
    script = read_script(bench.build_zh_series(args.work, 100, 800))
    texts, contexts, features = [], [], []
    for episode in script.episodes:
        elements = content_elements(episode)
        texts += [line_text(e) for e in elements]
        contexts += _contexts(elements)[1]
        features += [beat_features(i, len(elements), e.kind) for i, e in enumerate(elements)]
    model = load_cached(ROOT / "models" / "narrative-zh", int8=False)
    rate = lambda seconds: f"{len(texts) / seconds:.0f} lines/s"  # noqa: E731
    print("torch float", rate(bench.bare_forward_seconds(model, texts, contexts, features)))
    int8 = quantize_int8(model)
    print("torch int8", rate(min(bench.bare_forward_seconds(int8, texts, contexts, features) for _ in range(2))))

    class Heads(torch.nn.Module):  # ONNX wants a tuple of outputs
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, ids, mask, types, feats):
            out = self.inner(ids, mask, types, feats)
            return tuple(out[h] for h in sorted(out))

    encoding = model.encode(texts, [tuple(c) for c in contexts])
    order = sorted(range(len(texts)), key=lambda i: len(encoding.input_ids[i]))
    batches = []
    for start in range(0, len(order), BATCH_SIZE):
        rows = order[start:start + BATCH_SIZE]
        ids, mask, types = bench._collate(model, [encoding.input_ids[i] for i in rows],
                                          [encoding.token_type_ids[i] for i in rows])
        batches.append({"ids": ids.numpy(), "mask": mask.numpy(), "types": types.numpy(),
                        "feats": np.array([list(features[i]) for i in rows], dtype=np.float32)})
    sample = batches[0]
    float_path, int8_path = args.work / "narrative.onnx", args.work / "narrative.int8.onnx"
    torch.onnx.export(Heads(model).eval(), tuple(torch.from_numpy(sample[k]) for k in ("ids", "mask", "types", "feats")),
                      str(float_path), input_names=["ids", "mask", "types", "feats"],
                      dynamic_axes={"ids": {0: "b", 1: "s"}, "mask": {0: "b", 1: "s"}, "types": {0: "b", 1: "s"},
                                    "feats": {0: "b"}}, opset_version=17, dynamo=False)
    quantize_dynamic(str(float_path), str(int8_path), weight_type=QuantType.QInt8, per_channel=True)
    for name, path in (("ORT float", float_path), ("ORT int8", int8_path)):
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            for batch in batches:
                session.run(None, batch)
            best = min(best, time.perf_counter() - started)
        print(name, rate(best))


if __name__ == "__main__":
    main()
