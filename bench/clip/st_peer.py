"""Python sentence-transformers' end-to-end images/s on a CLIP folder: encode() given the image
files' paths (PIL decodes them, CLIPImageProcessor prepares them, torch runs the towers), after
one warm-up batch. Prints one JSON line.

    test/tools/.venv/bin/python bench/clip/st_peer.py MODEL_DIR IMAGE_DIR [--batch 32] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("images")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    paths = sorted(str(p) for p in Path(args.images).glob("*.jpg"))
    model = SentenceTransformer(args.model, device="cpu")
    model.encode(paths[: args.batch], batch_size=args.batch)
    started = time.perf_counter()
    embeddings = model.encode(paths, batch_size=args.batch)
    seconds = time.perf_counter() - started
    print(json.dumps({"peer": "sentence-transformers", "images": len(paths), "seconds": seconds,
                      "images_per_s": len(paths) / seconds, "dimension": int(embeddings.shape[1])}))


if __name__ == "__main__":
    main()
