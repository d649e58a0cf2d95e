"""Fixtures for sentencekit's own CPU engine on DistilBERT and ModernBERT (issue 22): random
weights in the exact sentence-transformers layouts, model.safetensors kept (the engine reads it),
with Python sentence-transformers' references on the fixture corpus.

  test/fixtures/tiny-distilbert (+ .reference.json): DistilBertModel → mean Pooling → Normalize,
      BERT's uncased WordPiece tokenizer (DistilBERT feeds no token_type_ids).
  test/fixtures/tiny-ce-distilbert (+ .reference.json): DistilBertForSequenceClassification, one
      label (pre_classifier → ReLU → classifier on the first token).
  test/fixtures/tiny-splade-distilbert (+ .reference.json): a SparseEncoder (SPLADE) on
      DistilBertForMaskedLM (vocab_transform → activation → vocab_layer_norm → vocab_projector).
  test/fixtures/tiny-modernbert (+ .reference.json): ModernBertModel → mean Pooling → Normalize,
      3 layers with global attention every 2nd layer (layers 0 and 2 global, 1 sliding) and a
      local_attention of 16 (±8 tokens), far below the longer fixture texts, so the sliding
      window matters; ModernBERT's defaults otherwise (no biases, norm_bias false, GeGLU with
      erf GELU, rope thetas 160,000 global / 10,000 local). The byte-level BPE tokenizer of
      test/fixtures/tokenizers/roberta keeps the vocabulary (and the file) small.
  test/fixtures/tiny-splade-modernbert (+ .reference.json): a SparseEncoder (SPLADE) on
      ModernBertForMaskedLM (final_norm → head dense → GELU → head norm → decoder tied to the
      token embeddings, with its own bias), tiny-modernbert's shape and tokenizer.
  test/fixtures/tiny-ce-modernbert-cls and -mean (+ .reference.json):
      ModernBertForSequenceClassification with classifier_pooling "cls" (1 label) and "mean"
      (3 labels): head dense → GELU → LayerNorm → classifier.
No ONNX exports are committed (the engine reads model.safetensors); `bench` makes the
MiniLM-L6-sized models with their ONNX exports for the engine-vs-ONNX-Runtime bench:

    test/tools/.venv/bin/python test/tools/distilbert_modernbert_fixtures.py          # fixtures
    test/tools/.venv/bin/python test/tools/distilbert_modernbert_fixtures.py bench DIR
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import CrossEncoder, SentenceTransformer, SparseEncoder
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from sentence_transformers.sparse_encoder.modules import MLMTransformer, SpladePooling
from transformers import (DistilBertConfig, DistilBertForMaskedLM, ModernBertForMaskedLM, DistilBertForSequenceClassification, DistilBertModel,
                          DistilBertTokenizerFast,
                          ModernBertConfig,
                          ModernBertForSequenceClassification, ModernBertModel)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bert_vocab import bert_base_uncased_vocab  # noqa: E402
from corpus import fixture_corpus, fixture_pairs  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions  # noqa: E402
import mpnet_roberta_fixtures  # noqa: E402
from mpnet_roberta_fixtures import export_two_inputs, roberta_tokenizer  # noqa: E402

MAX_LENGTH = 128
DISTILBERT_SHAPE = dict(dim=32, n_layers=2, n_heads=4, hidden_dim=64)
MODERNBERT_SHAPE = dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=48)
MODERNBERT_ATTENTION = dict(global_attn_every_n_layers=2, local_attention=16)
# MiniLM-L6's size, for the bench.
BENCH_DISTILBERT = dict(dim=384, n_layers=6, n_heads=12, hidden_dim=1536)
BENCH_MODERNBERT = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
# RoBERTa's byte-level BPE ids, which the ModernBERT fixtures use: <s> 0, <pad> 1, </s> 2.
BOS, PAD, EOS = 0, 1, 2


def widen(model: torch.nn.Module) -> None:
    """The default inits (std 0.02) make every token nearly the same vector; a wider spread gives
    embeddings that differ between texts, so parity tests see mistakes. Norm weights around 1
    (DistilBERT's are sa_layer_norm / output_layer_norm, ModernBERT's *norm), biases small."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() > 1:
                parameter.normal_(0.0, 0.2 if "embeddings" in name else 0.08)
            elif "norm" in name.lower() and name.endswith("weight"):
                parameter.uniform_(0.5, 1.5)
            else:
                parameter.normal_(0.0, 0.05)


