"""Generates the project's model fixtures with Python transformers / sentence-transformers.

No pretrained weights can be downloaded, so every model here is random-initialised (fixed
seeds) in a real architecture, saved in the folder layout of Hub models such as
all-MiniLM-L6-v2 and exported to ONNX. Reference outputs come from Python
sentence-transformers on the same weights, loaded back from the saved folder.

    python test/tools/make_fixtures.py tiny              # committed fixtures under test/fixtures
    python test/tools/make_fixtures.py minilm [--out D]  # all-MiniLM-L6-v2 shape for benchmarks
"""
from __future__ import annotations

import argparse
import json
import os
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
from hub_layout import legacy_pooling_config, st6_config_files, write_hub_layout  # noqa: E402
from onnx_export import export_onnx, quantize_avx512_vnni, run_onnx  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# SENTENCEKIT_FIXTURES_OUT redirects every generator's output (test/tools/fixtures.py check
# regenerates into a scratch folder and compares it with the committed one).
FIXTURES = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures")
POOLING_MODES = ("mean", "cls", "max")
TOKEN_KEYS = ("input_ids", "attention_mask", "token_type_ids")
TINY_MAX_SEQ_LENGTH = 128
ENCODE_BATCH_SIZE = 16


def versions() -> dict[str, str]:
    return {
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def bert_tokenizer() -> BertTokenizerFast:
    """bert-base-uncased's tokenizer, rebuilt from its real vocabulary."""
    vocab = {token: index for index, token in enumerate(bert_base_uncased_vocab())}
    return BertTokenizerFast(vocab=vocab, do_lower_case=True, model_max_length=512)


def random_bert(seed: int, **shape) -> BertModel:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, **shape)
    # Eager attention traces into a graph that honours the runtime mask and sequence length;
    # the SDPA path bakes shapes from the example input into the TorchScript export.
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=False)
    widen_init(model)
    return model.eval()


def widen_init(model: torch.nn.Module) -> None:
    """BERT's default init (std 0.02) makes every token nearly the same vector; a wider spread
    gives embeddings that actually differ between texts, so parity tests can see mistakes.
    Draws from torch's global generator: seed it first."""
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() > 1:
                parameter.normal_(0.0, 0.2 if "embeddings" in name else 0.08)
            elif "LayerNorm.weight" in name:
                parameter.uniform_(0.5, 1.5)
            else:
                parameter.normal_(0.0, 0.05)


def save_model_folder(model: BertModel, out: Path, max_seq_length: int, model_max_length: int) -> dict[str, str]:
    """Saves Transformer → Pooling(mean) → Normalize with sentence-transformers 6.0.1, then
    rewrites its config files into the Hub layout. Returns the config files as 6.0.1 wrote them."""
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        bert_tokenizer().save_pretrained(work)
        transformer = Transformer(str(work), max_seq_length=max_seq_length, do_lower_case=False)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        st = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu")
        st.prompts = {"query": "", "document": ""}
        st.similarity_fn_name = "cosine"
        if out.exists():
            shutil.rmtree(out)
        st.save(str(out))
    finally:
        shutil.rmtree(work)
    # The generated model card describes a trained model; ours is random weights.
    (out / "README.md").unlink(missing_ok=True)
    st6_files = st6_config_files(out)
    write_hub_layout(out, model.config.hidden_size, max_seq_length, model_max_length)
    return st6_files


def load(folder: Path, max_seq_length: int) -> SentenceTransformer:
    st = SentenceTransformer(str(folder), device="cpu")
    if st.max_seq_length != max_seq_length:
        raise SystemExit(f"{folder}: sentence-transformers loads max_seq_length {st.max_seq_length}, want {max_seq_length}")
    return st


def variant_folder(base: Path, files: dict[str, str], normalize: bool) -> Path:
    """A copy of `base` with some config files replaced and, optionally, Normalize dropped."""
    variant = Path(tempfile.mkdtemp()) / "model"
    shutil.copytree(base, variant, ignore=shutil.ignore_patterns("onnx"))
    for name, text in files.items():
        (variant / name).write_text(text, encoding="utf-8")
    if not normalize:
        modules = json.loads((variant / "modules.json").read_text())
        (variant / "modules.json").write_text(json.dumps([m for m in modules if not m["type"].endswith("Normalize")]))
    return variant


def encode(st: SentenceTransformer, texts: list[str], normalize: bool) -> np.ndarray:
    return st.encode(texts, batch_size=ENCODE_BATCH_SIZE, normalize_embeddings=normalize, convert_to_numpy=True)


def require_equal(what: str, a: np.ndarray, b: np.ndarray) -> None:
    if not np.array_equal(a, b):
        raise SystemExit(f"{what}: embeddings differ by up to {float(np.abs(a - b).max())}")


