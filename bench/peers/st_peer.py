"""bench/peers: Python sentence-transformers (torch CPU, batch 32) on the same weights and texts.
Prints one JSON line (bench/peer_timing.py) and writes its corpus embeddings for the check."""
import sys
from pathlib import Path

import torch
import sentence_transformers
from sentence_transformers import SentenceTransformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from peer_timing import concurrent, emit, latency, load_texts, peer_arguments, throughput, write_embeddings  # noqa: E402


def main() -> None:
    args = peer_arguments(__doc__).parse_args()
    torch.set_num_threads(args.threads)
    texts, queries = load_texts(args.texts), load_texts(args.queries)
    model = SentenceTransformer(args.model, device="cpu")

    def encode(batch: list[str]):
        return model.encode(batch, batch_size=args.batch_size, convert_to_numpy=True)

    def encode_one(text: str):
        return model.encode(text, convert_to_numpy=True)

    encode(texts[:64])  # warm-up: allocator, kernels
    timing, embeddings = throughput(encode, texts)
    write_embeddings(args.embeddings_out, embeddings)
    emit({
        "peer": "sentence-transformers (torch CPU)",
        "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__},
        "threads": torch.get_num_threads(),
        "throughput": timing,
        "latency": latency(encode_one, queries, args.latency_calls, args.warmup),
        # A thread per caller on one shared model: what a threaded Python server does.
        "concurrent": concurrent(encode_one, texts, args.callers, args.requests),
    })


if __name__ == "__main__":
    main()
