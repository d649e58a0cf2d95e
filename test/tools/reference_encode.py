"""Encodes texts with Python sentence-transformers: the reference side of parity checks and benchmarks.

    python test/tools/reference_encode.py MODEL_DIR texts.json [-o out.json] [--batch-size 32]
                                          [--normalize] [--precision float32|int8|uint8|binary|ubinary]
    python test/tools/reference_encode.py MODEL_DIR texts.json --time [--repeat 5] [--warmup 1]

texts.json is a JSON list of strings. Encoding writes {"model", "precision", "normalized",
"dimension", "embeddings": [[...]...]} (float32 values as their shortest round-trip decimal);
--time writes {"sentences_per_second", "seconds": [...], ...} measured after warm-up runs with
torch using every CPU core. Output goes to -o, or stdout when -o is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

PRECISIONS = ("float32", "int8", "uint8", "binary", "ubinary")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="a sentence-transformers model folder")
    parser.add_argument("texts", type=Path, help="JSON file holding a list of strings")
    parser.add_argument("-o", "--output", type=Path, help="where to write the JSON result (default: stdout)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--normalize", action="store_true", help="L2-normalize embeddings (normalize_embeddings=True)")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32")
    parser.add_argument("--max-seq-length", type=int, help="override the model's max_seq_length")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch CPU threads (default: all cores)")
    parser.add_argument("--time", action="store_true", help="measure throughput instead of writing embeddings")
    parser.add_argument("--warmup", type=int, default=1, help="untimed full passes before timing (--time)")
    parser.add_argument("--repeat", type=int, default=5, help="timed full passes; the median is reported (--time)")
    return parser.parse_args()


def read_texts(path: Path) -> list[str]:
    texts = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise SystemExit(f"{path}: expected a JSON list of strings")
    return texts


def plain_rows(embeddings: np.ndarray) -> list[list]:
    if embeddings.dtype == np.float32:
        # The shortest decimal that reads back as the same float32.
        return [[float(np.format_float_positional(v, unique=True)) for v in row] for row in embeddings]
    return embeddings.tolist()


def encode(model: SentenceTransformer, texts: list[str], args: argparse.Namespace) -> np.ndarray:
    return model.encode(texts, batch_size=args.batch_size, normalize_embeddings=args.normalize,
                        precision=args.precision, convert_to_numpy=True, show_progress_bar=False)


def timing(model: SentenceTransformer, texts: list[str], args: argparse.Namespace) -> dict:
    for _ in range(args.warmup):
        encode(model, texts, args)
    seconds = []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        encode(model, texts, args)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {
        "sentences_per_second": len(texts) / median,
        "median_seconds": median,
        "seconds": seconds,
        "texts": len(texts),
        "batch_size": args.batch_size,
        "threads": torch.get_num_threads(),
        "normalized": args.normalize,
        "precision": args.precision,
        "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__},
    }


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    texts = read_texts(args.texts)
    model = SentenceTransformer(str(args.model), device="cpu")
    if args.max_seq_length:
        model.max_seq_length = args.max_seq_length
    with torch.inference_mode():
        if args.time:
            result = timing(model, texts, args)
        else:
            embeddings = encode(model, texts, args)
            result = {"model": str(args.model), "precision": args.precision, "normalized": args.normalize,
                      "max_seq_length": model.max_seq_length, "dimension": int(embeddings.shape[1]),
                      "embeddings": plain_rows(embeddings)}
    text = json.dumps(result, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
