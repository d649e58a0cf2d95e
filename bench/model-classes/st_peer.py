"""Python sentence-transformers as the peer in bench/model-classes: reranks pairs with a
CrossEncoder and encodes passages with a SparseEncoder (torch CPU, all cores), printing one
JSON line of timings."""
import argparse
import json
import os
import time

import torch
from sentence_transformers import CrossEncoder, SparseEncoder


def best_of(repeats: int, run) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reranker", required=True)
    parser.add_argument("--splade", required=True)
    parser.add_argument("--texts", required=True)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    texts = json.load(open(args.texts, encoding="utf-8"))

    reranker = CrossEncoder(args.reranker, device="cpu")
    pairs = [("what is the best way to search documents", text) for text in texts[: args.pairs]]
    reranker.predict(pairs[:8])
    rerank_seconds = best_of(args.repeats, lambda: reranker.predict(pairs, batch_size=32))

    splade = SparseEncoder(args.splade, device="cpu")
    passages = texts[: args.passages]
    splade.encode(passages[:8])
    splade_seconds = best_of(args.repeats, lambda: splade.encode(passages, batch_size=32))
    print(json.dumps({"rerank_seconds": rerank_seconds, "splade_seconds": splade_seconds,
                      "versions": {"sentence_transformers": __import__("sentence_transformers").__version__, "torch": torch.__version__}}))


if __name__ == "__main__":
    main()