def write(name: str, value) -> None:
    (FIXTURES / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", encoding="utf-8")


def distilbert_config(shape: dict, **extra) -> DistilBertConfig:
    config = DistilBertConfig(vocab_size=30522, max_position_embeddings=512, activation="gelu", pad_token_id=0, **shape, **extra)
    config._attn_implementation = "eager"
    return config


def modernbert_config(shape: dict, vocab_size: int, **extra) -> ModernBertConfig:
    settings = {**MODERNBERT_ATTENTION, **shape, **extra}
    config = ModernBertConfig(vocab_size=vocab_size, max_position_embeddings=8192, pad_token_id=PAD, bos_token_id=BOS,
                              eos_token_id=EOS, cls_token_id=BOS, sep_token_id=EOS, **settings)
    config._attn_implementation = "eager"
    return config


def save_bi_encoder(model: torch.nn.Module, tokenizer, out: Path, dimension: int) -> None:
    """Transformer → Pooling(mean) → Normalize as sentence-transformers 6.0.1 saves it."""
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        transformer = Transformer(str(work), max_seq_length=MAX_LENGTH)
        st = SentenceTransformer(modules=[transformer, Pooling(dimension, pooling_mode="mean"), Normalize()], device="cpu")
        if out.exists():
            shutil.rmtree(out)
        st.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)  # describes a trained model; ours is random


def bi_encoder_reference(name: str) -> None:
    texts = fixture_corpus()
    loaded = SentenceTransformer(str(FIXTURES / name), device="cpu")
    if loaded.max_seq_length != MAX_LENGTH:
        raise SystemExit(f"{name}: loads with max_seq_length {loaded.max_seq_length}, want {MAX_LENGTH}")
    if "token_type_ids" in loaded.preprocess(texts[:2]):
        raise SystemExit(f"{name}: sentence-transformers feeds token_type_ids")
    write(f"{name}.reference.json", {
        "generator": versions(),
        "max_seq_length": MAX_LENGTH,
        "texts": texts,
        "input_ids": [loaded.tokenizer(text, truncation=True, max_length=MAX_LENGTH)["input_ids"] for text in texts],
        "embeddings": float_rows(loaded.encode(texts, batch_size=8)),
    })


def save_cross_encoder(model: torch.nn.Module, tokenizer, name: str, pairs: list[tuple[str, str]]) -> None:
    """Centres and spreads the logits on the fixture pairs (std 0.5) so scores and rank orders are
    decided by clear margins, saves with CrossEncoder and writes the fp32 references."""
    out = FIXTURES / name
    encoded = tokenizer([p[0] for p in pairs], [p[1] for p in pairs], padding=True, truncation=True,
                        max_length=MAX_LENGTH, return_tensors="pt")
    encoded.pop("token_type_ids", None)
    with torch.no_grad():
        logits = model(**encoded).logits
        scale = 0.5 / logits.std(dim=0).clamp(min=1e-6)
        model.classifier.weight.mul_(scale[:, None])
        model.classifier.bias.copy_((model.classifier.bias - logits.mean(dim=0)) * scale)
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        ce = CrossEncoder(str(work), max_length=MAX_LENGTH, device="cpu")
        if out.exists():
            shutil.rmtree(out)
        ce.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)
    loaded = CrossEncoder(str(out), device="cpu")
    labels = model.config.num_labels
    write(f"{name}.reference.json", {
        "generator": versions(),
        "max_length": MAX_LENGTH,
        "num_labels": labels,
        "pairs": [list(p) for p in pairs],
        "input_ids": [loaded.tokenizer([a], [b], truncation=True, max_length=MAX_LENGTH)["input_ids"][0] for a, b in pairs],
        "logits": float_rows(np.asarray(loaded.predict(pairs, activation_fn=torch.nn.Identity(), batch_size=8)).reshape(len(pairs), -1)),
    })


def fresh_bert_tokenizer() -> DistilBertTokenizerFast:
    """distilbert-base-uncased's tokenizer (BERT's uncased vocabulary; no token_type_ids among its
    model inputs). A new instance each time: calling a tokenizer with truncation and padding would
    leave those settings in the tokenizer.json it saves."""
    vocab = {token: index for index, token in enumerate(bert_base_uncased_vocab())}
    return DistilBertTokenizerFast(vocab=vocab, do_lower_case=True, model_max_length=512)


def make_distilbert() -> None:
    torch.manual_seed(2201)
    model = DistilBertModel(distilbert_config(DISTILBERT_SHAPE)).eval()
    widen(model)
    save_bi_encoder(model, fresh_bert_tokenizer(), FIXTURES / "tiny-distilbert", DISTILBERT_SHAPE["dim"])
    bi_encoder_reference("tiny-distilbert")

    torch.manual_seed(2202)
    ce = DistilBertForSequenceClassification(distilbert_config(DISTILBERT_SHAPE, num_labels=1)).eval()
    widen(ce)
    save_cross_encoder(ce, fresh_bert_tokenizer(), "tiny-ce-distilbert", fixture_pairs(fixture_corpus()))


