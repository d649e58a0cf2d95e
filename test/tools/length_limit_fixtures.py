"""References for length limits set at load and after it, as Python sentence-transformers 6.0.1
applies them: max_seq_length 128 and 512 on long single texts, max_length 128 and 512 on long
pairs (truncated longest_first by `tokenizers`), truncation_side "left" from
tokenizer_config.json, truncate_dim given at load, and a max_seq_length set past the model's
512 positions.

    python test/tools/length_limit_fixtures.py      # also run by `npm run fixtures`

Reads test/fixtures/tiny-bert (its model.safetensors and its ONNX export hold the same weights)
and test/fixtures/int8-engine/tiny-splade (the weights of test/fixtures/tiny-splade's ONNX
export). Writes test/fixtures/tiny-ce-long (a BERT cross-encoder with 512 positions and a
small WordPiece vocabulary, so long pairs cost few bytes, with its ONNX export) and
test/fixtures/length-limits.reference.json.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from sentence_transformers import CrossEncoder, SentenceTransformer, SparseEncoder
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import LONG_ENGLISH  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions, widen_init  # noqa: E402
from model_class_fixtures import Logits  # noqa: E402
from onnx_export import INPUT_NAMES  # noqa: E402

POSITIONS = 512
LENGTHS = (128, 512)
PAST_POSITIONS = 600
TRUNCATE_DIM = 16
MAX_ACTIVE_DIMS = 64
SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
WORDS = sorted(set(LONG_ENGLISH.lower().replace(",", " ").replace(".", " ").split())) + [
    "the", "cat", "sits", "outside", "reranker", "passage", "query", "Zürich", "naïve", "北京", "emoji", "🍕",
    "3.14159", "e-mail", "don't", "C++", "node.js", "(really)", "ÅNGSTRÖM",
]


def words(count: int, seed: int) -> str:
    """`count` words drawn from WORDS with a fixed seed: prose-like, with accents, CJK, emoji,
    numbers and punctuation, so tokenizers split them in every way."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


def long_texts() -> list[str]:
    """Single texts from a few tokens to well past 512."""
    return [
        "short text",
        words(60, 1),
        words(150, 2),
        words(400, 3),
        words(700, 4),
        LONG_ENGLISH * 12,
        ("word " * 900).strip(),
        " ".join(f"token{i}" for i in range(400)),
        "",
    ]


def long_pairs() -> list[tuple[str, str]]:
    """Pairs on both sides of every longest_first case at 128 and at 512: one side short enough
    to keep whole, both long (an even and an odd budget split), the longer one first or second,
    equal lengths, and an empty side."""
    return [
        ("a short query", words(700, 10)),
        (words(700, 11), "a short passage"),
        (words(90, 12), words(700, 13)),
        (words(300, 14), words(800, 15)),
        (words(800, 16), words(300, 17)),
        (words(400, 18), words(400, 18)),
        (words(250, 19), words(260, 20)),
        (words(60, 21), words(70, 22)),
        ("", words(600, 23)),
        (words(600, 24), ""),
        (LONG_ENGLISH * 10, LONG_ENGLISH * 7),
    ]


def write(name: str, value) -> None:
    (FIXTURES / name).write_text(json.dumps(value, ensure_ascii=False) + "\n", encoding="utf-8")


def token_counts(tokenizer, texts: list[str], max_length: int) -> list[int]:
    return [len(tokenizer(text, truncation=True, max_length=max_length)["input_ids"]) for text in texts]


def past_positions(model, texts: list[str], run) -> dict:
    """What Python does with a limit past the model's positions: a text that fits still encodes;
    one that runs past them raises (torch's embedding lookup)."""
    model.max_seq_length = PAST_POSITIONS
    fits = float_rows(np.asarray(run([texts[0]])))
    try:
        run([texts[-1]])
        raise SystemExit(f"sentence-transformers encoded a text past {POSITIONS} positions")
    except (IndexError, RuntimeError) as error:
        raised = type(error).__name__
    return {"max_seq_length": PAST_POSITIONS, "fits": {"text": texts[0], "output": fits}, "too_long": {"text": texts[-1], "raises": raised}}


def truncating_left(folder: Path, into: Path) -> Path:
    """A copy of `folder` whose tokenizer_config.json says truncation_side "left"."""
    copy = into / folder.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("onnx"))
    config_file = copy / "tokenizer_config.json"
    config_file.write_text(json.dumps({**json.loads(config_file.read_text(encoding="utf-8")), "truncation_side": "left"}), encoding="utf-8")
    return copy


