"""A Qwen3-shaped decoder embedding model (the Qwen3-Embedding layout: Qwen3Model → last-token
Pooling → Normalize, a byte-level BPE tokenizer whose post-processor appends <|endoftext|>, and
padding_side "left" in tokenizer_config.json), random weights, exported to ONNX twice: with the
inputs input_ids / attention_mask only (positions computed inside the graph), and with
position_ids as an input too, as Optimum's feature-extraction export of decoder models takes
it. References come from Python sentence-transformers on the same weights.

    python test/tools/decoder_fixtures.py      # also run by `npm run fixtures`
    python test/tools/decoder_fixtures.py bench bench/models/issue22   # the speed comparison's Qwen3 (not committed)

Reads test/fixtures/tokenizers/roberta (its byte-level vocabulary and merges). Writes
test/fixtures/tiny-qwen3 (model.safetensors for the own CPU engine, onnx/model.onnx without position_ids, onnx/model_position_ids.onnx
with them), test/fixtures/tiny-qwen3.reference.json, and onnx-position-probe.onnx: a graph
whose one-wide "hidden state" is the position id it was fed, masked, so a test reads back the
exact positions (RoPE makes a decoder's output blind to a shift of all of them).
Also test/fixtures/tiny-gemma3 (+ .reference.json): EmbeddingGemma's layout (Gemma3TextModel,
bidirectional with sliding-window layers, mean Pooling → Dense → Dense → Normalize) on the same
tokenizer, model.safetensors only (the own CPU engine's), no ONNX export.
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
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import Gemma3TextConfig, Gemma3TextModel, PreTrainedTokenizerFast, Qwen3Config, Qwen3Model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions, widen_init  # noqa: E402

MAX_SEQ_LENGTH = 128
ROBERTA_TOKENIZER = FIXTURES / "tokenizers" / "roberta" / "tokenizer.json"
# Qwen2/Qwen3's pre-tokenizer split, before the byte-level mapping.
QWEN_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
EOS = "<|endoftext|>"
SPECIALS = [EOS, "<|im_start|>", "<|im_end|>"]
SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8, intermediate_size=64)
PROMPT = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"


def qwen_tokenizer() -> PreTrainedTokenizerFast:
    """Qwen3-Embedding's tokenizer pipeline (NFC, the Qwen split, byte-level BPE, <|endoftext|>
    appended by a TemplateProcessing post-processor) over the byte-level vocabulary and merges
    trained for test/fixtures/tokenizers/roberta, its <s>/<pad>/</s>/<unk> left out."""
    trained = json.loads(ROBERTA_TOKENIZER.read_text(encoding="utf-8"))["model"]
    pieces = [piece for piece, _ in sorted(trained["vocab"].items(), key=lambda item: item[1]) if piece not in ("<s>", "<pad>", "</s>", "<unk>")]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in trained["merges"]]
    backend = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=False))
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens(SPECIALS)
    eos_id = backend.token_to_id(EOS)
    backend.post_processor = processors.TemplateProcessing(
        single=f"$A:0 {EOS}:0", pair=f"$A:0 {EOS}:0 $B:1 {EOS}:1", special_tokens=[(EOS, eos_id)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=EOS, pad_token=EOS, padding_side="left",
                                   model_max_length=32768)


def random_qwen3(vocab_size: int, pad_id: int, shape: dict = SHAPE) -> Qwen3Model:
    torch.manual_seed(3003)
    config = Qwen3Config(vocab_size=vocab_size, max_position_embeddings=4096, rope_theta=10000.0, rms_norm_eps=1e-6,
                         tie_word_embeddings=True, pad_token_id=pad_id, eos_token_id=pad_id, bos_token_id=pad_id, **shape)
    # Eager attention traces into a graph that honours the runtime mask and sequence length.
    config._attn_implementation = "eager"
    model = Qwen3Model(config)
    widen_init(model)
    # widen_init draws 1-d parameters near 0: RMSNorm weights (q_norm, k_norm too) that small
    # would flatten attention to uniform and hide a wrong mask or rotary from the tests. Near
    # Qwen3's own init (ones) instead: wider ones amplify float32-level noise through the
    # per-head q/k norms past 1e-5 (bf16x3 GEMMs emulated in torch: 1.4e-5 at 0.5..1.5, 7e-6 here).
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("norm.weight"):
                parameter.uniform_(0.9, 1.1)
    return model.eval()


class HiddenStates(torch.nn.Module):
    """The decoder with the export's positional inputs, returning last_hidden_state."""

    def __init__(self, model: Qwen3Model, with_positions: bool) -> None:
        super().__init__()
        self.model = model
        self.with_positions = with_positions

    def forward(self, input_ids, attention_mask, position_ids=None):
        kwargs = {"position_ids": position_ids} if self.with_positions else {}
        return self.model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False, **kwargs).last_hidden_state