def save_splade(model: torch.nn.Module, tokenizer, name: str) -> None:
    """MLMTransformer → SpladePooling("max") as sentence-transformers 6.0.1 saves it, and Python's
    sparse rows (indices and values of the nonzero entries) on the fixture corpus."""
    out = FIXTURES / name
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        splade = SparseEncoder(modules=[MLMTransformer(str(work), max_seq_length=MAX_LENGTH), SpladePooling("max")], device="cpu")
        if out.exists():
            shutil.rmtree(out)
        splade.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)
    texts = fixture_corpus()
    loaded = SparseEncoder(str(out), device="cpu")
    dense = loaded.encode(texts, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False).numpy()
    rows = []
    for row in dense:
        indices = np.nonzero(row)[0]
        rows.append({"indices": indices.tolist(), "values": [float(v) for v in row[indices].astype(np.float32)]})
    write(f"{name}.reference.json", {"generator": versions(), "max_seq_length": MAX_LENGTH, "texts": texts, "embeddings": rows})


def sparse_bias(bias: torch.Tensor) -> None:
    """Pushes the vocabulary bias down so only a few entries survive relu, as in trained SPLADE heads."""
    with torch.no_grad():
        bias.copy_(torch.full_like(bias, -5.0) + torch.randn(bias.shape, generator=torch.Generator().manual_seed(7)) * 1.5)


def make_distilbert_splade() -> None:
    """A SPLADE model on DistilBertForMaskedLM, as naver/splade-cocondenser-ensembledistil is."""
    torch.manual_seed(2206)
    model = DistilBertForMaskedLM(distilbert_config(DISTILBERT_SHAPE)).eval()
    widen(model)
    sparse_bias(model.vocab_projector.bias)
    save_splade(model, fresh_bert_tokenizer(), "tiny-splade-distilbert")


def make_modernbert_splade() -> None:
    """A SPLADE model on ModernBertForMaskedLM (as opensearch's and naver's ModernBERT SPLADE
    models are): the decoder shares tok_embeddings' weight, so the file holds no decoder.weight."""
    torch.manual_seed(2207)
    model = ModernBertForMaskedLM(modernbert_config(MODERNBERT_SHAPE, len(roberta_tokenizer()))).eval()
    widen(model)
    model.tie_weights()
    sparse_bias(model.decoder.bias)
    save_splade(model, roberta_tokenizer(), "tiny-splade-modernbert")


def make_modernbert() -> None:
    vocab = len(roberta_tokenizer())
    torch.manual_seed(2203)
    model = ModernBertModel(modernbert_config(MODERNBERT_SHAPE, vocab)).eval()
    widen(model)
    if model.config.layer_types != ["full_attention", "sliding_attention", "full_attention"]:
        raise SystemExit(f"ModernBERT layer kinds {model.config.layer_types}")
    save_bi_encoder(model, roberta_tokenizer(), FIXTURES / "tiny-modernbert", MODERNBERT_SHAPE["hidden_size"])
    bi_encoder_reference("tiny-modernbert")
    longest = max(len(ids) for ids in json.loads((FIXTURES / "tiny-modernbert.reference.json").read_text())["input_ids"])
    if longest <= MODERNBERT_ATTENTION["local_attention"]:
        raise SystemExit("no fixture text is longer than ModernBERT's local window")

    pairs = fixture_pairs(fixture_corpus())
    for seed, pooling, labels in ((2204, "cls", 1), (2205, "mean", 3)):
        torch.manual_seed(seed)
        ce = ModernBertForSequenceClassification(modernbert_config(MODERNBERT_SHAPE, vocab, num_labels=labels,
                                                                   classifier_pooling=pooling)).eval()
        widen(ce)
        save_cross_encoder(ce, roberta_tokenizer(), f"tiny-ce-modernbert-{pooling}", pairs)


def make_bench(out: Path) -> None:
    """MiniLM-L6-sized DistilBERT and ModernBERT (BERT's vocabulary) bi-encoders with
    model.safetensors and onnx/model.onnx (the same weights), for bench/encode/engine-architectures.ts."""
    out.mkdir(parents=True, exist_ok=True)
    mpnet_roberta_fixtures.FIXTURES = out  # export_two_inputs prints paths relative to it
    torch.manual_seed(2210)
    distil = DistilBertModel(distilbert_config(BENCH_DISTILBERT)).eval()
    widen(distil)
    save_bi_encoder(distil, fresh_bert_tokenizer(), out / "distilbert", BENCH_DISTILBERT["dim"])
    export_two_inputs(distil, "last_hidden_state", out / "distilbert" / "onnx" / "model.onnx")
    torch.manual_seed(2211)
    modern = ModernBertModel(modernbert_config(BENCH_MODERNBERT, 30522, global_attn_every_n_layers=3, local_attention=128)).eval()
    widen(modern)
    save_bi_encoder(modern, fresh_bert_tokenizer(), out / "modernbert", BENCH_MODERNBERT["hidden_size"])
    export_two_inputs(modern, "last_hidden_state", out / "modernbert" / "onnx" / "model.onnx")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "bench":
        make_bench(Path(sys.argv[2]).resolve())
        return
    make_distilbert()
    make_distilbert_splade()
    make_modernbert()
    make_modernbert_splade()


if __name__ == "__main__":
    main()
