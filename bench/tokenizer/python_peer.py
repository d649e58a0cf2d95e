"""The Python peer of the tokenizer benchmark: Hugging Face `tokenizers` (Rust) on the same
corpus and tokenizer.json files. Prints one JSON object like tokenizer_bench.cc's.

Run it with TOKENIZERS_PARALLELISM=false for the single-threaded figures (encode_batch then
runs on one thread) and without it for the parallel ones; run.sh does both.
"""
import json
import struct
import sys
import time
from pathlib import Path

from tokenizers import Tokenizer

FAMILIES = ["bert", "mpnet", "roberta", "xlmr"]


def read_corpus(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data[:4] == b"SKTC"
    count = struct.unpack_from("<I", data, 4)[0]
    pos, lines = 8, []
    for _ in range(count):
        length = struct.unpack_from("<I", data, pos)[0]
        lines.append(data[pos + 4:pos + 4 + length].decode("utf-8"))
        pos += 4 + length
    return lines


def best_of(repeat: int, run) -> tuple[float, int]:
    best, tokens = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        tokens = run()
        best = min(best, time.perf_counter() - start)
    return best, tokens


def main() -> None:
    fixtures = Path(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    lines = read_corpus(fixtures / "corpus.bin")
    result = {"texts": len(lines), "families": {}}
    for family in FAMILIES:
        tokenizer = Tokenizer.from_file(str(fixtures / family / "tokenizer.json"))
        single_s, tokens = best_of(repeat, lambda: sum(len(tokenizer.encode(line).ids) for line in lines))
        batch_s, _ = best_of(repeat, lambda: sum(len(e.ids) for e in tokenizer.encode_batch(lines)))
        result["families"][family] = {
            "tokens": tokens,
            "single_texts_per_s": len(lines) / single_s, "single_tokens_per_s": tokens / single_s,
            "batch_texts_per_s": len(lines) / batch_s, "batch_tokens_per_s": tokens / batch_s,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
