"""Generates the project's model fixtures with Python transformers / sentence-transformers.

No pretrained weights can be downloaded, so every model here is random-initialised (fixed
seeds) in a real architecture, saved in the exact sentence-transformers folder layout and
exported to ONNX. Reference outputs come from Python sentence-transformers on the same weights.

    python test/tools/make_fixtures.py tiny              # committed fixtures under test/fixtures
    python test/tools/make_fixtures.py minilm [--out D]  # all-MiniLM-L6-v2 shape for benchmarks
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import sentence_transformers
import tokenizers
import torch
import transformers
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from transformers import BertConfig, BertModel, BertTokenizerFast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bert_vocab import bert_base_uncased_vocab  # noqa: E402
from corpus import fixture_corpus, fixture_pairs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "test" / "fixtures"

# sentence-transformers < 5.4 wrote 1_Pooling/config.json with one boolean per mode; 5.4+
# writes {"embedding_dimension", "pooling_mode", "include_prompt"}. Both must load the same.
LEGACY_POOLING_KEYS = {
    "cls": "pooling_mode_cls_token",
    "mean": "pooling_mode_mean_tokens",
    "max": "pooling_mode_max_tokens",
    "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
    "weightedmean": "pooling_mode_weightedmean_tokens",
    "lasttoken": "pooling_mode_lasttoken",
}


def versions() -> dict[str, str]:
    return {
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def bert_tokenizer(model_max_length: int) -> BertTokenizerFast:
    """bert-base-uncased's tokenizer, rebuilt from its real vocabulary."""
    vocab = {token: index for index, token in enumerate(bert_base_uncased_vocab())}
    return BertTokenizerFast(vocab=vocab, do_lower_case=True, model_max_length=model_max_length)


def random_bert(seed: int, **shape) -> BertModel:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, **shape)
    # Eager attention traces into a graph that honours the runtime mask and sequence length;
    # the SDPA path bakes shapes from the example input into the TorchScript export.
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=False)
    # BERT's default init (std 0.02) makes every token nearly the same vector; a wider spread
    # gives embeddings that actually differ between texts, so parity tests can see mistakes.
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() > 1:
                parameter.normal_(0.0, 0.2 if "embeddings" in name else 0.08)
            elif "LayerNorm.weight" in name:
                parameter.uniform_(0.5, 1.5)
            else:
                parameter.normal_(0.0, 0.05)
    return model.eval()


def save_sentence_transformer(model: BertModel, tokenizer: BertTokenizerFast, out: Path, max_seq_length: int) -> SentenceTransformer:
    """Saves Transformer → Pooling(mean) → Normalize exactly as all-MiniLM-L6-v2 is laid out."""
    work = Path(tempfile.mkdtemp())
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=max_seq_length, do_lower_case=False)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    st = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu")
    st.prompts = {"query": "", "document": ""}
    st.similarity_fn_name = "cosine"
    if out.exists():
        shutil.rmtree(out)
    st.save(str(out))
    # The generated model card describes a trained model; ours is random weights.
    (out / "README.md").unlink(missing_ok=True)
    shutil.rmtree(work)
    return st


