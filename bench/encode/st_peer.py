"""Python sentence-transformers as the peer in bench/encode: encodes the same texts with the
same weights (torch CPU, all cores, batch 32) and prints one JSON line of timings."""
import argparse
import json
import os
import time

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--texts", required=True, help="JSON file with a list of strings")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(os.cpu_count() or 1)
    texts = json.load(open(args.texts, encoding="utf-8"))
    model = SentenceTransformer(args.model, device="cpu")
    model.encode(texts[:64], batch_size=args.batch_size)  # warm-up: allocator, kernels
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.encode(texts, batch_size=args.batch_size)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({
        "peer": "sentence-transformers (torch CPU)",
        "versions": {"sentence_transformers": __import__("sentence_transformers").__version__, "torch": torch.__version__},
        "threads": torch.get_num_threads(),
        "texts": len(texts),
        "seconds": best,
        "sentences_per_second": len(texts) / best,
    }))


if __name__ == "__main__":
    main()