def sentence_transformer_reference() -> dict:
    folder = FIXTURES / "tiny-bert"
    texts = long_texts()
    st = SentenceTransformer(str(folder), device="cpu")
    loaded = st.max_seq_length
    out: dict = {"model": "tiny-bert", "loaded_max_seq_length": loaded, "by_length": {}}
    for length in LENGTHS:
        st.max_seq_length = length
        out["by_length"][str(length)] = {
            "token_counts": token_counts(st.tokenizer, texts, length),
            "embeddings": float_rows(st.encode(texts, batch_size=4)),
        }
    truncated = SentenceTransformer(str(folder), device="cpu", truncate_dim=TRUNCATE_DIM)
    out["truncate_dim"] = {
        "truncate_dim": TRUNCATE_DIM,
        "embedding_dimension": truncated.get_embedding_dimension(),
        "embeddings": float_rows(truncated.encode(texts, batch_size=4)),
    }
    long_enough = words(700, 99)
    out["past_positions"] = past_positions(st, ["short text", long_enough], lambda batch: st.encode(batch))
    with tempfile.TemporaryDirectory() as tmp:
        left = SentenceTransformer(str(truncating_left(folder, Path(tmp))), device="cpu")
        if left.tokenizer.truncation_side != "left":
            raise SystemExit("tokenizer_config.json's truncation_side did not reach the tokenizer")
        embeddings = left.encode(texts, batch_size=4)
        out["truncation_left"] = {"embeddings": float_rows(embeddings)}
        # tokenizer.json's truncation direction counts the same when tokenizer_config.json is silent.
        json_left = truncating_left(folder, Path(tmp) / "json")
        config_file, tokenizer_file = json_left / "tokenizer_config.json", json_left / "tokenizer.json"
        config = json.loads(config_file.read_text(encoding="utf-8"))
        del config["truncation_side"]
        config_file.write_text(json.dumps(config), encoding="utf-8")
        tokenizer = json.loads(tokenizer_file.read_text(encoding="utf-8"))
        tokenizer["truncation"] = {"direction": "Left", "max_length": 512, "strategy": "LongestFirst", "stride": 0}
        tokenizer_file.write_text(json.dumps(tokenizer), encoding="utf-8")
        if not np.array_equal(SentenceTransformer(str(json_left), device="cpu").encode(texts, batch_size=4), embeddings):
            raise SystemExit("tokenizer.json's truncation direction does not truncate as truncation_side does")
    return out


def ce_vocabulary() -> list[str]:
    """A WordPiece vocabulary of a few hundred pieces: every character of the texts alone and as
    a continuation, and the words themselves, so long texts give many tokens from few weights."""
    chars = sorted({c for text in [*long_texts(), *(a + b for a, b in long_pairs())] for c in text.lower() if not c.isspace()})
    whole = sorted({w.lower() for w in WORDS if w.isalpha()})
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = specials + chars + [f"##{c}" for c in chars] + [w for w in whole if w not in chars]
    return list(dict.fromkeys(pieces))


