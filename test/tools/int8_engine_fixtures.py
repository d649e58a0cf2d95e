"""Fixtures for sentencekit's int8 engine (cpuEngine 'int8'), which reads model.safetensors:
the other fixtures drop their torch weights, since the ONNX files hold them for the ONNX path.

  test/fixtures/int8-engine/tiny-ce-3label (+ .reference.json): a BERT cross-encoder with three
      labels, made by model_class_fixtures.make_cross_encoder with its weights kept, and Python
      CrossEncoder's fp32 logits / scores on the fixture pairs.
  test/fixtures/int8-engine/tiny-splade (+ tiny-splade.reference.json): the SPLADE model of
      model_class_fixtures.make_splade_at the same way, with Python SparseEncoder's embeddings.
  Both without their ONNX export: the int8 engine reads model.safetensors alone.
  test/fixtures/tiny-roberta-weights: a tiny RoBERTa inside a sequence-classification model
      (tensors under roberta.*, positions numbered past the padding index) as config.json +
      model.safetensors, and hidden_states.json: transformers' own last hidden state and
      logits for a few id sequences, which the native test compares the engine with.
  test/fixtures/tiny-mpnet-weights: the same for a tiny MPNetModel (relative position bias,
      no token types), saved bare as sentence-transformers saves all-mpnet-base-v2's.
  test/fixtures/tiny-bert-hd32-weights: the same for a BertModel whose heads are 32 wide (the
      other fixtures' are 8): AMX attention needs head_dim % 32 == 0, so this is the fixture that
      runs it end to end on CPUs with AMX.

    test/tools/.venv/bin/python test/tools/int8_engine_fixtures.py
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from transformers import BertConfig, BertModel, MPNetConfig, MPNetModel, RobertaConfig, RobertaForSequenceClassification

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model_class_fixtures  # noqa: E402
from make_fixtures import FIXTURES, widen_init  # noqa: E402
from mpnet_roberta_fixtures import BOS, EOS, PAD, SHAPE  # noqa: E402

SMALL_VOCAB = 1000  # the word embeddings are most of the file


def save_weights(model: torch.nn.Module, name: str) -> None:
    """config.json + model.safetensors, and transformers' hidden states (and logits, for a
    classification model) on a few id sequences as the tokenizer would give them (<s> … </s>),
    lengths across the engine's single-thread cutoff, run one at a time (no padding)."""
    out = FIXTURES / name
    work = Path(tempfile.mkdtemp())
    model.save_pretrained(work)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    for file in ("config.json", "model.safetensors"):
        shutil.copy(work / file, out / file)
    shutil.rmtree(work)
    generator = torch.Generator().manual_seed(44)
    expected = []
    with torch.no_grad():
        for length in (2, 7, 33, 70):
            body = torch.randint(4, SMALL_VOCAB, (length - 2,), generator=generator).tolist()
            ids = [BOS, *body, EOS]
            output = model(input_ids=torch.tensor([ids]), output_hidden_states=True)
            case = {"ids": ids, "last_hidden_state": output.hidden_states[-1][0].tolist()}
            if hasattr(output, "logits"):
                case["logits"] = output.logits[0].tolist()
            expected.append(case)
    (out / "hidden_states.json").write_text(json.dumps(expected) + "\n", encoding="utf-8")


def make_roberta_weights() -> None:
    torch.manual_seed(43)
    config = RobertaConfig(vocab_size=SMALL_VOCAB, max_position_embeddings=514, type_vocab_size=1, num_labels=1,
                           pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    model = RobertaForSequenceClassification(config).eval()
    widen_init(model)
    save_weights(model, "tiny-roberta-weights")


def make_mpnet_weights() -> None:
    torch.manual_seed(45)
    config = MPNetConfig(vocab_size=SMALL_VOCAB, max_position_embeddings=514, relative_attention_num_buckets=32,
                         pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    model = MPNetModel(config, add_pooling_layer=False).eval()
    widen_init(model)
    save_weights(model, "tiny-mpnet-weights")


def make_bert_hd32_weights() -> None:
    torch.manual_seed(46)
    config = BertConfig(vocab_size=SMALL_VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=128)
    model = BertModel(config, add_pooling_layer=False).eval()
    widen_init(model)
    save_weights(model, "tiny-bert-hd32-weights")


def make_model_classes() -> None:
    """model_class_fixtures' cross-encoder and SPLADE generators, writing into int8-engine/ and
    keeping the torch weights this time (their ONNX exports are dropped instead)."""
    out = FIXTURES / "int8-engine"
    out.mkdir(exist_ok=True)
    model_class_fixtures.FIXTURES = out
    model_class_fixtures.drop_torch_weights = lambda folder: None
    model_class_fixtures.make_cross_encoder("tiny-ce-3label", 3, seed=13)
    model_class_fixtures.make_splade_at(out / "tiny-splade", write_reference=True)
    for name in ("tiny-ce-3label", "tiny-splade"):
        shutil.rmtree(out / name / "onnx")


def main() -> None:
    make_roberta_weights()
    make_mpnet_weights()
    make_bert_hd32_weights()
    make_model_classes()


if __name__ == "__main__":
    main()