def left_padded_batch(vocab_size: int, pad_id: int) -> dict[str, np.ndarray]:
    """Three rows of different real lengths, left-padded as the tokenizer pads, each ending in
    <|endoftext|>, with positions 0..n-1 over each row's real tokens (1 on padding)."""
    ids = torch.randint(0, vocab_size - len(SPECIALS), (3, 19), generator=torch.Generator().manual_seed(3))
    lengths = [19, 11, 4]
    mask = torch.zeros_like(ids)
    positions = torch.ones_like(ids)
    for row, length in enumerate(lengths):
        mask[row, 19 - length:] = 1
        positions[row, 19 - length:] = torch.arange(length)
        ids[row, :19 - length] = pad_id
        ids[row, -1] = pad_id
    return {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "position_ids": positions.numpy()}


def export(model: Qwen3Model, out_file: Path, with_positions: bool, pad_id: int) -> None:
    """torch.onnx.export (TorchScript exporter, opset 17), dynamic batch and sequence axes.
    Checked against torch on the real tokens of a left-padded batch, each row alone (its own
    positions 0..n-1), which is what either graph must reproduce whatever the padding."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    names = ["input_ids", "attention_mask", *(["position_ids"] if with_positions else [])]
    wrapped = HiddenStates(model, with_positions)
    example_ids = torch.tensor([[5, 6, 7, pad_id], [8, 9, 10, pad_id]], dtype=torch.int64)
    example = (example_ids, torch.ones_like(example_ids), *([torch.arange(4).expand(2, 4).contiguous()] if with_positions else []))
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        wrapped, example, str(out_file),
        input_names=names, output_names=["last_hidden_state"],
        dynamic_axes={**{name: dynamic for name in names}, "last_hidden_state": dynamic},
        opset_version=17, do_constant_folding=True, dynamo=False,
    )
    session = onnxruntime.InferenceSession(str(out_file), providers=["CPUExecutionProvider"])
    if [i.name for i in session.get_inputs()] != names:
        raise SystemExit(f"{out_file}: inputs {[i.name for i in session.get_inputs()]}, want {names}")
    feeds = left_padded_batch(model.config.vocab_size, pad_id)
    got = session.run(["last_hidden_state"], {name: feeds[name] for name in names})[0]
    worst = 0.0
    with torch.no_grad():
        for row in range(3):
            real = feeds["attention_mask"][row].astype(bool)
            alone = model(input_ids=torch.from_numpy(feeds["input_ids"][row][real][None]), use_cache=False).last_hidden_state[0].numpy()
            worst = max(worst, float(np.abs(got[row][real] - alone).max()))
    if not worst < 1e-5:
        raise SystemExit(f"{out_file}: ONNX on a left-padded batch differs from torch by {worst}")
    print(f"  {out_file.relative_to(FIXTURES)}: ONNX (left-padded) vs torch max |diff| {worst:.2e}")


def make_position_probe() -> None:
    import onnx
    from onnx import TensorProto, helper

    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask", "position_ids")]
    nodes = [
        helper.make_node("Mul", ["position_ids", "attention_mask"], ["masked"]),
        helper.make_node("Cast", ["masked"], ["as_float"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["as_float", "last_axis"], ["last_hidden_state"]),
    ]
    last_axis = helper.make_tensor("last_axis", TensorProto.INT64, [1], [2])
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [1])
    graph = helper.make_graph(nodes, "position_probe", inputs, [output], initializer=[last_axis])
    model = helper.make_model(graph, producer_name="sentencekit-fixtures", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(FIXTURES / "onnx-position-probe.onnx"))


def save_embedding_model(model: torch.nn.Module, tokenizer: PreTrainedTokenizerFast, out: Path, max_seq_length: int,
                         modules: list | None = None, prompts: dict | None = None) -> SentenceTransformer:
    """The transformer followed by `modules` (Qwen3-Embedding's: last-token Pooling → Normalize),
    saved by sentence-transformers with its prompts (Qwen3-Embedding's query instruction)."""
    work = Path(tempfile.mkdtemp())
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=max_seq_length)
    if modules is None:
        modules = [Pooling(transformer.get_embedding_dimension(), pooling_mode="lasttoken"), Normalize()]
    st = SentenceTransformer(modules=[transformer, *modules], device="cpu", prompts=prompts or {"query": PROMPT, "document": ""})
    st.similarity_fn_name = "cosine"
    if out.exists():
        shutil.rmtree(out)
    st.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    shutil.rmtree(work)
    return st


# The speed comparison's model (issue 22): MiniLM-L6's size as a Qwen3 (hidden 384, 6 layers,
# 12 query heads of 32 sharing 4 key/value heads, intermediate 1536), not committed.
BENCH_SHAPE = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, num_key_value_heads=4, head_dim=32,
                   intermediate_size=1536)


