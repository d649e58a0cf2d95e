"""StaticEmbedding fixtures: random-weight static embedding models (a tokenizer plus one
embedding table, averaged per text by nn.EmbeddingBag) in the three layouts real models ship:

    static-bert        what sentence-transformers 6 saves (model.save()): StaticEmbedding at the
                       root (path "", key embedding.weight) + 1_Normalize; the BERT uncased
                       WordPiece tokenizer static-retrieval-mrl-en-v1 uses; query/document prompts
    static-xlmr-m2v    model2vec's layout (potion models): modules.json with path ".", key
                       "embeddings", model2vec's config.json, + 1_Normalize; a Unigram tokenizer
                       whose tokenizer.json truncates at 48 tokens (Python keeps that truncation)
    static-roberta-mrl the layout of static-retrieval-mrl-en-v1 (0_StaticEmbedding/, the type
                       string sentence_transformers.models.StaticEmbedding), no Normalize; a
                       byte-level BPE tokenizer; a float16 table (Python then encodes in float16)
    static-bert-bf16   static-bert's layout with a bfloat16 table (Python then encodes in bfloat16)
    static-bert-dense-bin  saved with safe_serialization=False (pytorch_model.bin for the table
                       and the Dense module, as sentence-transformers < 3 saved), a Dense module
                       (16 -> 12, tanh) between the table and Normalize

References come from Python sentence-transformers loading each saved folder: encode() as is,
with truncate_dim, with normalize_embeddings, and encode_query where a prompt is defined;
model.tokenize() and the tokenizer's decode_batch of each text's ids.

    python test/tools/static_embedding_fixtures.py      # also run by `npm run fixtures`
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Dense, Normalize, StaticEmbedding
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import LONG_ENGLISH, fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions  # noqa: E402

TOKENIZERS = FIXTURES / "tokenizers"
TRUNCATE_DIM = 8


def texts() -> list[str]:
    return fixture_corpus() + [
        "",
        " \t\n ",
        # special tokens typed in the text are looked up like any other (none are added)
        "[CLS] what is [MASK] here [SEP] <s> </s> <pad>",
        "weather weather weather in ny ny now?",
        # past any tokenizer limit: StaticEmbedding has no max_seq_length
        LONG_ENGLISH * 40,
        "Ünïcödé ﬁ ligatures, ＦＵＬＬＷＩＤＴＨ, combining e\u0301 and \u00e9, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ]


def table(rows: int, dim: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, dim, generator=generator)


def save_st6(out: Path) -> Path:
    tokenizer = Tokenizer.from_file(str(TOKENIZERS / "bert" / "tokenizer.json"))
    static = StaticEmbedding(tokenizer, embedding_weights=table(tokenizer.get_vocab_size(), 16, 22))
    model = SentenceTransformer(modules=[static, Normalize()], prompts={"query": "query: ", "document": ""})
    folder = out / "static-bert"
    model.save(str(folder))
    (folder / "README.md").unlink(missing_ok=True)  # a model card: nothing reads it
    return folder


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def save_model2vec(out: Path) -> Path:
    """The files model2vec's save_pretrained writes for a potion model (config.json with its own
    keys, model.safetensors holding "embeddings", tokenizer.json, modules.json pointing at ".")."""
    folder = out / "static-xlmr-m2v"
    folder.mkdir(parents=True)
    tokenizer = Tokenizer.from_file(str(TOKENIZERS / "xlmr" / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=48)
    tokenizer.save(str(folder / "tokenizer.json"))
    save_file({"embeddings": table(tokenizer.get_vocab_size(), 24, 23).contiguous()}, str(folder / "model.safetensors"))
    write_json(folder / "config.json", {
        "model_type": "model2vec", "architectures": ["StaticModel"], "tokenizer_name": "xlm-roberta-tiny",
        "apply_pca": 24, "apply_zipf": True, "hidden_dim": 24, "seq_length": 1000000, "normalize": True,
    })
    write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": ".", "type": "sentence_transformers.models.StaticEmbedding"},
        {"idx": 1, "name": "1", "path": "1_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    # Git keeps no empty folder; Normalize has no settings to save.
    write_json(folder / "1_Normalize" / "config.json", {})
    return folder


def save_static_retrieval(out: Path) -> Path:
    folder = out / "static-roberta-mrl"
    module = folder / "0_StaticEmbedding"
    module.mkdir(parents=True)
    tokenizer = Tokenizer.from_file(str(TOKENIZERS / "roberta" / "tokenizer.json"))
    tokenizer.save(str(module / "tokenizer.json"))
    weights = table(tokenizer.get_vocab_size(), 32, 24).half().contiguous()
    save_file({"embedding.weight": weights}, str(module / "model.safetensors"))
    write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "0_StaticEmbedding", "type": "sentence_transformers.models.StaticEmbedding"},
    ])
    write_json(folder / "config_sentence_transformers.json", {
        "__version__": {"sentence_transformers": "3.3.1"}, "prompts": {}, "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    return folder


def save_bf16(out: Path) -> Path:
    tokenizer = Tokenizer.from_file(str(TOKENIZERS / "bert" / "tokenizer.json"))
    weights = table(tokenizer.get_vocab_size(), 16, 27).bfloat16()
    model = SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights), Normalize()])
    folder = out / "static-bert-bf16"
    model.save(str(folder))
    (folder / "README.md").unlink(missing_ok=True)
    return folder


def save_dense_torch(out: Path) -> Path:
    tokenizer = Tokenizer.from_file(str(TOKENIZERS / "bert" / "tokenizer.json"))
    static = StaticEmbedding(tokenizer, embedding_weights=table(tokenizer.get_vocab_size(), 16, 25))
    torch.manual_seed(26)
    dense = Dense(16, 12, activation_function=torch.nn.Tanh())
    model = SentenceTransformer(modules=[static, dense, Normalize()])
    folder = out / "static-bert-dense-bin"
    model.save(str(folder), safe_serialization=False)
    (folder / "README.md").unlink(missing_ok=True)
    assert (folder / "pytorch_model.bin").exists() and not (folder / "model.safetensors").exists()
    return folder


def reference(folder: Path, inputs: list[str]) -> dict:
    model = SentenceTransformer(str(folder), device="cpu")
    assert isinstance(model[0], StaticEmbedding), type(model[0])

    def rows(**kwargs) -> list[list[float] | None]:
        # A float16 model normalizes an empty text's zero row into NaN (F.normalize's eps of
        # 1e-12 is 0 in float16); written as null, as JSON has no NaN.
        encoded = float_rows(model.encode(inputs, batch_size=7, convert_to_numpy=True, **kwargs).astype("float32"))
        return [None if any(value != value for value in row) else row for row in encoded]

    cases = {
        "default": rows(),
        "truncate": rows(truncate_dim=TRUNCATE_DIM),
        "truncate_normalized": rows(truncate_dim=TRUNCATE_DIM, normalize_embeddings=True),
    }
    if model.prompts.get("query"):
        cases["query"] = rows(prompt_name="query")
    encodings = model[0].tokenizer.encode_batch(inputs, add_special_tokens=False)
    # model.tokenize(): StaticEmbedding.preprocess's flat ids and each text's start in them.
    features = model.tokenize(inputs)
    return {
        "input_ids": features["input_ids"].tolist(),
        "offsets": features["offsets"].tolist(),
        "decoded": model[0].tokenizer.decode_batch([encoding.ids for encoding in encodings], skip_special_tokens=True),
        "dimension": model.get_embedding_dimension(),
        "dtype": str(model[0].embedding.weight.dtype).replace("torch.", ""),
        "truncate_dim": TRUNCATE_DIM,
        "token_counts": [len(encoding.ids) for encoding in encodings],
        "cases": cases,
    }


def main() -> None:
    inputs = texts()
    for name in ("static-bert", "static-xlmr-m2v", "static-roberta-mrl", "static-bert-dense-bin", "static-bert-bf16"):
        shutil.rmtree(FIXTURES / name, ignore_errors=True)
    folders = [save_st6(FIXTURES), save_model2vec(FIXTURES), save_static_retrieval(FIXTURES), save_dense_torch(FIXTURES),
               save_bf16(FIXTURES)]
    write_json(FIXTURES / "static-embedding.reference.json", {
        "versions": versions(),
        "texts": inputs,
        "models": {folder.name: reference(folder, inputs) for folder in folders},
    })


if __name__ == "__main__":
    main()
