"""Writes the seed corpora of the native parser fuzz targets into test/fuzz/corpus/<target>/.

Small hand-made inputs that reach each parser's deep paths (a loadable micro model for the CPU
engine, tiny ONNX graphs, a SentencePiece charsmap with a few rules); the fixtures' large files
(tokenizer.json, XLM-R's 240 KB charsmap) are added as seeds at run time by parsers.sh instead
of being committed twice. Run with the fixture tools' Python:
    test/tools/.venv/bin/python test/fuzz/make_seeds.py
The output is deterministic (fixed seeds), so a re-run changes nothing.
"""
import io
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent / "corpus"
SEPARATOR = b"\n--safetensors--\n"


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def safetensors_bytes(tensors, dtype="F32", metadata=None):
    """tensors: name -> float32 array. Written in sorted order as safetensors does."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        array = np.asarray(tensors[name], dtype=np.float32)
        if dtype == "F16":
            raw = array.astype(np.float16).tobytes()
        elif dtype == "BF16":
            raw = (array.view(np.uint32) >> 16).astype(np.uint16).tobytes()
        else:
            raw = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def micro_encoder(kind, rng, with_head=False):
    """config.json and tensors of a 1-layer encoder: hidden 8, 2 heads, vocab 16, 10 positions."""
    H, I, V, P = 8, 16, 16, 10
    config = {"model_type": kind, "vocab_size": V, "hidden_size": H, "num_hidden_layers": 1, "num_attention_heads": 2,
              "intermediate_size": I, "max_position_embeddings": P, "hidden_act": "gelu", "layer_norm_eps": 1e-12}
    t = {"embeddings.word_embeddings.weight": rng.normal(size=(V, H)),
         "embeddings.position_embeddings.weight": rng.normal(size=(P, H)),
         "embeddings.LayerNorm.weight": np.ones(H), "embeddings.LayerNorm.bias": np.zeros(H)}
    if kind == "mpnet":
        config["relative_attention_num_buckets"] = 4
        config["pad_token_id"] = 1
        names = ["attention.attn.q", "attention.attn.k", "attention.attn.v"]
        out, norm = "attention.attn.o", "attention.LayerNorm"
        t["encoder.relative_attention_bias.weight"] = rng.normal(size=(4, 2))
    else:
        config["type_vocab_size"] = 1 if kind == "roberta" else 2
        config["pad_token_id"] = 1 if kind == "roberta" else 0
        t["embeddings.token_type_embeddings.weight"] = rng.normal(size=(config["type_vocab_size"], H))
        names = ["attention.self.query", "attention.self.key", "attention.self.value"]
        out, norm = "attention.output.dense", "attention.output.LayerNorm"
    base = "encoder.layer.0."
    for name in names + [out]:
        t[base + name + ".weight"] = rng.normal(size=(H, H)) * 0.3
        t[base + name + ".bias"] = rng.normal(size=H) * 0.1
    t[base + "intermediate.dense.weight"] = rng.normal(size=(I, H)) * 0.3
    t[base + "intermediate.dense.bias"] = np.zeros(I)
    t[base + "output.dense.weight"] = rng.normal(size=(H, I)) * 0.3
    t[base + "output.dense.bias"] = np.zeros(H)
    for name in [norm, "output.LayerNorm"]:
        t[base + name + ".weight"] = np.ones(H)
        t[base + name + ".bias"] = np.zeros(H)
    if with_head:  # BERT's masked-LM head, its decoder tied to the word embeddings
        t["cls.predictions.transform.dense.weight"] = rng.normal(size=(H, H)) * 0.3
        t["cls.predictions.transform.dense.bias"] = np.zeros(H)
        t["cls.predictions.transform.LayerNorm.weight"] = np.ones(H)
        t["cls.predictions.transform.LayerNorm.bias"] = np.zeros(H)
        t["cls.predictions.bias"] = np.zeros(V)
    return config, t


def engine_and_header_seeds():
    rng = np.random.default_rng(20)
    for kind, dtype, head in [("bert", "F32", False), ("bert", "BF16", True), ("roberta", "F16", False), ("mpnet", "F32", False)]:
        config, tensors = micro_encoder(kind, rng, head)
        weights = safetensors_bytes(tensors, dtype, {"format": "pt"})
        config_text = json.dumps(config, indent=1).encode()
        write("cpu_engine", f"{kind}-{dtype.lower()}{'-mlm' if head else ''}", config_text + SEPARATOR + weights)
        write("encoder_config", f"{kind}.json", config_text)
        write("json", f"config-{kind}.json", config_text)
    write("safetensors", "f32", safetensors_bytes({"a": rng.normal(size=(2, 3)), "b": np.arange(4.0)}, "F32"))
    write("safetensors", "f16-metadata", safetensors_bytes({"x": rng.normal(size=(3,))}, "F16", {"format": "pt"}))
    write("safetensors", "bf16-scalar", safetensors_bytes({"w": np.array(1.5)}, "BF16"))
    write("safetensors", "empty-tensor", safetensors_bytes({"e": np.zeros((0, 4))}, "F32"))
    _, tensors = micro_encoder("bert", rng, True)
    write("safetensors", "bert-mlm-head", safetensors_bytes(tensors, "F16"))
    # A header that names shapes whose byte size overflows 64 bits.
    header = json.dumps({"a": {"dtype": "F32", "shape": [2**62, 8], "data_offsets": [0, 0]}}).encode()
    write("safetensors", "overflowing-shape", struct.pack("<Q", len(header)) + header)


def json_seeds():
    docs = {
        "nested": '{"a": [1, -2.5e-3, true, false, null, {"b": "c\\u00e9\\ud83d\\ude00"}], "d": {}}',
        "escapes": '["\\"\\\\\\/\\b\\f\\n\\r\\t", "\\ud800", "\\udc00x", "\\u0000"]',
        "numbers": "[0, -0, 1e308, 1e309, -1e-400, 9223372036854775807, 9223372036854775808, 12.5E+2]",
        "deep": "[" * 200 + "]" * 200,
        "utf8": '{"\xc3\xa9": "\xe2\x96\x81\xf0\x9f\x98\x80\xff\xc3"}',
    }
    for name, text in docs.items():
        write("json", name + ".json", text.encode("latin1") if name == "utf8" else text.encode())


def precompiled_seeds():
    import sentencepiece as spm
    with tempfile.TemporaryDirectory() as scratch:
        rules = Path(scratch) / "rules.tsv"
        # source code points (hex) -> target code points: letters, a ligature, a cluster, a deletion
        rules.write_text("41\t61\n" "FB01\t66 69\n" "65 301\tE9\n" "2460\t31\n" "FF71\t30A2\n" "200B\t\n")
        text = Path(scratch) / "text.txt"
        text.write_text("\n".join(["abc de fi", "e\u0301t\u00e9", "\u2460\uff71 A"] * 20))
        spm.SentencePieceTrainer.train(input=str(text), model_prefix=str(Path(scratch) / "m"), vocab_size=40, hard_vocab_limit=False, model_type="char",
                                       normalization_rule_tsv=str(rules), num_threads=1, minloglevel=2)
        from sentencepiece import sentencepiece_model_pb2 as model_pb2
        proto = model_pb2.ModelProto()
        proto.ParseFromString((Path(scratch) / "m.model").read_bytes())
        blob = proto.normalizer_spec.precompiled_charsmap
    text = "Af\ufb01 e\u0301 \u2460\uff71\u200b x\r\n\U0001F600\u0915\u093f".encode()
    write("precompiled", "rules", text + b"\xff\xfe" + blob)
    import base64
    write("precompiled", "rules-base64", text + b"\xff\xfe" + b"b" + base64.b64encode(blob))


def onnx_seeds():
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(21)

    def model(nodes, inputs, output, initializers):
        graph = helper.make_graph(nodes, "g", inputs, [output], initializers)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="sentencekit-fuzz-seed")
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m.SerializeToString()

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])
    types = helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "sequence"])
    positions = helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "sequence"])
    table = numpy_helper.from_array(rng.normal(size=(8, 4)).astype(np.float32), "table")
    hidden = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", 4])
    gather = helper.make_node("Gather", ["table", "input_ids"], ["embedded"])
    masked = [helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
              helper.make_node("Unsqueeze", ["mask_f", "axis"], ["mask3"]),
              helper.make_node("Mul", ["embedded", "mask3"], ["last_hidden_state"])]
    axis = numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis")
    write("onnx_load", "hidden-state.onnx", model([gather] + masked, [ids, mask], hidden, [table, axis]))
    # Token types and positions added in, as BERT and decoder exports take them.
    type_table = numpy_helper.from_array(rng.normal(size=(2, 4)).astype(np.float32), "type_table")
    position_table = numpy_helper.from_array(rng.normal(size=(8, 4)).astype(np.float32), "position_table")
    nodes = [gather, helper.make_node("Gather", ["type_table", "token_type_ids"], ["typed"]),
             helper.make_node("Gather", ["position_table", "position_ids"], ["placed"]),
             helper.make_node("Add", ["embedded", "typed"], ["sum1"]), helper.make_node("Add", ["sum1", "placed"], ["embedded2"]),
             masked[0], masked[1], helper.make_node("Mul", ["embedded2", "mask3"], ["last_hidden_state"])]
    write("onnx_load", "all-inputs.onnx", model(nodes, [ids, mask, types, positions], hidden, [table, type_table, position_table, axis]))
    # Classification logits [batch, 3] from the first token.
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    weight = numpy_helper.from_array(rng.normal(size=(4, 3)).astype(np.float32), "weight")
    zero = numpy_helper.from_array(np.array([0], dtype=np.int64), "zero")
    nodes = [gather, helper.make_node("Gather", ["embedded", "zero"], ["first"], axis=1),
             helper.make_node("Squeeze", ["first", "zero1"], ["cls"]), helper.make_node("MatMul", ["cls", "weight"], ["logits"])]
    zero1 = numpy_helper.from_array(np.array([1], dtype=np.int64), "zero1")
    write("onnx_load", "logits.onnx", model(nodes, [ids, mask], logits, [table, weight, zero, zero1]))


if __name__ == "__main__":
    engine_and_header_seeds()
    json_seeds()
    precompiled_seeds()
    onnx_seeds()
    for folder in sorted(ROOT.iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
