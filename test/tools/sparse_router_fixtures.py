"""An inference-free SPLADE fixture: a SparseEncoder whose only module is a Router with a
"query" route (SparseStaticEmbedding: one idf weight per vocabulary entry, no transformer) and
a "document" route (MLMTransformer + SpladePooling with log1p_relu), as the inference-free
opensearch-neural-sparse-encoding-doc models are laid out. References come from Python
sentence-transformers on the saved folder, plus the route Router picks for each task under
several router configs.

    python test/tools/sparse_router_fixtures.py      # also run by `npm run fixtures`
"""
from __future__ import annotations

import ast
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SparseEncoder
from sentence_transformers.base.modules import Router
from sentence_transformers.sparse_encoder.modules import MLMTransformer, SparseStaticEmbedding, SpladePooling
from transformers import BertConfig, BertForMaskedLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import LONG_ENGLISH, fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, bert_tokenizer, float_rows, versions, widen_init  # noqa: E402
from model_class_fixtures import drop_torch_weights, export_logits  # noqa: E402

NAME = "tiny-sparse-router"
MAX_SEQ_LENGTH = 128
# Smaller than the other fixtures: the 30522-entry embedding table is most of the file.
SHAPE = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)


def sparse_rows(embeddings: torch.Tensor) -> list[dict]:
    dense = embeddings.to_dense().numpy() if embeddings.is_sparse else embeddings.numpy()
    rows = []
    for row in dense:
        indices = np.nonzero(row)[0]
        rows.append({"indices": indices.tolist(), "values": [float(v) for v in row[indices].astype(np.float32)]})
    return rows


def idf_weights(vocab_size: int) -> torch.Tensor:
    """Positive idf-like weights with a tenth of the vocabulary at exactly 0 (those tokens must
    drop out of the sparse rows), and non-zero weights on the special tokens (so adding [CLS] /
    [SEP] by mistake would show)."""
    generator = torch.Generator().manual_seed(2024)
    weight = torch.rand(vocab_size, generator=generator) * 6.0 + 0.05
    weight[torch.rand(vocab_size, generator=generator) < 0.1] = 0.0
    for special in (100, 101, 102, 103):  # [UNK] [CLS] [SEP] [MASK]
        weight[special] = 1.5 + special / 100
    return weight


def queries() -> list[str]:
    texts = fixture_corpus()
    return texts + [
        # repeated tokens count once
        "weather weather weather in ny ny now?",
        # special tokens written in the text are tokens like any other
        "[CLS] what is [MASK] here [SEP]",
        # longer than the tokenizer's 512-token limit: truncated without special tokens
        LONG_ENGLISH * 30,
    ]


# Router parameters as router_config.json holds them, with the routes they are built over.
ROUTER_CASES = [
    (["query", "document"], {"default_route": "document", "allow_empty_key": True, "route_mappings": {}}),
    (["query", "document"], {"default_route": None, "allow_empty_key": True, "route_mappings": {}}),
    (["query", "document"], {"default_route": None, "allow_empty_key": False, "route_mappings": {}}),
    (["query", "document"], {"default_route": "query", "allow_empty_key": True,
                             "route_mappings": {"('query', 'text')": "document", "(None, 'text')": "query"}}),
    (["query", "document"], {"default_route": None, "allow_empty_key": True,
                             "route_mappings": {"('document', None)": "query", "(None, None)": "document"}}),
    (["query", "text", "image"], {"default_route": None, "allow_empty_key": False,
                                  "route_mappings": {"(None, ('image', 'text'))": "image", "(None, 'image')": "image"}}),
]
TASKS = [None, "query", "document", "text", "passage"]


def route_resolution() -> list[dict]:
    """The route Router._resolve_route picks for text inputs, per config and task (None: an error)."""
    cases = []
    for routes, parameters in ROUTER_CASES:
        mappings = {ast.literal_eval(key): value for key, value in parameters["route_mappings"].items()}
        router = Router({name: [torch.nn.Identity()] for name in routes}, default_route=parameters["default_route"],
                        allow_empty_key=parameters["allow_empty_key"], route_mappings=mappings).eval()
        resolved = []
        for task in TASKS:
            try:
                route = router._resolve_route(task=task, modality="text")
            except ValueError:
                route = None
            resolved.append({"task": task, "route": route})
        cases.append({"routes": routes, "parameters": parameters, "resolved": resolved})
    return cases


def main() -> None:
    out = FIXTURES / NAME
    work = Path(tempfile.mkdtemp())
    config = BertConfig(vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, **SHAPE)
    config._attn_implementation = "eager"
    mlm = BertForMaskedLM(config).eval()
    torch.manual_seed(91)
    widen_init(mlm)
    # Most logits negative, as in a trained SPLADE head, so document rows stay sparse.
    with torch.no_grad():
        bias = mlm.cls.predictions.decoder.bias
        bias.copy_(torch.full_like(bias, -6.0) + torch.randn(bias.shape, generator=torch.Generator().manual_seed(6)) * 1.5)
    mlm.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)

    document_encoder = MLMTransformer(str(work), max_seq_length=MAX_SEQ_LENGTH)
    static = SparseStaticEmbedding(tokenizer=document_encoder.tokenizer, weight=idf_weights(30522), frozen=True)
    router = Router.for_query_document(
        query_modules=[static],
        document_modules=[document_encoder, SpladePooling(pooling_strategy="max", activation_function="log1p_relu")],
    )
    model = SparseEncoder(modules=[router], similarity_fn_name="dot", device="cpu")
    if out.exists():
        shutil.rmtree(out)
    model.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    document_dir = out / "document_0_MLMTransformer"
    export_logits(mlm, document_dir / "onnx" / "model.onnx", rank=3)

    loaded = SparseEncoder(str(out), device="cpu")
    query_texts = queries()
    documents = fixture_corpus()[:12]
    query_embeddings = loaded.encode_query(query_texts, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False)
    document_embeddings = loaded.encode_document(documents, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False)
    default_embeddings = loaded.encode(documents[:4], batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False)
    limited = loaded.encode_query(query_texts, batch_size=8, convert_to_tensor=True, convert_to_sparse_tensor=False, max_active_dims=3)
    similarity = loaded.similarity(query_embeddings[:6], document_embeddings)
    reference = {
        "generator": versions(),
        "router": {"default_route": loaded[0].default_route, "routes": list(loaded[0].sub_modules.keys())},
        "queries": query_texts,
        "documents": documents,
        "encode_query": sparse_rows(query_embeddings),
        "encode_query_max_active_dims_3": sparse_rows(limited),
        "encode_document": sparse_rows(document_embeddings),
        "encode_default_first4": sparse_rows(default_embeddings),
        "decode_query_top5": [[[token, float(weight)] for token, weight in row] for row in loaded.decode(query_embeddings[:6], top_k=5)],
        "decode_document_top5": [[[token, float(weight)] for token, weight in row] for row in loaded.decode(document_embeddings[:4], top_k=5)],
        "similarity_query6_documents": float_rows(similarity.to_dense().numpy() if similarity.is_sparse else similarity.numpy()),
        "route_resolution": route_resolution(),
    }
    (FIXTURES / f"{NAME}.reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n", encoding="utf-8")
    active = np.mean([len(row["indices"]) for row in reference["encode_document"]])
    print(f"  {NAME}: documents have {active:.1f} active dims on average")
    # The MLM's torch weights only fed Python; the ONNX export holds them for us. The idf
    # weights (query route) are what sentencekit reads, so they stay.
    drop_torch_weights(document_dir)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
