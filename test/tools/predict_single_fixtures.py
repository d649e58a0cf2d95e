"""TEI's /predict on a single text: a sequence-classification model scores the text alone
([CLS] text [SEP]), as transformers does for `model(**tokenizer(text))`.

Writes test/fixtures/predict-single.reference.json: for every fixture text, tokenized alone by
the model's tokenizer and truncated at its model_max_length (128), the token ids and the raw
logits of int8-engine/tiny-ce-3label through transformers' BertForSequenceClassification
("logits"), and of tiny-ce-3label's ONNX export (other weights: that folder keeps no torch
weights) through Python onnxruntime ("onnx_logits").
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import tokenizers
import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import fixture_corpus  # noqa: E402

FIXTURES = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or Path(__file__).resolve().parents[1] / "fixtures")
# Written by int8_engine_fixtures.py, which runs earlier.
MODEL = FIXTURES / "int8-engine" / "tiny-ce-3label"
# Written by model_class_fixtures.py.
ONNX = FIXTURES / "tiny-ce-3label" / "onnx" / "model.onnx"


def float_row(values: np.ndarray) -> list[float]:
    return [float(np.format_float_positional(v, unique=True)) for v in values.astype(np.float32)]


def main() -> None:
    tokenizer = AutoTokenizer.from_pretrained(str(MODEL))
    model = AutoModelForSequenceClassification.from_pretrained(str(MODEL)).eval()
    session = onnxruntime.InferenceSession(str(ONNX), providers=["CPUExecutionProvider"])
    texts = fixture_corpus()
    rows, onnx_rows, ids = [], [], []
    with torch.no_grad():
        for text in texts:
            encoded = tokenizer(text, truncation=True, max_length=tokenizer.model_max_length, return_tensors="pt")
            ids.append(encoded["input_ids"][0].tolist())
            rows.append(float_row(model(**encoded).logits[0].numpy()))
            feeds = {name: encoded[name].numpy().astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
            onnx_rows.append(float_row(session.run(["logits"], feeds)[0][0]))
    reference = {
        "generator": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__, "torch": torch.__version__, "onnxruntime": onnxruntime.__version__},
        "model": "int8-engine/tiny-ce-3label",
        "max_length": tokenizer.model_max_length,
        "texts": texts,
        "input_ids": ids,
        "logits": rows,
        "onnx_logits": onnx_rows,
    }
    (FIXTURES / "predict-single.reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
