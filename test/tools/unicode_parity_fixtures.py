"""End to end on the characters where a Unicode database and `tokenizers` disagree: texts built
from them, through test/fixtures/tiny-bert (all-MiniLM-L6-v2's WordPiece tokenizer) by Python
sentence-transformers, for test/parity/unicode.parity.test.ts.

The characters are those whose BertNormalizer / BertPreTokenizer decision (control, whitespace,
punctuation, nonspacing mark, lowercase) differs from what Python's own unicodedata says, plus
the seven of issue 15: a newer Unicode database than the crates `tokenizers` classifies with
gets each of them wrong.

Run with the fixture venv after make_fixtures.py tiny (test/tools/fixtures.py runs it):
    test/tools/.venv/bin/python test/tools/unicode_parity_fixtures.py

Writes test/fixtures/tiny-bert.unicode.reference.json: the texts, the characters per kind, the
reference's input ids, and embeddings per pooling mode (raw; mean also normalized).
"""
from __future__ import annotations

import json
import os
import random
import unicodedata
from pathlib import Path

import numpy as np
import sentence_transformers
import tokenizers
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Pooling
from tokenizers import normalizers, pre_tokenizers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures")
ISSUE_15 = "\u0c84\u2e46\u0a76\u2e58\u0c04\u07fd\u1aca"
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
PER_KIND = 24  # characters of each kind in the texts, spread over the kind's list
WORDS = "the quick brown fox jumps over lazy dog search engine vector sentence".split()


def disagreements() -> dict[str, list[str]]:
    """Per kind, the characters where unicodedata and `tokenizers` decide differently."""
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    nfd = normalizers.NFD()
    lower = normalizers.Lowercase()
    split = pre_tokenizers.BertPreTokenizer()
    kinds: dict[str, list[str]] = {"control": [], "whitespace": [], "punctuation": [], "nonspacing_mark": [], "lowercase": []}
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        char = chr(c)
        category = unicodedata.category(char)
        cleaned = clean.normalize_str(char)
        if (cleaned == "" and c not in (0, 0xFFFD)) != (category in ("Cc", "Cf", "Co", "Cs") and char not in "\t\n\r"):
            kinds["control"].append(char)
        pieces = [p for p, _ in split.pre_tokenize_str("a" + char + "b")]
        if (pieces == ["a", "b"]) != char.isspace():
            kinds["whitespace"].append(char)
        if (pieces == ["a", char, "b"]) != (category.startswith("P") or char in ASCII_PUNCTUATION):
            kinds["punctuation"].append(char)
        if nfd.normalize_str(char) == char and unicodedata.normalize("NFD", char) == char:
            if (strip.normalize_str(char) == "") != (category == "Mn"):
                kinds["nonspacing_mark"].append(char)
        if lower.normalize_str(char) != char.lower():
            kinds["lowercase"].append(char)
    return kinds


def spread(chars: list[str], count: int) -> list[str]:
    if len(chars) <= count:
        return chars
    return [chars[i * len(chars) // count] for i in range(count)]


def make_texts(kinds: dict[str, list[str]]) -> list[str]:
    rng = random.Random(15)
    chosen = list(ISSUE_15) + [c for chars in kinds.values() for c in spread(chars, PER_KIND)]
    texts = [f"a{c}b" for c in ISSUE_15] + [f"a {c} b" for c in ISSUE_15]
    # Each character glued inside a word, after one, and alone between spaces, several to a text.
    rng.shuffle(chosen)
    for start in range(0, len(chosen), 4):
        parts = []
        for c in chosen[start:start + 4]:
            word = rng.choice(WORDS)
            parts.append(rng.choice([f"{word}{c}{rng.choice(WORDS)}", f"{word}{c}", f"{c}{word}", f"{word} {c}"]))
        texts.append(" ".join(parts))
    return texts


def float_rows(array: np.ndarray) -> list[list[float]]:
    # The shortest decimal that reads back as the same float32.
    return [[float(np.format_float_positional(v, unique=True)) for v in row.astype(np.float32)] for row in array]


def main() -> None:
    torch.manual_seed(0)
    kinds = disagreements()
    texts = make_texts(kinds)
    st = SentenceTransformer(str(FIXTURES / "tiny-bert"), device="cpu")
    input_ids = [st.tokenizer(text, truncation=True, max_length=st.max_seq_length)["input_ids"] for text in texts]
    embeddings = {}
    for mode in ("mean", "cls", "max"):
        pooled = SentenceTransformer(modules=[st[0], Pooling(st[0].get_embedding_dimension(), pooling_mode=mode)], device="cpu")
        raw = pooled.encode(texts, batch_size=16, convert_to_numpy=True)
        embeddings[mode] = {"raw": float_rows(raw)}
        if mode == "mean":
            embeddings[mode]["normalized"] = float_rows(pooled.encode(texts, batch_size=16, normalize_embeddings=True,
                                                                     convert_to_numpy=True))
    reference = {
        "generator": {"sentence_transformers": sentence_transformers.__version__, "tokenizers": tokenizers.__version__,
                      "torch": torch.__version__},
        "model": "tiny-bert",
        "characters": {kind: " ".join(f"U+{ord(c):04X}" for c in chars) for kind, chars in kinds.items()},
        "texts": texts,
        "input_ids": input_ids,
        "embeddings": embeddings,
    }
    (FIXTURES / "tiny-bert.unicode.reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n",
                                                              encoding="utf-8")
    print(f"tiny-bert.unicode.reference.json: {len(texts)} texts from "
          + ", ".join(f"{len(chars)} {kind}" for kind, chars in kinds.items()))


if __name__ == "__main__":
    main()