class LastHiddenState(torch.nn.Module):
    """The encoder with the three inputs an exported Hugging Face model takes, positionally."""

    def __init__(self, model: BertModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state


def export_onnx(model: BertModel, out_file: Path) -> None:
    """torch.onnx.export (TorchScript exporter, opset 17) with dynamic batch and sequence."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    # The torch reference is taken before exporting: tracing leaves the module changed.
    check_ids, check_mask, check_types = check_inputs()
    with torch.no_grad():
        expected = model(input_ids=check_ids, attention_mask=check_mask, token_type_ids=check_types).last_hidden_state.numpy()
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    types = torch.zeros_like(ids)
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        LastHiddenState(model),
        (ids, mask, types),
        str(out_file),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_type_ids": dynamic, "last_hidden_state": dynamic},
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,
    )
    check_onnx_matches(out_file, expected)


def check_inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids = torch.randint(1000, 30000, (3, 19), generator=torch.Generator().manual_seed(3))
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0
    mask[2, 4:] = 0
    return ids, mask, torch.zeros_like(ids)


def check_onnx_matches(onnx_file: Path, expected: np.ndarray) -> None:
    ids, mask, types = check_inputs()
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()})[0]
    # Padding positions are never pooled and transformers fills them differently per
    # attention implementation: compare real tokens only.
    real = mask.numpy().astype(bool)
    diff = float(np.abs(got[real] - expected[real]).max())
    if diff > 1e-4:
        raise SystemExit(f"{onnx_file}: ONNX differs from torch by {diff}")
    print(f"  {onnx_file.relative_to(ROOT)}: ONNX vs torch max |diff| {diff:.2e}")


def pooling_configs(dimension: int) -> dict[str, dict[str, dict]]:
    configs = {}
    for mode in ("mean", "cls", "max"):
        old = {"word_embedding_dimension": dimension}
        old.update({key: key == LEGACY_POOLING_KEYS[mode] for key in LEGACY_POOLING_KEYS.values()})
        old["include_prompt"] = True
        new = Pooling(dimension, pooling_mode=mode).get_config_dict()
        configs[mode] = {"old": old, "new": new}
    return configs


def float_rows(array: np.ndarray) -> list[list[float]]:
    # float32 → shortest repr that round-trips through float32
    return [[float(np.format_float_positional(v, unique=True)) for v in row.astype(np.float32)] for row in array]


def make_tiny() -> None:
    out = FIXTURES / "tiny-bert"
    work = Path(tempfile.mkdtemp())
    max_seq_length = 128
    model = random_bert(seed=1234, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
    tokenizer = bert_tokenizer(model_max_length=512)
    st = save_sentence_transformer(model, tokenizer, out, max_seq_length)
    export_onnx(model, out / "onnx" / "model.onnx")

    texts = fixture_corpus()
    pairs = fixture_pairs(texts)
    (FIXTURES / "corpus.json").write_text(json.dumps(texts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    configs = pooling_configs(32)
    (FIXTURES / "pooling-configs.json").write_text(json.dumps(configs, indent=2) + "\n", encoding="utf-8")

    transformer = st[0]
    tokens = []
    for text in texts:
        encoded = transformer.tokenizer(text, truncation=True, max_length=max_seq_length)
        tokens.append({key: list(encoded[key]) for key in ("input_ids", "attention_mask", "token_type_ids")})
    pair_tokens = []
    for first, second in pairs:
        encoded = transformer.tokenizer(first, second, truncation="longest_first", max_length=max_seq_length)
        pair_tokens.append({"first": first, "second": second, **{key: list(encoded[key]) for key in ("input_ids", "attention_mask", "token_type_ids")}})

    embeddings = {}
    for mode in ("mean", "cls", "max"):
        # Both schemas through sentence-transformers' own loader must agree.
        results = []
        for schema in ("old", "new"):
            variant = Path(tempfile.mkdtemp()) / "model"
            shutil.copytree(out, variant)
            (variant / "1_Pooling" / "config.json").write_text(json.dumps(configs[mode][schema]), encoding="utf-8")
            modules = json.loads((variant / "modules.json").read_text())
            (variant / "modules.json").write_text(json.dumps([m for m in modules if not m["type"].endswith("Normalize")]))
            loaded = SentenceTransformer(str(variant), device="cpu")
            results.append({
                "raw": loaded.encode(texts, batch_size=16, normalize_embeddings=False, convert_to_numpy=True),
                "normalized": loaded.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True),
            })
            shutil.rmtree(variant.parent)
        for key in ("raw", "normalized"):
            if not np.array_equal(results[0][key], results[1][key]):
                raise SystemExit(f"{mode}: old and new pooling schema disagree in sentence-transformers itself")
        embeddings[mode] = {key: float_rows(results[1][key]) for key in ("raw", "normalized")}

    reference = {
        "generator": versions(),
        "model": "tiny-bert",
        "max_seq_length": max_seq_length,
        "texts": texts,
        "tokens": tokens,
        "pairs": pair_tokens,
        "embeddings": embeddings,
    }
    (FIXTURES / "tiny-bert.reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(work)
    print(f"wrote {out.relative_to(ROOT)}, corpus.json ({len(texts)} texts), tiny-bert.reference.json, pooling-configs.json")


def quantize_avx512_vnni(fp32: Path, out: Path) -> None:
    """int8 dynamic quantization with the settings of Hugging Face Optimum's avx512_vnni
    preset (what onnx/model_qint8_avx512_vnni.onnx on the Hub is made with): symmetric int8
    weights per channel, uint8 activations quantized at run time, no reduced range."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        model_input=str(fp32),
        model_output=str(out),
        per_channel=True,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Attention", "Gather", "Gemm"],
        extra_options={"MatMulConstBOnly": True},
    )


def make_minilm(out: Path) -> None:
    """The exact all-MiniLM-L6-v2 shape, random weights: for benchmarks, not committed."""
    work = Path(tempfile.mkdtemp())
    model = random_bert(seed=6, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
    tokenizer = bert_tokenizer(model_max_length=512)
    st = save_sentence_transformer(model, tokenizer, out, max_seq_length=256)
    fp32 = out / "onnx" / "model.onnx"
    export_onnx(model, fp32)
    int8 = out / "onnx" / "model_qint8_avx512_vnni.onnx"
    quantize_avx512_vnni(fp32, int8)

    # How far int8 moves the embeddings, on the fixture corpus.
    texts = fixture_corpus()
    encoded = st[0].tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="np")
    feeds = {key: encoded[key].astype(np.int64) for key in ("input_ids", "attention_mask", "token_type_ids")}
    pooled = []
    for file in (fp32, int8):
        hidden = onnxruntime.InferenceSession(str(file), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        mean = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        pooled.append(mean / np.linalg.norm(mean, axis=1, keepdims=True))
    cosine = (pooled[0] * pooled[1]).sum(1)
    print(f"  int8 vs fp32 cosine on {len(texts)} fixture texts: min {cosine.min():.4f}, mean {cosine.mean():.4f}")
    shutil.rmtree(work)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tiny", help="the committed fixtures under test/fixtures")
    minilm = sub.add_parser("minilm", help="all-MiniLM-L6-v2 shape, fp32 + int8 ONNX, for benchmarks")
    minilm.add_argument("--out", type=Path, default=ROOT / "bench" / "models" / "minilm-l6")
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    if args.command == "tiny":
        make_tiny()
    else:
        make_minilm(args.out)


if __name__ == "__main__":
    main()
