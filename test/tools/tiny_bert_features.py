"""References for encode() features on the committed tiny-bert: prompts, precision and token embeddings.

Reads test/fixtures/tiny-bert as `make_fixtures.py tiny` wrote it (run that first) and writes
test/fixtures/tiny-bert.features.json with outputs from Python sentence-transformers.

    python test/tools/tiny_bert_features.py      # also run by `npm run fixtures`
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from sentence_transformers.util.quantization import quantize_embeddings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import ENCODE_BATCH_SIZE, FIXTURES, TOKEN_KEYS, TINY_MAX_SEQ_LENGTH, float_rows, versions  # noqa: E402

MODEL = FIXTURES / "tiny-bert"
PROMPTS = {"query": "query: ", "document": "passage: "}
PROMPT_TEXTS = 10
TOKEN_EMBEDDING_TEXTS = (0, 5, 11)  # a short, a medium and a long corpus text
PRECISIONS = ("int8", "uint8", "binary", "ubinary")


def prompted_config(st: SentenceTransformer) -> str:
    """config_sentence_transformers.json exactly as 6.0.1 writes it for tiny-bert with PROMPTS set."""
    folder = Path(tempfile.mkdtemp())
    try:
        st.prompts = dict(PROMPTS)
        st.save(str(folder))
        return (folder / "config_sentence_transformers.json").read_text(encoding="utf-8")
    finally:
        st.prompts = {"query": "", "document": ""}
        shutil.rmtree(folder)


def encode_with_prompt(config_text: str, texts: list[str]) -> tuple[np.ndarray, list[dict[str, list[int]]]]:
    """A copy of tiny-bert with only config_sentence_transformers.json replaced, as a test would build it."""
    folder = Path(tempfile.mkdtemp()) / "model"
    try:
        shutil.copytree(MODEL, folder, ignore=shutil.ignore_patterns("onnx"))
        (folder / "config_sentence_transformers.json").write_text(config_text, encoding="utf-8")
        st = SentenceTransformer(str(folder), device="cpu")
        if st.prompts != PROMPTS:
            raise SystemExit(f"the prompted folder loads prompts {st.prompts}")
        embeddings = st.encode(texts, prompt_name="query", batch_size=ENCODE_BATCH_SIZE, convert_to_numpy=True)
        batch = st.preprocess(texts, prompt=PROMPTS["query"])
        tokens = []
        for row in range(len(texts)):
            length = int(batch["attention_mask"][row].sum())
            tokens.append({key: batch[key][row][:length].tolist() for key in TOKEN_KEYS})
        return embeddings, tokens
    finally:
        shutil.rmtree(folder.parent)


def precision_outputs(st: SentenceTransformer, texts: list[str]) -> dict:
    """encode(precision=...) on the whole corpus; int8/uint8 ranges come from those same embeddings."""
    floats = st.encode(texts, batch_size=ENCODE_BATCH_SIZE, convert_to_numpy=True)
    out = {"ranges": float_rows(np.vstack((floats.min(0), floats.max(0))))}
    for precision in PRECISIONS:
        quantized = st.encode(texts, batch_size=ENCODE_BATCH_SIZE, precision=precision, convert_to_numpy=True)
        if not np.array_equal(quantized, quantize_embeddings(floats, precision=precision)):
            raise SystemExit(f"encode(precision={precision!r}) differs from quantize_embeddings on encode()")
        out[precision] = {"dtype": str(quantized.dtype), "values": quantized.astype(np.int64).tolist()}
    return out


def token_embeddings(st: SentenceTransformer, texts: list[str]) -> list[dict]:
    outputs = st.encode([texts[i] for i in TOKEN_EMBEDDING_TEXTS], output_value="token_embeddings", batch_size=ENCODE_BATCH_SIZE)
    rows = []
    for index, matrix in zip(TOKEN_EMBEDDING_TEXTS, outputs):
        ids = st.tokenizer(texts[index], truncation=True, max_length=st.max_seq_length)["input_ids"]
        if len(ids) != matrix.shape[0]:
            raise SystemExit(f"text {index}: {matrix.shape[0]} token embeddings for {len(ids)} tokens")
        rows.append({"text_index": index, "input_ids": list(ids), "embeddings": float_rows(matrix.numpy())})
    return rows


def main() -> None:
    texts = json.loads((FIXTURES / "corpus.json").read_text(encoding="utf-8"))
    st = SentenceTransformer(str(MODEL), device="cpu")
    if st.max_seq_length != TINY_MAX_SEQ_LENGTH:
        raise SystemExit(f"tiny-bert loads max_seq_length {st.max_seq_length}")

    config_text = prompted_config(st)
    prompted, prompt_tokens = encode_with_prompt(config_text, texts[:PROMPT_TEXTS])
    # The same as passing the prompt string, and different from no prompt (so the test sees it).
    direct = st.encode(texts[:PROMPT_TEXTS], prompt=PROMPTS["query"], batch_size=ENCODE_BATCH_SIZE, convert_to_numpy=True)
    if float(np.abs(direct - prompted).max()) > 1e-6:
        raise SystemExit("prompt_name='query' and prompt='query: ' disagree")
    plain = st.encode(texts[:PROMPT_TEXTS], batch_size=ENCODE_BATCH_SIZE, convert_to_numpy=True)
    print(f"  query prompt moves the embeddings by up to {float(np.abs(prompted - plain).max()):.3f}")

    features = {
        "generator": versions(),
        "model": "tiny-bert",
        "texts": texts,
        "prompts": PROMPTS,
        "prompted_config_sentence_transformers": config_text,
        "query_prompt": {
            "text_indices": list(range(PROMPT_TEXTS)),
            "prompt_name": "query",
            "tokens": prompt_tokens,
            "embeddings": float_rows(prompted),
        },
        "precision": precision_outputs(st, texts),
        "token_embeddings": token_embeddings(st, texts),
    }
    out = FIXTURES / "tiny-bert.features.json"
    out.write_text(json.dumps(features, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
