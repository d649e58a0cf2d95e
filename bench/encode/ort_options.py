"""A/B of ONNX Runtime session options on one sorted-batch pass, in one process: the Python
ORT loop of bench/peers/ort_peer.py (length-sorted batches of 32, padded to their longest) with
its default options against the same loop with sentencekit's session options, alternating
rounds so both see the same machine state. Prints seconds per pass for each variant.

  test/tools/.venv/bin/python bench/encode/ort_options.py [onnx file] [texts] [rounds]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime
import tokenizers

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "bench" / "models" / "minilm-l6"


def session(onnx_file: str, entries: dict[str, str]) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    for key, value in entries.items():
        options.add_session_config_entry(key, value)
    return onnxruntime.InferenceSession(str(FOLDER / onnx_file), options, providers=["CPUExecutionProvider"])


def batches(texts: list[str]) -> list[dict[str, np.ndarray]]:
    tokenizer = tokenizers.Tokenizer.from_file(str(FOLDER / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    tokenizer.no_padding()
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
    feeds = []
    for start in range(0, len(order), 32):
        chunk = [encodings[i] for i in order[start:start + 32]]
        length = max(len(e.ids) for e in chunk)
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(chunk):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    return feeds


def main() -> None:
    onnx_file = sys.argv[1] if len(sys.argv) > 1 else "onnx/model.onnx"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    texts = json.loads((ROOT / "bench" / ".cache" / "corpus-10000-5-200-42.json").read_text())[:count]
    feeds = batches(texts)
    variants = {
        "python default": session(onnx_file, {}),
        "sentencekit options (spinning, force_spinning_stop=1)": session(
            onnx_file, {"session.intra_op.allow_spinning": "1", "session.force_spinning_stop": "1"}),
    }
    for s in variants.values():
        s.run(None, feeds[-1])
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, s in variants.items():
            start = time.perf_counter()
            for feed in feeds:
                s.run(None, feed)
            results[name].append(time.perf_counter() - start)
    for name, seconds in results.items():
        best = min(seconds)
        print(f"{name}: best {best:.3f} s ({count / best:.1f} sent/s), all {[round(x, 3) for x in seconds]}")


if __name__ == "__main__":
    main()
