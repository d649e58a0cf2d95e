"""Fixtures for the two architectures with no token_type_ids input: an MPNet bi-encoder in the
all-mpnet-base-v2 shape and a DistilRoBERTa cross-encoder in the
cross-encoder/stsb-distilroberta-base shape, random weights, with reference outputs from Python
sentence-transformers on the same weights.

    python test/tools/mpnet_roberta_fixtures.py      # also run by `npm run fixtures`

Writes test/fixtures/tiny-mpnet (+ .reference.json), tiny-ce-roberta (+ .reference.json) and
onnx-past-key-values.onnx (a graph with an input we do not feed, for the load error).
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
from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
from tokenizers import Tokenizer
from transformers import MPNetConfig, MPNetModel, MPNetTokenizer, RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bert_vocab import bert_base_uncased_vocab  # noqa: E402
from corpus import fixture_corpus, fixture_pairs  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions, widen_init  # noqa: E402

MAX_LENGTH = 128
SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
# Both architectures take only these two inputs: their tokenizers return no token_type_ids,
# and sentence-transformers feeds the model what the tokenizer returns.
INPUT_NAMES = ["input_ids", "attention_mask"]
# RoBERTa and MPNet share these ids: <s> 0, <pad> 1, </s> 2.
BOS, PAD, EOS = 0, 1, 2
ROBERTA_TOKENIZER = FIXTURES / "tokenizers" / "roberta" / "tokenizer.json"


class TwoInputs(torch.nn.Module):
    """The model with the two positional inputs of the export, returning one named output."""

    def __init__(self, model: torch.nn.Module, output: str) -> None:
        super().__init__()
        self.model = model
        self.output = output

    def forward(self, input_ids, attention_mask):
        return getattr(self.model(input_ids=input_ids, attention_mask=attention_mask), self.output)


def check_batch(vocab_size: int) -> dict[str, np.ndarray]:
    """Three rows of different real lengths, right-padded with <pad> as sentence-transformers pads."""
    ids = torch.randint(4, vocab_size - 1, (3, 19), generator=torch.Generator().manual_seed(3))
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = PAD
    ids[:, 0] = BOS
    for row in range(3):
        ids[row, int(mask[row].sum()) - 1] = EOS
    return {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}


def export_two_inputs(model: torch.nn.Module, output: str, out_file: Path) -> float:
    """torch.onnx.export (TorchScript exporter, opset 17), dynamic batch and sequence axes, inputs
    input_ids and attention_mask only. RoBERTa's and MPNet's position ids (counted from
    padding_idx + 1 over the non-pad tokens) are computed inside the traced graph. Fails unless
    onnxruntime reproduces torch on the real tokens of a padded batch; returns the max |diff|."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    wrapped = TwoInputs(model, output)
    feeds = check_batch(model.config.vocab_size)
    with torch.no_grad():
        expected = wrapped(*(torch.from_numpy(feeds[name]) for name in INPUT_NAMES)).numpy()
    example = torch.tensor([[BOS, 37, 58, EOS, PAD], [BOS, 44, 51, 62, EOS]], dtype=torch.int64)
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        wrapped,
        (example, (example != PAD).to(torch.int64)),
        str(out_file),
        input_names=INPUT_NAMES,
        output_names=[output],
        dynamic_axes={**{name: dynamic for name in INPUT_NAMES}, output: dynamic if output == "last_hidden_state" else {0: "batch_size"}},
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,
    )
    session = onnxruntime.InferenceSession(str(out_file), providers=["CPUExecutionProvider"])
    if [i.name for i in session.get_inputs()] != INPUT_NAMES:
        raise SystemExit(f"{out_file}: inputs {[i.name for i in session.get_inputs()]}, want {INPUT_NAMES}")
    got = session.run([output], feeds)[0]
    if output == "last_hidden_state":  # only real tokens reach pooling
        real = feeds["attention_mask"].astype(bool)
        got, expected = got[real], expected[real]
    diff = float(np.abs(got - expected).max())
    if not diff < 1e-5:
        raise SystemExit(f"{out_file}: ONNX differs from torch by {diff}")
    print(f"  {out_file.relative_to(FIXTURES)}: ONNX vs torch max |diff| {diff:.2e}")
    return diff