def float_rows(array: np.ndarray) -> list[list[float]]:
    # The shortest decimal that reads back as the same float32 (at most 9 significant digits).
    return [[float(np.format_float_positional(v, unique=True)) for v in row.astype(np.float32)] for row in array]


def token_lists(encoded) -> dict[str, list[int]]:
    return {key: list(encoded[key]) for key in TOKEN_KEYS}


def reference_tokens(st: SentenceTransformer, texts: list[str]) -> list[dict[str, list[int]]]:
    """Per-text ids as the model's tokenizer gives them, checked against the batch sentence-transformers
    itself feeds the model (so the fixture cannot drift from what encode() does)."""
    tokens = [token_lists(st.tokenizer(text, truncation=True, max_length=st.max_seq_length)) for text in texts]
    batch = st.preprocess(texts)
    for row, expected in enumerate(tokens):
        length = len(expected["input_ids"])
        for key in TOKEN_KEYS:
            fed = batch[key][row].tolist()
            if fed[:length] != expected[key] or any(fed[length:]):
                raise SystemExit(f"text {row}: sentence-transformers feeds {key} {fed}, tokenizer gives {expected[key]}")
    return tokens


def reference_pairs(st: SentenceTransformer, pairs: list[tuple[str, str]]) -> list[dict]:
    out = []
    for first, second in pairs:
        # Batched, as cross-encoders call it: a single call with an empty second text would drop
        # the pair (transformers treats text_pair="" as absent) and lose the second [SEP].
        encoded = st.tokenizer([first], [second], truncation="longest_first", max_length=st.max_seq_length)
        out.append({"first": first, "second": second, **{key: list(encoded[key][0]) for key in TOKEN_KEYS}})
    if not any(len(a) + len(b) > st.max_seq_length for a, b in
               ((st.tokenizer(f, add_special_tokens=False)["input_ids"], st.tokenizer(s, add_special_tokens=False)["input_ids"]) for f, s in pairs)):
        raise SystemExit("no pair exceeds max_seq_length; truncation is untested")
    return out


def pooling_configs(dimension: int) -> dict[str, dict[str, dict]]:
    """Per mode, 1_Pooling/config.json in the boolean schema (sentence-transformers < 5.4) and in
    the schema 6.0.1's Pooling.save writes: {"embedding_dimension", "pooling_mode", "include_prompt"}."""
    return {mode: {"old": legacy_pooling_config(dimension, mode),
                   "new": Pooling(dimension, pooling_mode=mode).get_config_dict()} for mode in POOLING_MODES}


def check_pooling_schemas(folder: Path, configs: dict, texts: list[str], expected: dict[str, np.ndarray]) -> None:
    """Both schemas, through sentence-transformers' own loader, give the reference embeddings."""
    for mode, schemas in configs.items():
        for schema, config in schemas.items():
            variant = variant_folder(folder, {"1_Pooling/config.json": json.dumps(config, indent=4)}, normalize=False)
            try:
                require_equal(f"{mode} pooling, {schema} schema", encode(load(variant, TINY_MAX_SEQ_LENGTH), texts, False), expected[mode])
            finally:
                shutil.rmtree(variant.parent)


def check_st6_layout(folder: Path, st6_files: dict[str, str], texts: list[str], expected: np.ndarray) -> None:
    """The config files as sentence-transformers 6.0.1 writes them load to the same model."""
    variant = variant_folder(folder, st6_files, normalize=True)
    try:
        require_equal("sentence-transformers 6 layout", encode(load(variant, TINY_MAX_SEQ_LENGTH), texts, False), expected)
    finally:
        shutil.rmtree(variant.parent)


def onnx_mean_pooling(onnx_file: Path, tokens: list[dict[str, list[int]]]) -> np.ndarray:
    """Mean pooling over the ONNX model's output, batch by batch, as the native pipeline does it."""
    rows = []
    for start in range(0, len(tokens), ENCODE_BATCH_SIZE):
        batch = tokens[start:start + ENCODE_BATCH_SIZE]
        width = max(len(t["input_ids"]) for t in batch)
        feeds = {key: np.array([t[key] + [0] * (width - len(t[key])) for t in batch], dtype=np.int64) for key in TOKEN_KEYS}
        hidden = run_onnx(onnx_file, feeds)
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        rows.append((hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None))
    return np.concatenate(rows)


