"""Timing helpers shared by the Python peers of the benchmarks, so every Python peer measures
throughput, single-query latency and concurrent callers the same way as the Node peers
(bench/peer-timing.ts): warm-up excluded, wall-clock time, nearest-rank percentiles."""
from __future__ import annotations

import argparse
import json
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (the same definition as bench/peer-timing.ts)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def throughput(encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> tuple[dict, np.ndarray]:
    """One timed pass over every text (after the caller's warm-up); returns the timing and the
    embeddings, which the orchestrator compares with ours."""
    start = time.perf_counter()
    embeddings = encode(texts)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "sentences_per_second": len(texts) / seconds}, embeddings


def latency(encode_one: Callable[[str], object], queries: list[str], calls: int, warmup: int) -> dict:
    """`calls` sequential single-query calls, cycling through `queries`, after `warmup` calls."""
    for i in range(warmup):
        encode_one(queries[i % len(queries)])
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        encode_one(queries[i % len(queries)])
        samples.append((time.perf_counter() - start) * 1000)
    return {"calls": calls, "p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99), "mean_ms": sum(samples) / len(samples)}


def concurrent(encode_one: Callable[[str], object], texts: list[str], callers: int, requests: int) -> dict:
    """`callers` threads, each sending one text per request and waiting for it before the next,
    until `requests` requests in all have been answered (texts taken in order, cycling)."""
    lock = threading.Lock()
    next_index = [0]
    samples: list[float] = []

    def caller() -> None:
        while True:
            with lock:
                index = next_index[0]
                if index >= requests:
                    return
                next_index[0] += 1
            start = time.perf_counter()
            encode_one(texts[index % len(texts)])
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                samples.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        for future in [pool.submit(caller) for _ in range(callers)]:
            future.result()
    seconds = time.perf_counter() - start
    return {
        "callers": callers,
        "requests": requests,
        "seconds": seconds,
        "sentences_per_second": requests / seconds,
        "p50_ms": percentile(samples, 50),
        "p99_ms": percentile(samples, 99),
    }


def write_embeddings(path: str, embeddings: np.ndarray) -> None:
    """Raw little-endian float32 rows, as bench/peer-timing.ts writes and reads them."""
    np.ascontiguousarray(embeddings, dtype="<f4").tofile(path)


def emit(result: dict) -> None:
    """The peer's one line of output, read by bench/peers/run.ts."""
    print(json.dumps(result), flush=True)


def peer_arguments(description: str):
    """The command line every peer of bench/peers takes (bench/peers/run.ts passes it)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", required=True, help="the sentence-transformers model folder")
    parser.add_argument("--texts", required=True, help="JSON list of corpus texts")
    parser.add_argument("--queries", required=True, help="JSON list of short queries")
    parser.add_argument("--embeddings-out", required=True, help="where to write the corpus embeddings (raw float32)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, required=True, help="intra-op threads")
    parser.add_argument("--latency-calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--callers", type=int, default=64)
    parser.add_argument("--requests", type=int, default=2000)
    return parser


def load_texts(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
