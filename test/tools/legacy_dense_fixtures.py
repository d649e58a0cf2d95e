"""A bi-encoder whose Dense modules are saved the way sentence-transformers < 3 saved them:
config.json without module_input_name/module_output_name and the weights as pytorch_model.bin
(torch.save of the state dict). 2_Dense is float32 in the stream format of PyTorch < 1.6,
3_Dense float16 in the zip format (<stem>/data.pkl + raw storages) of later versions, as
half-precision checkpoints were shared. References come from Python sentence-transformers 6
loading that folder.

    python test/tools/legacy_dense_fixtures.py      # also run by `npm run fixtures`
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, bert_tokenizer, float_rows, random_bert, versions  # noqa: E402
from model_class_fixtures import drop_torch_weights  # noqa: E402
from onnx_export import export_onnx  # noqa: E402

NAME = "tiny-bert-dense-legacy"
MAX_SEQ_LENGTH = 128
SHAPE = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)


# The committed pytorch_model.bin files, read before the folder is rebuilt.
KEPT: dict[Path, dict] = {}
KEPT_BYTES: dict[Path, bytes] = {}


def remember_existing(out: Path) -> None:
    for target in out.glob("*_Dense/pytorch_model.bin"):
        KEPT[target] = torch.load(str(target), map_location="cpu", weights_only=True)
        KEPT_BYTES[target] = target.read_bytes()


def to_legacy_dense(folder: Path, dtype: torch.dtype, zip_format: bool) -> None:
    """Rewrites a Dense folder as sentence-transformers 2.x wrote it: torch.save(state_dict)
    into pytorch_model.bin and the four config keys of that time."""
    config = json.loads((folder / "config.json").read_text())
    legacy = {key: config[key] for key in ("in_features", "out_features", "bias", "activation_function")}
    (folder / "config.json").write_text(json.dumps(legacy, indent=2))
    from safetensors.torch import load_file

    state = load_file(str(folder / "model.safetensors"))
    # A state dict keeps its keys in an OrderedDict, as Module.state_dict() returns it.
    ordered = torch.nn.Module().state_dict()
    for key in ("linear.weight", "linear.bias"):
        ordered[key] = state[key].to(dtype)
    target = folder / "pytorch_model.bin"
    kept = KEPT.get(target)
    same_format = kept is not None and KEPT_BYTES[target].startswith(b"PK") == zip_format
    if same_format and kept.keys() == ordered.keys() and all(torch.equal(kept[k], ordered[k]) and kept[k].dtype == ordered[k].dtype for k in ordered):
        # torch.save writes a random serialization_id (zip) or memory addresses as storage
        # keys (stream): keep the committed file when its tensors and format are the same, so
        # regenerating leaves the fixture byte-identical.
        target.write_bytes(KEPT_BYTES[target])
    else:
        torch.save(ordered, str(target), _use_new_zipfile_serialization=zip_format)
    (folder / "model.safetensors").unlink()


def main() -> None:
    out = FIXTURES / NAME
    work = Path(tempfile.mkdtemp())
    model = random_bert(seed=8765, **SHAPE)
    model.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=MAX_SEQ_LENGTH)
    torch.manual_seed(123)
    modules = [
        transformer,
        Pooling(8, pooling_mode="mean"),
        Dense(8, 12, activation_function=torch.nn.Tanh()),
        Dense(12, 6, activation_function=torch.nn.Identity()),
        Normalize(),
    ]
    st = SentenceTransformer(modules=modules, device="cpu")
    remember_existing(out)
    if out.exists():
        shutil.rmtree(out)
    st.save(str(out))
    (out / "README.md").unlink(missing_ok=True)
    to_legacy_dense(out / "2_Dense", torch.float32, zip_format=False)
    to_legacy_dense(out / "3_Dense", torch.float16, zip_format=True)
    export_onnx(model, out / "onnx" / "model.onnx")

    texts = fixture_corpus()
    loaded = SentenceTransformer(str(out), device="cpu")
    reference = {
        "generator": versions(),
        "texts": texts,
        "embeddings": float_rows(loaded.encode(texts, batch_size=8)),
    }
    (FIXTURES / f"{NAME}.reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n", encoding="utf-8")
    drop_torch_weights(out)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