def export_logits(model: BertForSequenceClassification, out_file: Path) -> None:
    """torch.onnx.export (opset 17, dynamo=False) of the logits over the three BERT inputs,
    checked against torch on a padded pair batch of in-vocabulary ids (the shared exporter's
    check batch uses bert-base-uncased ids, past this vocabulary)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    vocab = model.config.vocab_size
    ids = torch.randint(5, vocab, (3, 40), generator=torch.Generator().manual_seed(3))
    mask = torch.ones_like(ids)
    mask[1, 25:] = 0
    mask[2, 6:] = 0
    ids[mask == 0] = 0
    ids[:, 0] = 2
    types = torch.zeros_like(ids)
    types[0, 20:] = 1
    feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
    with torch.no_grad():
        expected = Logits(model)(ids, mask, types).numpy()
    dynamic = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        Logits(model),
        (ids[:2, :5], mask[:2, :5], types[:2, :5]),
        str(out_file),
        input_names=INPUT_NAMES,
        output_names=["logits"],
        dynamic_axes={**{name: dynamic for name in INPUT_NAMES}, "logits": {0: "batch_size"}},
        opset_version=17,
        do_constant_folding=True,
        dynamo=False,
    )
    got = onnxruntime.InferenceSession(str(out_file), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    diff = float(np.abs(got - expected).max())
    if diff > 1e-5:
        raise SystemExit(f"{out_file}: ONNX differs from torch by {diff}")
    print(f"  {out_file.relative_to(FIXTURES)}: ONNX vs torch max |diff| {diff:.2e}")


def make_cross_encoder() -> Path:
    out = FIXTURES / "tiny-ce-long"
    work = Path(tempfile.mkdtemp())
    vocab = ce_vocabulary()
    tokenizer = BertTokenizerFast(vocab={piece: i for i, piece in enumerate(vocab)}, do_lower_case=True, model_max_length=POSITIONS)
    torch.manual_seed(61)
    config = BertConfig(vocab_size=len(vocab), max_position_embeddings=POSITIONS, type_vocab_size=2, num_labels=1, **SHAPE)
    config._attn_implementation = "eager"
    model = BertForSequenceClassification(config).eval()
    widen_init(model)
    # Spread the logits (std 0.5) on the pairs, as the other cross-encoder fixtures do.
    pairs = long_pairs()
    encoded = BertTokenizerFast(vocab={piece: i for i, piece in enumerate(vocab)}, do_lower_case=True)(
        [a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation=True, max_length=POSITIONS, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
        scale = 0.5 / logits.std(dim=0).clamp(min=1e-6)
        model.classifier.weight.mul_(scale[:, None])
        model.classifier.bias.copy_((model.classifier.bias - logits.mean(dim=0)) * scale)
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    ce = CrossEncoder(str(work), device="cpu")
    if out.exists():
        shutil.rmtree(out)
    ce.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    export_logits(model, out / "onnx" / "model.onnx")
    shutil.rmtree(work)
    return out


def cross_encoder_reference(folder: Path) -> dict:
    pairs = long_pairs()
    out: dict = {"model": "tiny-ce-long", "pairs": [list(p) for p in pairs], "by_max_length": {}}
    for length in LENGTHS:
        # Python's CrossEncoder(path, max_length=…), the load-time form.
        ce = CrossEncoder(str(folder), device="cpu", max_length=length)
        if ce.max_seq_length != length:
            raise SystemExit(f"CrossEncoder max_length {length} loads as {ce.max_seq_length}")
        tokenizer = ce.tokenizer
        firsts = [len(tokenizer(a, add_special_tokens=False)["input_ids"]) for a, _ in pairs]
        seconds = [len(tokenizer(b, add_special_tokens=False)["input_ids"]) for _, b in pairs]
        if not any(min(f, s) > (length - 3) // 2 for f, s in zip(firsts, seconds)):
            raise SystemExit(f"no pair at {length} truncates both sides")
        out["by_max_length"][str(length)] = {
            # Batched, as CrossEncoder.predict tokenizes pairs.
            "input_ids": [tokenizer([a], [b], truncation="longest_first", max_length=length)["input_ids"][0] for a, b in pairs],
            "logits": float_rows(np.asarray(ce.predict(pairs, activation_fn=torch.nn.Identity(), batch_size=4)).reshape(len(pairs), -1)),
        }
    with tempfile.TemporaryDirectory() as tmp:
        left = CrossEncoder(str(truncating_left(folder, Path(tmp))), device="cpu", max_length=128)
        out["truncation_left_128"] = {
            "input_ids": [left.tokenizer([a], [b], truncation="longest_first", max_length=128)["input_ids"][0] for a, b in pairs],
            "logits": float_rows(np.asarray(left.predict(pairs, activation_fn=torch.nn.Identity(), batch_size=4)).reshape(len(pairs), -1)),
        }
    ce = CrossEncoder(str(folder), device="cpu")
    out["loaded_max_length"] = ce.max_seq_length
    long_pair = (words(400, 98), words(400, 97))
    out["past_positions"] = past_positions(ce, [("a", "b"), long_pair],
                                           lambda batch: np.asarray(ce.predict(batch, activation_fn=torch.nn.Identity())).reshape(len(batch), -1))
    out["past_positions"]["fits"]["text"] = ["a", "b"]
    out["past_positions"]["too_long"]["text"] = list(long_pair)
    return out


def sparse_rows(embeddings) -> list[dict]:
    dense = embeddings.to_dense().numpy() if embeddings.is_sparse else embeddings.numpy()
    rows = []
    for row in dense:
        indices = np.nonzero(row)[0]
        rows.append({"indices": indices.tolist(), "values": [float(v) for v in row[indices].astype(np.float32)]})
    return rows


def sparse_encoder_reference() -> dict:
    splade = SparseEncoder(str(FIXTURES / "int8-engine" / "tiny-splade"), device="cpu")
    texts = long_texts()
    out: dict = {"model": "tiny-splade", "loaded_max_seq_length": splade.max_seq_length, "max_active_dims": MAX_ACTIVE_DIMS, "by_length": {}}
    for length in LENGTHS:
        splade.max_seq_length = length
        out["by_length"][str(length)] = {
            "token_counts": token_counts(splade.tokenizer, texts, length),
            # The 64 heaviest weights of each row keep the file small; truncation moves them too.
            "embeddings": sparse_rows(splade.encode(texts, batch_size=4, max_active_dims=MAX_ACTIVE_DIMS,
                                                    convert_to_tensor=True, convert_to_sparse_tensor=False)),
        }
    return out


def main() -> None:
    ce_folder = make_cross_encoder()
    write("length-limits.reference.json", {
        "generator": versions(),
        "positions": POSITIONS,
        "texts": long_texts(),
        "sentence_transformer": sentence_transformer_reference(),
        "cross_encoder": cross_encoder_reference(ce_folder),
        "sparse_encoder": sparse_encoder_reference(),
    })
    # The ONNX export holds the same weights for the tests; the torch ones only fed Python.
    (ce_folder / "model.safetensors").unlink()


if __name__ == "__main__":
    main()
