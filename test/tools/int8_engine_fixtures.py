"""The weights-only fixture the int8 engine's native test reads beside tiny-bert: a tiny
RoBERTa (random weights, seeded) saved by transformers as config.json + model.safetensors,
inside a sequence-classification model as real RoBERTa cross-encoders are (tensors under
roberta.*, positions numbered past the padding index). The test compares the engine with the
fp32 reference forward pass (test/reference), so no ONNX file or reference JSON is needed.

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
from make_fixtures import FIXTURES, widen_init  # noqa: E402
from mpnet_roberta_fixtures import BOS, EOS, PAD, SHAPE  # noqa: E402

NAME = "tiny-roberta-weights"
VOCAB = 1000  # small: the word embeddings are most of the file


def main() -> None:
    torch.manual_seed(43)
    config = RobertaConfig(vocab_size=VOCAB, max_position_embeddings=514, type_vocab_size=1, num_labels=1,
                           pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    model = RobertaForSequenceClassification(config).eval()
    widen_init(model)
    out = FIXTURES / NAME
    work = Path(tempfile.mkdtemp())
    model.save_pretrained(work)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    for file in ("config.json", "model.safetensors"):
        shutil.copy(work / file, out / file)
    shutil.rmtree(work)
    print(f"wrote {out.relative_to(FIXTURES.parent.parent)}: {sum(f.stat().st_size for f in out.iterdir())} bytes")


if __name__ == "__main__":
    main()