def make_bench(models: Path) -> None:
    """models/qwen3: the bench-size Qwen3 with model.safetensors and onnx/model.onnx."""
    tokenizer = qwen_tokenizer()
    pad_id = tokenizer.convert_tokens_to_ids(EOS)
    model = random_qwen3(len(tokenizer), pad_id, BENCH_SHAPE)
    out = models / "qwen3"
    save_embedding_model(model, tokenizer, out, 256)
    export(model, out / "onnx" / "model.onnx", with_positions=False, pad_id=pad_id)
    print(f"wrote {out}")


# EmbeddingGemma's layout at a tiny size: Gemma3TextModel with bidirectional attention, two
# sliding layers (window 8 in config.json: |i - j| <= 4) and one global, 4 query heads sharing
# one key/value head, query_pre_attn_scalar unlike head_dim; mean Pooling → Dense (no bias,
# identity) up → Dense down → Normalize, with its retrieval-query prompt. Hidden 64 and
# embeddings of std 0.2: at 32 and 0.05 the model amplifies float32-level GEMM noise (bf16x3
# emulated in torch) to 1.4e-5 on the pooled vector; 5e-6 at this size.
GEMMA_SHAPE = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=1,
                   head_dim=8, query_pre_attn_scalar=16, sliding_window=8,
                   layer_types=["sliding_attention", "sliding_attention", "full_attention"])
GEMMA_PROMPT = "task: search result | query: "


def random_gemma3(vocab_size: int, pad_id: int) -> Gemma3TextModel:
    torch.manual_seed(3004)
    config = Gemma3TextConfig(vocab_size=vocab_size, max_position_embeddings=2048, rope_theta=1000000.0,
                              rope_local_base_freq=10000.0, rms_norm_eps=1e-6, use_bidirectional_attention=True,
                              hidden_activation="gelu_pytorch_tanh", pad_token_id=pad_id, eos_token_id=pad_id,
                              bos_token_id=pad_id, **GEMMA_SHAPE)
    config._attn_implementation = "eager"
    model = Gemma3TextModel(config)
    widen_init(model)
    with torch.no_grad():
        model.embed_tokens.weight.normal_(0.0, 0.2)  # scaled by sqrt(hidden) on the way in
        for name, parameter in model.named_parameters():
            if name.endswith("norm.weight"):
                parameter.uniform_(-0.1, 0.1)  # applied as 1 + w: near Gemma's own init (zeros), as Qwen3's above
    return model.eval()


