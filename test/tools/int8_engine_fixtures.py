"""Fixtures for sentencekit's int8 engine (cpuEngine 'int8'), which reads model.safetensors:
the other fixtures drop their torch weights, since the ONNX files hold them for the ONNX path.

  test/fixtures/int8-engine/tiny-ce-3label (+ .reference.json): a BERT cross-encoder with three
      labels, made by model_class_fixtures.make_cross_encoder with its weights kept, and Python
      CrossEncoder's fp32 logits / scores on the fixture pairs.
  test/fixtures/tiny-roberta-weights: a tiny RoBERTa inside a sequence-classification model
      (tensors under roberta.*, positions numbered past the padding index) as config.json +
      model.safetensors only, for the native test against the fp32 reference forward pass.

    test/tools/.venv/bin/python test/tools/int8_engine_fixtures.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import torch
from transformers import RobertaConfig, RobertaForSequenceClassification

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model_class_fixtures  # noqa: E402
from make_fixtures import FIXTURES, widen_init  # noqa: E402
from mpnet_roberta_fixtures import BOS, EOS, PAD, SHAPE  # noqa: E402

ROBERTA_VOCAB = 1000  # small: the word embeddings are most of the file


def make_roberta_weights() -> None:
    torch.manual_seed(43)
    config = RobertaConfig(vocab_size=ROBERTA_VOCAB, max_position_embeddings=514, type_vocab_size=1, num_labels=1,
                           pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    model = RobertaForSequenceClassification(config).eval()
    widen_init(model)
    out = FIXTURES / "tiny-roberta-weights"
    work = Path(tempfile.mkdtemp())
    model.save_pretrained(work)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    for file in ("config.json", "model.safetensors"):
        shutil.copy(work / file, out / file)
    shutil.rmtree(work)


def make_cross_encoder() -> None:
    # make_cross_encoder keeps model.safetensors when its folder is not test/fixtures itself.
    model_class_fixtures.FIXTURES = FIXTURES / "int8-engine"
    model_class_fixtures.FIXTURES.mkdir(exist_ok=True)
    model_class_fixtures.make_cross_encoder("tiny-ce-3label", 3, seed=13)


def main() -> None:
    make_roberta_weights()
    make_cross_encoder()


if __name__ == "__main__":
    main()
