"""The Python ONNX Runtime peer of bench/peers (ort_peer.py's pipeline) with batches of 32
as it runs there, or cut like ours at a budget of padded tokens: whether our lead over it is
the batching or the ORT build. Best of 2 passes per mode.

    npm run bench:models
    node --import tsx bench/encode/batch-tokens.ts --texts 1000 --budgets 1024,16384   # writes the corpus file
    test/tools/.venv/bin/python bench/encode/ort_token_budget.py bench/.cache/corpus-1000-5-200-42.json onnx/model.onnx batch32,1024
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "peers"))
sys.path.insert(0, str(ROOT / "bench"))
from ort_peer import OrtPipeline  # noqa: E402


def encode_budget(pipeline: OrtPipeline, texts: list[str], budget: int, rows_max: int = 32) -> np.ndarray:
    """Longest first; a batch takes rows while rows x its longest stays within the budget."""
    encodings = pipeline.tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
    out = None
    start = 0
    while start < len(order):
        rows = max(1, min(rows_max, budget // len(encodings[order[start]].ids)))
        chunk = order[start:start + rows]
        start += rows
        pooled = pipeline._run([encodings[i] for i in chunk])
        if out is None:
            out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
        out[chunk] = pooled
    return out


def main() -> None:
    texts = json.loads(Path(sys.argv[1]).read_text())
    onnx_file = sys.argv[2]
    modes = sys.argv[3].split(",") if len(sys.argv) > 3 else ["batch32", "1024"]
    pipeline = OrtPipeline(ROOT / "bench" / "models" / "minilm-l6", onnx_file, 2)
    pipeline.encode(texts[:64], 32)
    for mode in modes:
        best = 0.0
        for _ in range(2):
            start = time.perf_counter()
            if mode == "batch32":
                pipeline.encode(texts, 32)
            else:
                encode_budget(pipeline, texts, int(mode))
            best = max(best, len(texts) / (time.perf_counter() - start))
        print(f"Python ORT {onnx_file} {mode}: {best:.1f} sentences/s", flush=True)


if __name__ == "__main__":
    main()
