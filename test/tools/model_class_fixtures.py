"""Fixtures for the CrossEncoder, SparseEncoder and a bi-encoder with a Dense module, with
reference outputs from Python sentence-transformers on the same random weights.

    python test/tools/model_class_fixtures.py      # also run by `npm run fixtures`
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from sentence_transformers import CrossEncoder, SentenceTransformer, SparseEncoder
from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer
from sentence_transformers.sparse_encoder.modules import MLMTransformer, SpladePooling
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import fixture_corpus, fixture_pairs  # noqa: E402
from make_fixtures import FIXTURES, bert_tokenizer, float_rows, random_bert, versions, widen_init  # noqa: E402
from onnx_export import INPUT_NAMES, padded_check_batch  # noqa: E402

MAX_LENGTH = 128
SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)


class Logits(torch.nn.Module):
    """A classification or masked-LM head with the three positional inputs of an export."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


def export_logits(model: torch.nn.Module, out_file: Path, rank: int) -> None:
    """torch.onnx.export (opset 17, dynamo=False) with output `logits`; checked against torch."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    feeds = padded_check_batch()
    with torch.no_grad():
        expected = Logits(model)(*(torch.from_numpy(feeds[name]) for name in INPUT_NAMES)).numpy()
    example = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.int64)
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        Logits(model),
        (example, (example != 0).to(torch.int64), torch.zeros_like(example)),
        str(out_file),
        input_names=INPUT_NAMES,
        output_names=["logits"],
        dynamic_axes={**{name: dynamic for name in INPUT_NAMES}, "logits": dynamic if rank == 3 else {0: "batch_size"}},
        opset_version=17,
        # Folding would store the tied word embeddings a second time (as the MLM decoder).
        do_constant_folding=False,
        dynamo=False,
    )
    got = onnxruntime.InferenceSession(str(out_file), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    if rank == 3:  # only real tokens matter for pooling
        real = feeds["attention_mask"].astype(bool)
        got, expected = got[real], expected[real]
    diff = float(np.abs(got - expected).max())
    if diff > 1e-4:
        raise SystemExit(f"{out_file}: ONNX differs from torch by {diff}")
    print(f"  {out_file}: ONNX vs torch max |diff| {diff:.2e}")


def config(**extra) -> BertConfig:
    cfg = BertConfig(vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, **SHAPE, **extra)
    cfg._attn_implementation = "eager"
    return cfg


def randomise(model: torch.nn.Module, seed: int) -> None:
    """The same wide initialisation as make_fixtures.random_bert, so outputs differ per input."""
    torch.manual_seed(seed)
    widen_init(model)


def drop_torch_weights(folder: Path) -> None:
    """The top-level weights only feed Python while references are made; the ONNX file holds
    the same weights for us, so they are not committed (module weights such as 2_Dense stay)."""
    (folder / "model.safetensors").unlink(missing_ok=True)


def write(name: str, value) -> None:
    (FIXTURES / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", encoding="utf-8")


def make_cross_encoder(name: str, num_labels: int, seed: int) -> None:
    out = FIXTURES / name
    work = Path(tempfile.mkdtemp())
    extra = {"num_labels": num_labels}
    if num_labels == 3:
        extra.update(id2label={0: "contradiction", 1: "entailment", 2: "neutral"}, label2id={"contradiction": 0, "entailment": 1, "neutral": 2})
    model = BertForSequenceClassification(config(**extra)).eval()
    randomise(model, seed)
    # Centre the logits and spread them (std 0.5) on the fixture pairs, so sigmoid scores and
    # rank orders are decided by clear margins, not 1e-5 gaps; a larger spread would magnify
    # float32 noise past the 1e-5 parity bar.
    pairs = fixture_pairs(fixture_corpus())
    encoded = bert_tokenizer()([p[0] for p in pairs], [p[1] for p in pairs], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
        scale = 0.5 / logits.std(dim=0).clamp(min=1e-6)
        model.classifier.weight.mul_(scale[:, None])
        model.classifier.bias.copy_((model.classifier.bias - logits.mean(dim=0)) * scale)
    model.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)
    ce = CrossEncoder(str(work), max_length=MAX_LENGTH, device="cpu")
    if out.exists():
        shutil.rmtree(out)
    ce.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    export_logits(model, out / "onnx" / "model.onnx", rank=2)

    pairs = fixture_pairs(fixture_corpus())
    loaded = CrossEncoder(str(out), device="cpu")
    reference = {
        "generator": versions(),
        "max_length": MAX_LENGTH,
        "num_labels": num_labels,
        "pairs": [list(p) for p in pairs],
        "logits": float_rows(np.asarray(loaded.predict(pairs, activation_fn=torch.nn.Identity(), batch_size=8)).reshape(len(pairs), -1)),
        "scores": float_rows(np.asarray(loaded.predict(pairs, batch_size=8)).reshape(len(pairs), -1)),
    }
    if num_labels > 1:
        reference["softmax"] = float_rows(np.asarray(loaded.predict(pairs, apply_softmax=True, batch_size=8)).reshape(len(pairs), -1))
    else:
        docs = fixture_corpus()[:10]
        reference["rank"] = [
            {"query": query, "documents": docs, "results": [{"corpus_id": int(r["corpus_id"]), "score": float(r["score"])} for r in loaded.rank(query, docs)]}
            for query in ("a cat outside", "How do I install a package?")
        ]
    write(f"{name}.reference.json", reference)
    if FIXTURES.name == "fixtures":
        drop_torch_weights(out)
    shutil.rmtree(work)


def make_splade() -> None:
    make_splade_at(FIXTURES / "tiny-splade", write_reference=True)


def make_splade_at(out: Path, write_reference: bool) -> None:
    work = Path(tempfile.mkdtemp())
    model = BertForMaskedLM(config()).eval()
    randomise(model, 77)
    # Real SPLADE heads leave most logits negative: only a few vocabulary entries survive relu.
    with torch.no_grad():
        bias = model.cls.predictions.decoder.bias
        bias.copy_(torch.full_like(bias, -5.0) + torch.randn(bias.shape, generator=torch.Generator().manual_seed(5)) * 1.5)
    model.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)
    splade = SparseEncoder(modules=[MLMTransformer(str(work), max_seq_length=MAX_LENGTH), SpladePooling("max")], device="cpu")
    if out.exists():
        shutil.rmtree(out)
    splade.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    export_logits(model, out / "onnx" / "model.onnx", rank=3)
    if not write_reference:
        shutil.rmtree(work)
        return

    texts = fixture_corpus()
    loaded = SparseEncoder(str(out), device="cpu")

    def sparse_rows(embeddings) -> list[dict]:
        dense = embeddings.to_dense().numpy() if embeddings.is_sparse else embeddings.numpy()
        rows = []
        for row in dense:
            indices = np.nonzero(row)[0]
            rows.append({"indices": indices.tolist(), "values": [float(v) for v in row[indices].astype(np.float32)]})
        return rows

    full = loaded.encode(texts, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False)
    limited = loaded.encode(texts, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False, max_active_dims=8)
    decoded = loaded.decode(full[:4], top_k=5)
    similarity = loaded.similarity(full[:6], full[:6])
    stats = loaded.sparsity(full)
    write("tiny-splade.reference.json", {
        "generator": versions(),
        "max_seq_length": MAX_LENGTH,
        "texts": texts,
        "embeddings": sparse_rows(full),
        "max_active_dims_8": sparse_rows(limited),
        "decode_top5": [[[token, float(weight)] for token, weight in row] for row in decoded],
        "similarity_first6": float_rows(similarity.to_dense().numpy() if similarity.is_sparse else similarity.numpy()),
        "sparsity": {"active_dims": float(stats["active_dims"]), "sparsity_ratio": float(stats["sparsity_ratio"])},
    })
    print(f"  tiny-splade: mean active dims {stats['active_dims']:.1f} of 30522")
    drop_torch_weights(out)
    shutil.rmtree(work)


def make_dense() -> None:
    out = FIXTURES / "tiny-bert-dense"
    work = Path(tempfile.mkdtemp())
    model = random_bert(seed=4321, **SHAPE)
    model.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=MAX_LENGTH)
    torch.manual_seed(99)
    dense = Dense(32, 16, activation_function=torch.nn.Tanh())
    st = SentenceTransformer(modules=[transformer, Pooling(32, pooling_mode="mean"), dense, Normalize()], device="cpu")
    st.prompts = {"query": "query: ", "document": "passage: "}
    if out.exists():
        shutil.rmtree(out)
    st.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    from onnx_export import export_onnx  # the bi-encoder export (last_hidden_state)

    export_onnx(model, out / "onnx" / "model.onnx")
    texts = fixture_corpus()
    loaded = SentenceTransformer(str(out), device="cpu")
    write("tiny-bert-dense.reference.json", {
        "generator": versions(),
        "texts": texts,
        "embeddings": float_rows(loaded.encode(texts, batch_size=8)),
        "query_prompt": float_rows(loaded.encode(texts[:10], prompt_name="query", batch_size=8)),
        "truncate_dim_8_normalized": float_rows(loaded.encode(texts[:10], truncate_dim=8, normalize_embeddings=True, batch_size=8)),
        "truncate_dim_8": float_rows(loaded.encode(texts[:10], truncate_dim=8, batch_size=8)),
    })
    drop_torch_weights(out)
    shutil.rmtree(work)


def make_bench_models(out: Path) -> None:
    """Full-size shapes for bench/model-classes (not committed): an ms-marco-MiniLM-L6-v2-shaped
    reranker and a bert-base SPLADE (splade-cocondenser shape), each with its fp32 ONNX export,
    an int8 one, and its torch weights (for sentencekit's int8 engine)."""
    global FIXTURES, SHAPE
    saved = (FIXTURES, SHAPE)
    try:
        FIXTURES = out
        SHAPE = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
        make_cross_encoder("ce-minilm-l6", 1, seed=21)
        SHAPE = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
        make_splade_at(out / "splade-bert-base", write_reference=False)
        # The int8 exports Optimum's avx512_vnni settings make, for the int8 rows of the bench.
        from onnx_export import quantize_avx512_vnni
        for name in ("ce-minilm-l6", "splade-bert-base"):
            onnx_dir = out / name / "onnx"
            quantize_avx512_vnni(onnx_dir / "model.onnx", onnx_dir / "model_qint8_avx512_vnni.onnx")
    finally:
        FIXTURES, SHAPE = saved


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "bench":
        out = Path(__file__).resolve().parents[2] / "bench" / "models"
        out.mkdir(parents=True, exist_ok=True)
        make_bench_models(out)
        return
    make_cross_encoder("tiny-ce-1label", 1, seed=11)
    make_cross_encoder("tiny-ce-3label", 3, seed=12)
    make_splade()
    make_dense()


if __name__ == "__main__":
    main()
