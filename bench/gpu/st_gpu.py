"""The Python half of the GPU check (bench/gpu/run.sh): random-weight models made with the
project's fixture generator (test/tools/make_fixtures.py), sentence-transformers on torch CUDA
as the parity reference and the throughput peer, and the comparison of both.

    python bench/gpu/st_gpu.py models  --out DIR          tiny RoBERTa, MiniLM-L6 and bert-base shapes
    python bench/gpu/st_gpu.py corpus  --out FILE --count N [--parity]
    python bench/gpu/st_gpu.py encode  --models DIR... --dtypes fp32 fp16 --texts FILE --out DIR
    python bench/gpu/st_gpu.py pairs   --texts FILE --out FILE.tsv --count N
    python bench/gpu/st_gpu.py predict --models DIR... --dtypes fp32 fp16 --pairs FILE.tsv --out DIR
    python bench/gpu/st_gpu.py compare --reference FILE.npy --ours FILE.f32 --dtype fp32|fp16 [--logits] --out FILE.json
    python bench/gpu/st_gpu.py bench   --models DIR... --dtypes fp16 fp32 --texts FILE --count N --out DIR
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "tools"))


def heavy_imports() -> None:
    """torch, sentence-transformers and the fixture generator, for every command but compare
    (which needs numpy only)."""
    global torch, SentenceTransformer, Normalize, Pooling, Transformer
    global bert_tokenizer, random_bert, save_model_folder, widen_init, bert_base_uncased_vocab, fixture_corpus
    # make_fixtures imports onnxruntime for its ONNX exports, which the GPU machine may lack and
    # this script never calls; a placeholder module lets the generator be imported unchanged.
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        placeholder = types.ModuleType("onnxruntime")
        placeholder.__version__ = "absent"
        sys.modules["onnxruntime"] = placeholder
    import torch
    from make_fixtures import bert_tokenizer, random_bert, save_model_folder, widen_init
    from bert_vocab import bert_base_uncased_vocab
    from corpus import fixture_corpus
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer


def save_st(model, tokenizer, out: Path, max_seq_length: int, pooling: str, normalize: bool) -> None:
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        transformer = Transformer(str(work), max_seq_length=max_seq_length, do_lower_case=False)
        modules = [transformer, Pooling(transformer.get_embedding_dimension(), pooling_mode=pooling)]
        if normalize:
            modules.append(Normalize())
        if out.exists():
            shutil.rmtree(out)
        SentenceTransformer(modules=modules, device="cpu").save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)


def tiny_roberta(out: Path) -> None:
    """A 2-layer RoBERTa (head size 32) over the RoBERTa tokenizer fixture, CLS pooling."""
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaModel

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(ROOT / "test/fixtures/tokenizers/roberta/tokenizer.json"),
                                        bos_token="<s>", eos_token="</s>", unk_token="<unk>", sep_token="</s>",
                                        cls_token="<s>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    torch.manual_seed(21)
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=128, max_position_embeddings=514, pad_token_id=tokenizer.pad_token_id,
                           type_vocab_size=1)
    model = RobertaModel(config, add_pooling_layer=False)
    widen_init(model)
    save_st(model.eval(), tokenizer, out, max_seq_length=128, pooling="cls", normalize=False)


def tiny_mpnet(out: Path) -> None:
    """A 2-layer MPNet (head size 32, relative position bias) over the MPNet tokenizer fixture,
    mean pooling + Normalize as all-mpnet-base-v2."""
    from transformers import MPNetConfig, MPNetModel, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(ROOT / "test/fixtures/tokenizers/mpnet/tokenizer.json"),
                                        bos_token="<s>", eos_token="</s>", unk_token="[UNK]", sep_token="</s>",
                                        cls_token="<s>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    torch.manual_seed(22)
    config = MPNetConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=128, max_position_embeddings=514, pad_token_id=tokenizer.pad_token_id,
                         layer_norm_eps=1e-5)
    model = MPNetModel(config, add_pooling_layer=False)
    widen_init(model)
    with torch.no_grad():  # a bias wide enough to matter, so a wrong bucket shows
        model.encoder.relative_attention_bias.weight.normal_(0.0, 1.0)
    save_st(model.eval(), tokenizer, out, max_seq_length=384, pooling="mean", normalize=True)


def save_cross_encoder(model, tokenizer, out: Path, max_length: int) -> None:
    from sentence_transformers import CrossEncoder

    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)  # model.safetensors + config.json: what the CUDA engine reads
        tokenizer.save_pretrained(work)
        if out.exists():
            shutil.rmtree(out)
        CrossEncoder(str(work), max_length=max_length, device="cpu").save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)


def tiny_ce_bert(out: Path) -> None:
    """A 1-label BERT reranker (pooler + classifier) with the shape of the CPU fixtures' tiny-ce-1label."""
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(23)
    config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=512, type_vocab_size=2, num_labels=1)
    model = BertForSequenceClassification(config)
    widen_init(model)
    save_cross_encoder(model.eval(), bert_tokenizer(), out, max_length=128)