def write(name: str, value) -> None:
    (FIXTURES / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", encoding="utf-8")


def drop_model_card(out: Path) -> None:
    """The generated model card describes a trained model; ours is random weights."""
    (out / "README.md").unlink(missing_ok=True)


def drop_torch_weights(out: Path) -> None:
    """The torch weights only feed Python while references are made; the ONNX file holds the same
    weights for us, so they are not committed."""
    (out / "model.safetensors").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# MPNet bi-encoder (all-mpnet-base-v2 shape: MPNetModel → mean Pooling → Normalize)


def mpnet_tokenizer() -> MPNetTokenizer:
    """all-mpnet-base-v2's tokenizer: BERT's uncased vocabulary behind <s> <pad> </s> <unk>, with
    <mask> last, built by transformers itself (so tokenizer.json and tokenizer_config.json are
    what transformers writes). The same vocabulary as test/fixtures/tokenizers/mpnet."""
    pieces = ["<s>", "<pad>", "</s>", "<unk>"] + bert_base_uncased_vocab() + ["<mask>"]
    return MPNetTokenizer(vocab={token: index for index, token in enumerate(pieces)}, do_lower_case=True, model_max_length=512)


def random_mpnet(seed: int, vocab_size: int) -> MPNetModel:
    torch.manual_seed(seed)
    config = MPNetConfig(vocab_size=vocab_size, max_position_embeddings=514, relative_attention_num_buckets=32,
                         pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    # Eager attention traces into a graph that honours the runtime mask and sequence length.
    config._attn_implementation = "eager"
    model = MPNetModel(config, add_pooling_layer=False)
    widen_init(model)
    return model.eval()


def make_mpnet() -> None:
    out = FIXTURES / "tiny-mpnet"
    work = Path(tempfile.mkdtemp())
    tokenizer = mpnet_tokenizer()
    model = random_mpnet(seed=5150, vocab_size=len(tokenizer))
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=MAX_LENGTH)
    st = SentenceTransformer(modules=[transformer, Pooling(SHAPE["hidden_size"], pooling_mode="mean"), Normalize()], device="cpu")
    if out.exists():
        shutil.rmtree(out)
    st.save(str(out))
    drop_model_card(out)
    export_two_inputs(model, "last_hidden_state", out / "onnx" / "model.onnx")
    shutil.rmtree(work)

    texts = fixture_corpus()
    loaded = SentenceTransformer(str(out), device="cpu")
    if loaded.max_seq_length != MAX_LENGTH:
        raise SystemExit(f"{out}: loads with max_seq_length {loaded.max_seq_length}, want {MAX_LENGTH}")
    fed = loaded.preprocess(texts[:2])
    if "token_type_ids" in fed:
        raise SystemExit(f"{out}: sentence-transformers feeds token_type_ids to MPNet")
    write("tiny-mpnet.reference.json", {
        "generator": versions(),
        "max_seq_length": MAX_LENGTH,
        "texts": texts,
        # Ids as sentence-transformers' tokenizer gives them: a mismatch here explains one in the embeddings.
        "input_ids": [loaded.tokenizer(text, truncation=True, max_length=MAX_LENGTH)["input_ids"] for text in texts],
        "embeddings": float_rows(loaded.encode(texts, batch_size=8)),
    })
    drop_torch_weights(out)


# ---------------------------------------------------------------------------------------------
# DistilRoBERTa cross-encoder (cross-encoder/stsb-distilroberta-base shape: one label, sigmoid)


def roberta_tokenizer() -> RobertaTokenizer:
    """distilroberta's tokenizer class over the byte-level BPE vocabulary and merges trained for
    test/fixtures/tokenizers/roberta (6,001 pieces instead of 50,265), built by transformers."""
    trained = json.loads(ROBERTA_TOKENIZER.read_text(encoding="utf-8"))["model"]
    merges = [tuple(merge) if isinstance(merge, list) else tuple(merge.split(" ")) for merge in trained["merges"]]
    vocab = dict(trained["vocab"])
    vocab["<mask>"] = len(vocab)
    return RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=512)


def check_same_tokens(tokenizer: RobertaTokenizer, pairs: list[tuple[str, str]]) -> None:
    """The tokenizer transformers built encodes like the committed roberta tokenizer.json does."""
    trained = Tokenizer.from_file(str(ROBERTA_TOKENIZER))
    for first, second in pairs:
        ours = tokenizer([first], [second])["input_ids"][0]
        theirs = trained.encode(first, second).ids
        if ours != theirs:
            raise SystemExit(f"roberta tokenizer drifted from {ROBERTA_TOKENIZER} on {(first, second)}: {ours} vs {theirs}")


