"""Python peers of the search benchmark on the corpus search_bench wrote: faiss-cpu
IndexFlatIP and NumPy (matmul + argpartition, chunked over the corpus so the score matrix
never exceeds ~0.5 GB). Prints one JSON object with best-of-N seconds and agreement with
our ids."""
import json
import os
import sys
import time

import numpy as np

DIM = int(os.environ.get("DIM", "384"))
K = 10


def best_of(repeats, fn):
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def numpy_search(corpus, queries, k, chunk=131072):
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(corpus), chunk):
        scores = queries @ corpus[start:start + chunk].T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        best_ids = np.concatenate([best_ids, top + start], axis=1)
        keep = np.argpartition(-best_scores, k - 1, axis=1)[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
        best_ids = np.take_along_axis(best_ids, keep, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    return np.take_along_axis(best_ids, order, axis=1)


def agreement(ids, ours):
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(ids, ours))
    return hits / ids.size


def main():
    data = sys.argv[1]
    corpus = np.fromfile(os.path.join(data, "corpus.f32"), dtype=np.float32).reshape(-1, DIM)
    queries = np.fromfile(os.path.join(data, "queries.f32"), dtype=np.float32).reshape(-1, DIM)
    import faiss

    out = {"faiss_threads": faiss.omp_get_max_threads(), "faiss_version": faiss.__version__, "numpy": np.__version__}
    index = faiss.IndexFlatIP(DIM)
    index.add(corpus)
    for nq in (1, 32, 1024):
        repeats = 1 if nq >= 1024 else 3
        q = np.ascontiguousarray(queries[:nq])
        ours = np.fromfile(os.path.join(data, f"ours_ids_{nq}.i64"), dtype=np.int64).reshape(nq, K)
        faiss_s, (_, faiss_ids) = best_of(repeats, lambda: index.search(q, K))
        numpy_s, numpy_ids = best_of(repeats, lambda: numpy_search(corpus, q, K))
        out[f"q{nq}"] = {
            "faiss_s": faiss_s,
            "numpy_s": numpy_s,
            "faiss_agreement_with_ours": agreement(faiss_ids, ours),
            "numpy_agreement_with_ours": agreement(numpy_ids, ours),
        }
        print(json.dumps(out[f"q{nq}"]), file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