def tiny_ce_roberta(out: Path) -> None:
    """A 3-label RoBERTa reranker (classifier.dense → tanh → out_proj) over the RoBERTa tokenizer fixture."""
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForSequenceClassification

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(ROOT / "test/fixtures/tokenizers/roberta/tokenizer.json"),
                                        bos_token="<s>", eos_token="</s>", unk_token="<unk>", sep_token="</s>",
                                        cls_token="<s>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    torch.manual_seed(24)
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=128, max_position_embeddings=514, pad_token_id=tokenizer.pad_token_id,
                           type_vocab_size=1, num_labels=3)
    model = RobertaForSequenceClassification(config)
    widen_init(model)
    save_cross_encoder(model.eval(), tokenizer, out, max_length=128)


def tiny_splade(out: Path) -> None:
    """A BERT masked-LM SPLADE model (MLMTransformer + SpladePooling max), the decoder bias pushed
    negative as real SPLADE heads leave most entries inactive."""
    from sentence_transformers import SparseEncoder
    from sentence_transformers.sparse_encoder.modules import MLMTransformer, SpladePooling
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(25)
    config = BertConfig(vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=512, type_vocab_size=2)
    model = BertForMaskedLM(config)
    widen_init(model)
    with torch.no_grad():
        bias = model.cls.predictions.decoder.bias
        bias.copy_(torch.full_like(bias, -5.0) + torch.randn(bias.shape, generator=torch.Generator().manual_seed(5)) * 1.5)
    work = Path(tempfile.mkdtemp())
    try:
        model.eval().save_pretrained(work)
        bert_tokenizer().save_pretrained(work)
        splade = SparseEncoder(modules=[MLMTransformer(str(work), max_seq_length=128), SpladePooling("max")], device="cpu")
        if out.exists():
            shutil.rmtree(out)
        splade.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)