def write_reference(name: str, loaded: SentenceTransformer, texts: list[str], input_ids: list[list[int]], **extra) -> None:
    """<name>.reference.json: the texts, their ids, and sentence-transformers' embeddings of them
    plain and through the query prompt (encode_query)."""
    (FIXTURES / f"{name}.reference.json").write_text(json.dumps({
        "generator": versions(),
        "max_seq_length": MAX_SEQ_LENGTH,
        "texts": texts,
        "input_ids": input_ids,
        **extra,
        "embeddings": float_rows(loaded.encode(texts, batch_size=8)),
        "query_embeddings": float_rows(loaded.encode_query(texts[:8], batch_size=8)),
    }, ensure_ascii=False) + "\n", encoding="utf-8")


def make_gemma3(tokenizer: PreTrainedTokenizerFast, texts: list[str]) -> None:
    out = FIXTURES / "tiny-gemma3"
    pad_id = tokenizer.convert_tokens_to_ids(EOS)
    model = random_gemma3(len(tokenizer), pad_id)
    torch.manual_seed(3005)
    up = Dense(64, 128, bias=False, activation_function=torch.nn.Identity())
    down = Dense(128, 64, bias=False, activation_function=torch.nn.Identity())
    save_embedding_model(model, tokenizer, out, MAX_SEQ_LENGTH, [Pooling(64, pooling_mode="mean"), up, down, Normalize()],
                         {"query": GEMMA_PROMPT, "document": "title: none | text: "})
    loaded = SentenceTransformer(str(out), device="cpu")
    if loaded[0].auto_model.config.sliding_window != 5 or not loaded[0].auto_model.config.use_bidirectional_attention:
        raise SystemExit(f"{out}: loads without its bidirectional window")
    input_ids = [loaded.tokenizer(text, truncation=True, max_length=MAX_SEQ_LENGTH)["input_ids"] for text in texts]
    if not any(len(ids) > 12 for ids in input_ids):
        raise SystemExit(f"{out}: no text is longer than the sliding window")
    write_reference("tiny-gemma3", loaded, texts, input_ids)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "bench":
        make_bench(Path(sys.argv[2]).resolve())
        return
    make_position_probe()
    out = FIXTURES / "tiny-qwen3"
    tokenizer = qwen_tokenizer()
    pad_id = tokenizer.convert_tokens_to_ids(EOS)
    model = random_qwen3(len(tokenizer), pad_id)
    save_embedding_model(model, tokenizer, out, MAX_SEQ_LENGTH)
    export(model, out / "onnx" / "model.onnx", with_positions=False, pad_id=pad_id)
    export(model, out / "onnx" / "model_position_ids.onnx", with_positions=True, pad_id=pad_id)

    loaded = SentenceTransformer(str(out), device="cpu")
    if loaded.tokenizer.padding_side != "left" or loaded.max_seq_length != MAX_SEQ_LENGTH:
        raise SystemExit(f"{out}: loads with padding_side {loaded.tokenizer.padding_side}, max_seq_length {loaded.max_seq_length}")
    texts = fixture_corpus()
    features = loaded.preprocess(texts[:6])
    if int(features["attention_mask"][:, 0].min()) != 0 or int(features["attention_mask"][:, -1].min()) != 1:
        raise SystemExit(f"{out}: sentence-transformers does not pad on the left")
    input_ids = [loaded.tokenizer(text, truncation=True, max_length=MAX_SEQ_LENGTH)["input_ids"] for text in texts]
    if not all(ids[-1] == pad_id for ids in input_ids) or not any(len(ids) == MAX_SEQ_LENGTH for ids in input_ids):
        raise SystemExit(f"{out}: every text should end in {EOS}, some truncated at {MAX_SEQ_LENGTH}")
    write_reference("tiny-qwen3", loaded, texts, input_ids, eos_id=pad_id,
                    # model.tokenize() on the first six texts: padded on the left, as Python feeds them.
                    tokenize={"texts": texts[:6], "input_ids": features["input_ids"].tolist(),
                              "attention_mask": features["attention_mask"].tolist()})
    # model.safetensors stays: the own CPU engine reads it (the ONNX exports hold the same weights).
    make_gemma3(qwen_tokenizer(), texts)


if __name__ == "__main__":
    main()