def make_tiny() -> None:
    out = FIXTURES / "tiny-bert"
    max_seq_length = TINY_MAX_SEQ_LENGTH
    texts = fixture_corpus()
    pairs = fixture_pairs(texts)
    (FIXTURES / "corpus.json").write_text(json.dumps(texts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    model = random_bert(seed=1234, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
    # tokenizer_config.json keeps BERT's own 512, so only sentence_bert_config.json says 128.
    st6_files = save_model_folder(model, out, max_seq_length, model_max_length=512)
    onnx_diff = export_onnx(model, out / "onnx" / "model.onnx")
    print(f"  onnx/model.onnx vs torch on a padded batch: max |diff| {onnx_diff:.2e}")

    st = load(out, max_seq_length)
    tokens = reference_tokens(st, texts)
    pair_tokens = reference_pairs(st, pairs)

    raw = {}
    embeddings = {}
    for mode in POOLING_MODES:
        # The saved Transformer with only the pooling changed, and no Normalize module.
        pooled = SentenceTransformer(modules=[st[0], Pooling(st[0].get_embedding_dimension(), pooling_mode=mode)], device="cpu")
        raw[mode] = encode(pooled, texts, normalize=False)
        embeddings[mode] = {"raw": float_rows(raw[mode]), "normalized": float_rows(encode(pooled, texts, normalize=True))}

    # The saved folder itself (mean → Normalize) must agree with the mean/normalized reference.
    full = encode(st, texts, normalize=False)
    if float(np.abs(full - np.array(embeddings["mean"]["normalized"], dtype=np.float32)).max()) > 1e-6:
        raise SystemExit("the saved model's own encode() disagrees with mean/normalized")

    configs = pooling_configs(st[0].get_embedding_dimension())
    check_pooling_schemas(out, configs, texts, raw)
    (FIXTURES / "pooling-configs.json").write_text(json.dumps(configs, indent=2) + "\n", encoding="utf-8")

    check_st6_layout(out, st6_files, texts, full)
    (FIXTURES / "tiny-bert.st6-configs.json").write_text(json.dumps(st6_files, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    via_onnx = onnx_mean_pooling(out / "onnx" / "model.onnx", tokens)
    pipeline_diff = float(np.abs(via_onnx - raw["mean"]).max())
    if pipeline_diff > 1e-5:
        raise SystemExit(f"reference tokens through onnx/model.onnx miss the mean reference by {pipeline_diff}")
    print(f"  reference tokens → onnx/model.onnx → mean pooling vs sentence-transformers: max |diff| {pipeline_diff:.2e}")

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
    print(f"wrote {out}, corpus.json ({len(texts)} texts, {len(pairs)} pairs), "
          "tiny-bert.reference.json, pooling-configs.json, tiny-bert.st6-configs.json")


def make_minilm(out: Path) -> None:
    """The exact all-MiniLM-L6-v2 shape, random weights: for benchmarks, not committed."""
    model = random_bert(seed=6, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
    save_model_folder(model, out, max_seq_length=256, model_max_length=256)  # as all-MiniLM-L6-v2
    fp32 = out / "onnx" / "model.onnx"
    onnx_diff = export_onnx(model, fp32)
    print(f"  onnx/model.onnx vs torch on a padded batch: max |diff| {onnx_diff:.2e}")
    int8 = out / "onnx" / "model_qint8_avx512_vnni.onnx"
    quantize_avx512_vnni(fp32, int8)

    st = load(out, 256)
    texts = fixture_corpus()
    tokens = [token_lists(st.tokenizer(text, truncation=True, max_length=256)) for text in texts]
    reference = encode(st, texts, normalize=False)
    fp32_mean = onnx_mean_pooling(fp32, tokens)
    fp32_mean /= np.linalg.norm(fp32_mean, axis=1, keepdims=True)
    print(f"  fp32 ONNX vs sentence-transformers (normalized mean): max |diff| {float(np.abs(fp32_mean - reference).max()):.2e}")
    int8_mean = onnx_mean_pooling(int8, tokens)
    int8_mean /= np.linalg.norm(int8_mean, axis=1, keepdims=True)
    cosine = (fp32_mean * int8_mean).sum(1)
    print(f"  int8 vs fp32 cosine on {len(texts)} corpus texts: min {cosine.min():.4f}, mean {cosine.mean():.4f}")
    print(f"wrote {out} ({fp32.stat().st_size / 1e6:.1f} MB fp32, {int8.stat().st_size / 1e6:.1f} MB int8)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tiny", help="the committed fixtures under test/fixtures")
    minilm = sub.add_parser("minilm", help="all-MiniLM-L6-v2 shape, fp32 + int8 ONNX, for benchmarks")
    minilm.add_argument("--out", type=Path, default=ROOT / "bench" / "models" / "minilm-l6")
    args = parser.parse_args()
    if args.command == "tiny":
        make_tiny()
    else:
        make_minilm(args.out.resolve())


if __name__ == "__main__":
    main()
