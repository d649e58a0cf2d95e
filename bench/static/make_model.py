"""The StaticEmbedding model the static benchmark runs: static-retrieval-mrl-en-v1's shape (the
BERT uncased WordPiece tokenizer, 30,522 x 1024 float32 table, no Normalize) with random
weights, saved by sentence-transformers into bench/.cache/static-retrieval-shape.

    test/tools/.venv/bin/python bench/static/make_model.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import StaticEmbedding
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / ".cache" / "static-retrieval-shape"


def main() -> None:
    if (OUT / "model.safetensors").exists() and "--force" not in sys.argv:
        print(OUT)
        return
    tokenizer = Tokenizer.from_file(str(ROOT / "test" / "fixtures" / "tokenizers" / "bert" / "tokenizer.json"))
    weights = torch.randn(tokenizer.get_vocab_size(), 1024, generator=torch.Generator().manual_seed(1024)) * 0.1
    SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)]).save(str(OUT))
    print(OUT)


if __name__ == "__main__":
    main()
