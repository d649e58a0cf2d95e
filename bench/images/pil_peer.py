"""Python's side of the image benchmark: transformers' CLIPImageProcessor (PIL backend, as
sentence-transformers uses it when torchvision is absent) on the files, given as file names the
way sentence-transformers hands them over (load_image: open, EXIF orientation, convert('RGB')).
Prints JSON: wall and CPU seconds (all threads) for the whole run, and for decoding alone
(load_image + np.asarray).

    python bench/images/pil_peer.py <processor folder> <file>...
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np
from transformers import AutoImageProcessor
from transformers.image_utils import load_image


def main() -> None:
    processor = AutoImageProcessor.from_pretrained(sys.argv[1])
    files = sys.argv[2:]
    assert type(processor).__name__ == "CLIPImageProcessorPil"
    processor(files[:2], return_tensors="np")  # warm-up: imports, first-call setup
    started, cpu = time.perf_counter(), time.process_time()
    for file in files:
        np.asarray(load_image(file))
    decode, decode_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(files), 32):
        pixels = processor(files[first:first + 32], return_tensors="np")["pixel_values"]
        assert pixels.shape[1:] == (3, 224, 224)
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": total, "cpu_seconds": total_cpu, "decode_seconds": decode,
                      "decode_cpu_seconds": decode_cpu, "images": len(files)}))


if __name__ == "__main__":
    main()