def make_roberta_cross_encoder() -> None:
    name = "tiny-ce-roberta"
    out = FIXTURES / name
    work = Path(tempfile.mkdtemp())
    tokenizer = roberta_tokenizer()
    pairs = fixture_pairs(fixture_corpus())
    check_same_tokens(roberta_tokenizer(), pairs)
    torch.manual_seed(41)
    config = RobertaConfig(vocab_size=len(tokenizer), max_position_embeddings=514, type_vocab_size=1, num_labels=1,
                           pad_token_id=PAD, bos_token_id=BOS, eos_token_id=EOS, **SHAPE)
    config._attn_implementation = "eager"
    model = RobertaForSequenceClassification(config).eval()
    widen_init(model)
    # Centre the logits and spread them (std 0.5) on the fixture pairs, as for tiny-ce-1label, so
    # sigmoid scores and rank orders are decided by clear margins, not 1e-5 gaps.
    # A throwaway instance: calling a tokenizer with truncation and padding would leave those
    # settings in the tokenizer.json it saves.
    encoded = roberta_tokenizer()([p[0] for p in pairs], [p[1] for p in pairs], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
        scale = 0.5 / logits.std(dim=0).clamp(min=1e-6)
        head = model.classifier.out_proj
        head.weight.mul_(scale[:, None])
        head.bias.copy_((head.bias - logits.mean(dim=0)) * scale)
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    ce = CrossEncoder(str(work), max_length=MAX_LENGTH, device="cpu")
    if out.exists():
        shutil.rmtree(out)
    ce.save(str(out))
    drop_model_card(out)
    export_two_inputs(model, "logits", out / "onnx" / "model.onnx")
    shutil.rmtree(work)

    loaded = CrossEncoder(str(out), device="cpu")
    if loaded.max_seq_length != MAX_LENGTH:
        raise SystemExit(f"{out}: loads with max_seq_length {loaded.max_seq_length}, want {MAX_LENGTH}")
    if not isinstance(loaded.activation_fn, torch.nn.Sigmoid):
        raise SystemExit(f"{out}: default activation {loaded.activation_fn}, want Sigmoid")
    docs = fixture_corpus()[:10]
    write(f"{name}.reference.json", {
        "generator": versions(),
        "max_length": MAX_LENGTH,
        "num_labels": 1,
        "pairs": [list(p) for p in pairs],
        "input_ids": [loaded.tokenizer([a], [b], truncation=True, max_length=MAX_LENGTH)["input_ids"][0] for a, b in pairs],
        "logits": float_rows(np.asarray(loaded.predict(pairs, activation_fn=torch.nn.Identity(), batch_size=8)).reshape(len(pairs), -1)),
        "scores": float_rows(np.asarray(loaded.predict(pairs, batch_size=8)).reshape(len(pairs), -1)),
        "rank": [
            {"query": query, "documents": docs, "results": [{"corpus_id": int(r["corpus_id"]), "score": float(r["score"])} for r in loaded.rank(query, docs)]}
            for query in ("a cat outside", "How do I install a package?")
        ],
    })
    drop_torch_weights(out)


# ---------------------------------------------------------------------------------------------
# A graph that asks for an input the pipeline does not make


def make_past_key_values_graph() -> None:
    """A few-node stand-in for a text-generation export with a KV cache (Optimum's
    `--task text-generation-with-past`), whose past_key_values.0.key input an embedding pipeline
    has nothing to feed: loading it must fail with ERR_MODEL_LOAD naming the input, since the
    graph's input names decide what is fed."""
    import onnx
    from onnx import TensorProto, helper

    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask")]
    inputs.append(helper.make_tensor_value_info("past_key_values.0.key", TensorProto.FLOAT, ["batch_size", 2, "past_sequence_length", 8]))
    nodes = [
        helper.make_node("Mul", ["input_ids", "attention_mask"], ["masked"]),
        helper.make_node("Cast", ["masked"], ["as_float"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["as_float", "last_axis"], ["unsqueezed"]),
        helper.make_node("ReduceSum", ["past_key_values.0.key"], ["past_total"], keepdims=0),
        helper.make_node("Add", ["unsqueezed", "past_total"], ["last_hidden_state"]),
    ]
    last_axis = helper.make_tensor("last_axis", TensorProto.INT64, [1], [2])
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [1])
    graph = helper.make_graph(nodes, "past_key_values_input", inputs, [output], initializer=[last_axis])
    model = helper.make_model(graph, producer_name="sentencekit-fixtures", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(FIXTURES / "onnx-past-key-values.onnx"))


def main() -> None:
    make_mpnet()
    make_roberta_cross_encoder()
    make_past_key_values_graph()


if __name__ == "__main__":
    main()