def make_models(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    tiny_splade(out / "tiny-splade")
    tiny_ce_bert(out / "tiny-ce-bert")
    tiny_ce_roberta(out / "tiny-ce-roberta")
    tiny_roberta(out / "tiny-roberta")
    tiny_mpnet(out / "tiny-mpnet")
    # The shapes of the goals, from the same generator as the CPU benchmarks.
    minilm = random_bert(seed=6, hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
    save_model_folder(minilm, out / "minilm-l6", max_seq_length=256, model_max_length=256)
    # msmarco-bert-base-dot-v5: bert-base, CLS pooling, no normalization, 512 tokens.
    bert_base = random_bert(seed=7, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
    save_st(bert_base, bert_tokenizer(), out / "bert-base", max_seq_length=512, pooling="cls", normalize=False)
    print(f"models in {out} ({time.time() - started:.1f} s)")


def make_corpus(out: Path, count: int, parity: bool) -> None:
    """Sentences of 5–200 words drawn from BERT's whole-word vocabulary (seed 42); the parity
    corpus leads with the fixture corpus (empty strings, CJK, emoji, long texts)."""
    words = [w for w in bert_base_uncased_vocab() if w.isalpha() and not w.startswith("##") and len(w) > 1]
    rng = random.Random(42)
    texts = [t.replace("\n", " ") for t in fixture_corpus()] if parity else []
    while len(texts) < count:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(5, 200)))
        texts.append(sentence[0].upper() + sentence[1:] + ".")
    out.write_bytes(("\n".join(texts[:count]) + "\n").encode("utf-8"))
    print(f"{out}: {count} texts")


def load_st(model: str, dtype: str):
    st = SentenceTransformer(model, device="cuda")
    if dtype == "fp16":
        st.half()
    elif dtype == "bf16":
        st.to(torch.bfloat16)
    return st


def read_texts(path: str) -> list[str]:
    # Bytes, split on "\n" only, as the harness's getline reads them (no newline translation).
    return Path(path).read_bytes().decode("utf-8").split("\n")[:-1]


def encode(args) -> None:
    """Reference embeddings for every model × dtype, in one process (torch starts once)."""
    texts = read_texts(args.texts)
    for model in args.models:
        for dtype in args.dtypes:
            st = load_st(model, dtype)
            embeddings = st.encode(texts, batch_size=64, convert_to_numpy=True)
            out = Path(args.out) / f"{Path(model).name}-{dtype}.st.npy"
            np.save(out, embeddings.astype(np.float32))
            print(f"{out}: {embeddings.shape}")
            del st


def make_pairs(args) -> None:
    """(text i, text i + 1) pairs of the parity corpus, tab-separated (tabs inside become spaces)."""
    texts = [t.replace("\t", " ") for t in read_texts(args.texts)]
    pairs = [f"{texts[i]}\t{texts[(i + 1) % len(texts)]}" for i in range(min(args.count, len(texts)))]
    Path(args.out).write_bytes(("\n".join(pairs) + "\n").encode("utf-8"))
    print(f"{args.out}: {len(pairs)} pairs")


def predict(args) -> None:
    """Reference cross-encoder logits (no activation) on torch CUDA, per model × dtype."""
    from sentence_transformers import CrossEncoder

    lines = read_texts(args.pairs)
    pairs = [tuple(line.split("\t", 1)) for line in lines]
    for model in args.models:
        for dtype in args.dtypes:
            ce = CrossEncoder(model, device="cuda")
            if dtype == "fp16":  # the transformers model inside, as load_st halves the bi-encoders
                (ce.model if hasattr(ce, "model") else ce).half()
            logits = ce.predict(pairs, batch_size=64, activation_fn=torch.nn.Identity(), convert_to_numpy=True)
            logits = np.asarray(logits, dtype=np.float32).reshape(len(pairs), -1)
            out = Path(args.out) / f"{Path(model).name}-{dtype}.st.npy"
            np.save(out, logits)
            print(f"{out}: {logits.shape}")
            del ce


def sparse(args) -> None:
    """Reference SPLADE weights (dense [texts, vocab]) from SparseEncoder on torch CUDA."""
    from sentence_transformers import SparseEncoder

    texts = read_texts(args.texts)[: args.count]
    for model in args.models:
        for dtype in args.dtypes:
            encoder = SparseEncoder(model, device="cuda")
            if dtype == "fp16":
                encoder.half()
            weights = encoder.encode(texts, batch_size=32, convert_to_tensor=True)
            dense = weights.to_dense().float().cpu().numpy() if weights.is_sparse else weights.float().cpu().numpy()
            out = Path(args.out) / f"{Path(model).name}-{dtype}.st.npy"
            np.save(out, dense.astype(np.float32))
            print(f"{out}: {dense.shape}, {int((dense > 0).sum())} active")
            del encoder


def compare(args) -> None:
    reference = np.load(args.reference).astype(np.float64)
    ours = np.fromfile(args.ours, dtype=np.float32).astype(np.float64)
    if ours.size != reference.size:
        sys.exit(f"{args.ours}: {ours.size} values, the reference has {reference.shape}")
    ours = ours.reshape(reference.shape)
    cosine = (reference * ours).sum(1) / np.maximum(np.linalg.norm(reference, axis=1) * np.linalg.norm(ours, axis=1), 1e-30)
    max_diff = float(np.abs(reference - ours).max())
    result = {"rows": int(reference.shape[0]), "dim": int(reference.shape[1]), "dtype": args.dtype,
              "max_abs_diff": max_diff, "min_cosine": float(cosine.min()), "mean_cosine": float(cosine.mean()),
              "worst_row": int(cosine.argmin())}
    if args.logits:
        # Cross-encoder logits (a row may be one number, where a cosine says nothing): fp32 max
        # |diff| ≤ 1e-4, fp16 max |diff| ≤ 2e-2 relative to max(1, |logit|).
        relative = float((np.abs(reference - ours) / np.maximum(1.0, np.abs(reference))).max())
        result["max_relative_diff"] = relative
        result["pass"] = bool(max_diff <= 1e-4) if args.dtype == "fp32" else bool(relative <= 2e-2)
    else:
        # The bars: fp32 max |diff| ≤ 1e-4; fp16 cosine ≥ 0.9999 on every row.
        result["pass"] = bool(max_diff <= 1e-4) if args.dtype == "fp32" else bool(cosine.min() >= 0.9999)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    if not result["pass"]:
        sys.exit(1)


def bench(args) -> None:
    failures = 0
    for model in args.models:
        for dtype in args.dtypes:
            out = Path(args.out) / f"st-{Path(model).name}-{dtype}.json"
            try:
                bench_one(model, dtype, args, out)
            except Exception as error:  # one failing peer must not hide the others
                print(f"{model} {dtype}: FAILED {error!r}")
                failures += 1
    if failures:
        sys.exit(1)


def bench_one(model: str, dtype: str, args, out: Path) -> None:
    st = load_st(model, dtype)
    texts = read_texts(args.texts)[: args.count]
    st.encode(texts[:2048], batch_size=128)  # warm-up: kernels, allocator
    runs = []
    for batch_size in args.batch_sizes:
        torch.cuda.synchronize()
        start = time.perf_counter()
        st.encode(texts, batch_size=batch_size, convert_to_numpy=True)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        runs.append({"batch_size": batch_size, "seconds": seconds, "sentences_per_second": len(texts) / seconds})
        print(f"  batch {batch_size}: {len(texts) / seconds:.0f} sentences/s")
    query = "what is the capital of france"
    latencies = []
    for i in range(130):
        start = time.perf_counter()
        st.encode([query], convert_to_numpy=True)
        if i >= 30:
            latencies.append((time.perf_counter() - start) * 1000)
    best = max(runs, key=lambda run: run["sentences_per_second"])
    result = {"model": model, "dtype": dtype, "sentences": len(texts), "runs": runs,
              "best_batch_size": best["batch_size"], "sentences_per_second": best["sentences_per_second"],
              "query_p50_ms": statistics.median(latencies), "torch": torch.__version__,
              "device": torch.cuda.get_device_name(0)}
    import sentence_transformers
    result["sentence_transformers"] = sentence_transformers.__version__
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    del st
    torch.cuda.empty_cache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("models")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("corpus")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--parity", action="store_true")
    p = sub.add_parser("encode")
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--dtypes", nargs="+", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True, help="folder for MODEL-DTYPE.st.npy")
    p = sub.add_parser("compare")
    for name in ("--reference", "--ours", "--dtype", "--out"):
        p.add_argument(name, required=True)
    p.add_argument("--logits", action="store_true", help="cross-encoder logits: compare values, not cosines")
    p = sub.add_parser("sparse")
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--dtypes", nargs="+", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--count", type=int, default=300)
    p.add_argument("--out", required=True, help="folder for MODEL-DTYPE.st.npy")
    p = sub.add_parser("pairs")
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, default=500)
    p = sub.add_parser("predict")
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--dtypes", nargs="+", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--out", required=True, help="folder for MODEL-DTYPE.st.npy")
    p = sub.add_parser("bench")
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--dtypes", nargs="+", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True, help="folder for st-MODEL-DTYPE.json")
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256])
    args = parser.parse_args()
    if args.command == "corpus":
        global bert_base_uncased_vocab, fixture_corpus
        from bert_vocab import bert_base_uncased_vocab
        from corpus import fixture_corpus
    elif args.command not in ("compare", "pairs"):
        heavy_imports()
        torch.manual_seed(0)
    if args.command == "models":
        make_models(args.out)
    elif args.command == "corpus":
        make_corpus(args.out, args.count, args.parity)
    elif args.command == "encode":
        encode(args)
    elif args.command == "compare":
        compare(args)
    elif args.command == "pairs":
        make_pairs(args)
    elif args.command == "predict":
        predict(args)
    elif args.command == "sparse":
        sparse(args)
    elif args.command == "bench":
        bench(args)


if __name__ == "__main__":
    main()
