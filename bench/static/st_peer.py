"""sentence-transformers' side of the static benchmark: encodes a JSON list of texts with a
StaticEmbedding model at one batch size, after one warm-up pass, and prints one JSON line with
the best wall time of --repeats runs. Also checks the vectors against sentencekit's (--check).

    python bench/static/st_peer.py --model DIR --texts FILE --batch-size 32 --repeats 3
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--texts", required=True)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check", help="a .f32 file of sentencekit's vectors for the same texts")
    args = parser.parse_args()
    texts = json.load(open(args.texts, encoding="utf-8"))
    model = SentenceTransformer(args.model, device="cpu")
    embeddings = model.encode(texts, batch_size=args.batch_size)
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.encode(texts, batch_size=args.batch_size)
        best = min(best, time.perf_counter() - start)
    result = {"seconds": best, "batch_size": args.batch_size, "threads": torch.get_num_threads(),
              "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}}
    if args.check:
        ours = np.fromfile(args.check, dtype=np.float32).reshape(embeddings.shape)
        result["max_abs_diff"] = float(np.abs(ours - embeddings).max())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
