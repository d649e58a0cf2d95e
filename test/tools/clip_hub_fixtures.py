"""The Hub's clip-ViT-B-32 folder exactly as it ships (issue 23), at tiny dimensions: no
tokenizer.json and no model.safetensors, only what sentence-transformers 2.0 / transformers 4.7
wrote, with Python sentence-transformers 6.0.1 references.

    python test/tools/clip_hub_fixtures.py      # also run by `npm run fixtures`

Writes
- test/fixtures/tiny-clip-hub-bin: modules.json → sentence_transformers.models.CLIPModel at
  0_CLIPModel/ holding config.json (with text_config_dict / vision_config_dict), merges.txt ("#version: 0.2" first), preprocessor_config.json
  (integer size / crop_size), pytorch_model.bin (torch.save of the state dict, zip format, with the
  int64 position_ids buffers transformers < 4.31 kept in it), special_tokens_map.json and
  tokenizer_config.json (the special tokens as AddedToken objects with normalized: true, as
  openai/clip-vit-base-patch32's are), vocab.json. The weights are clip_fixtures.py's tiny CLIP.
- test/fixtures/tiny-clip-multilingual-bin: clip_fixtures.py's multilingual student with its
  weights (transformer and Dense) as pytorch_model.bin only, as clip-ViT-B-32-multilingual-v1
  was first saved.
- test/fixtures/tiny-clip-hub-bin.images/*.png|jpg: three small images (odd sizes, grayscale,
  alpha), encoded by file name.
- test/fixtures/tiny-clip-hub-bin.reference.json:
  - pipeline: the tokenizer.json document transformers 5 builds from vocab.json + merges.txt
    (CLIPTokenizer: no tokenizer.json, so AutoTokenizer builds it from the two files), model
    vocabulary and merges by count;
  - texts / input_ids: sentence-transformers' own tokenize() of each text (truncated at 77);
  - full_texts / full_ids: the same tokenizer without truncation on the corpus, special-token
    spellings and whitespace cases; code_point_ids_sha256: sha256 of the ids (comma-joined) of
    every line of all code points (offsets_fixtures.py's lines, 64 a line), untruncated;
  - text_embeddings / image_embeddings: encode() of the texts and of the image files.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from sentence_transformers import SentenceTransformer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clip_fixtures import MAX_TOKENS, PROJECTION, clip_texts, clip_tokenizer, random_clip, student_model  # noqa: E402
from corpus import fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, float_rows, versions  # noqa: E402
from offsets_fixtures import code_point_lines  # noqa: E402

NAME = "tiny-clip-hub-bin"
# openai/clip-vit-base-patch32's special tokens: AddedToken objects, normalized (matched after the
# lowercasing normalizer), and pad a plain string.
ADDED = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": True}
SPECIALS = {
    "unk_token": {"content": "<|endoftext|>", **ADDED},
    "bos_token": {"content": "<|startoftext|>", **ADDED},
    "eos_token": {"content": "<|endoftext|>", **ADDED},
    "pad_token": "<|endoftext|>",
}


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def save_hub_folder(out: Path, model, tokenizer) -> None:
    """`model` (transformers' CLIPModel) and `tokenizer` (CLIPTokenizer) as clip-ViT-B-32's folder
    (bench/clip/make_hub_model.py saves a ViT-B/32-shaped one the same way)."""
    if out.exists():
        shutil.rmtree(out)
    module = out / "0_CLIPModel"
    module.mkdir(parents=True)
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        config = json.loads((work / "config.json").read_text())
    finally:
        shutil.rmtree(work)
    config["text_config"]["eos_token_id"] = 2  # as in the Hub's config: the text tower pools at the argmax id
    # transformers < 4.22 saved the dicts a CLIPConfig was made from beside the full configs;
    # transformers 5 builds each tower from its dict completed with the class defaults.
    config["text_config_dict"] = {key: config["text_config"][key] for key in (
        "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size", "max_position_embeddings",
        "bos_token_id", "eos_token_id", "pad_token_id")}
    config["vision_config_dict"] = {key: config["vision_config"][key] for key in (
        "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "image_size", "patch_size")}
    write_json(module / "config.json", config)
    state = dict(model.state_dict())
    # transformers < 4.31 registered position_ids as persistent buffers: the Hub's files hold them.
    state["text_model.embeddings.position_ids"] = torch.arange(MAX_TOKENS).unsqueeze(0)
    state["vision_model.embeddings.position_ids"] = torch.arange(model.vision_model.embeddings.num_positions).unsqueeze(0)
    torch.save(state, module / "pytorch_model.bin")

    vocab = tokenizer.get_vocab()
    (module / "vocab.json").write_text(json.dumps(dict(sorted(vocab.items(), key=lambda item: item[1])), ensure_ascii=False), encoding="utf-8")
    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    (module / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    write_json(module / "special_tokens_map.json", {key: value for key, value in SPECIALS.items()})
    write_json(module / "tokenizer_config.json", {
        **{key: ({**value, "__type": "AddedToken"} if isinstance(value, dict) else value) for key, value in SPECIALS.items()},
        "add_prefix_space": False, "errors": "replace", "do_lower_case": True, "name_or_path": "openai/clip-vit-base-patch32",
        "model_max_length": MAX_TOKENS, "special_tokens_map_file": "./special_tokens_map.json", "tokenizer_class": "CLIPTokenizer",
    })
    size = model.config.vision_config.image_size
    write_json(module / "preprocessor_config.json", {
        "crop_size": size, "do_center_crop": True, "do_normalize": True, "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": size,
    })
    write_json(out / "modules.json", [{"idx": 0, "name": "0", "path": "0_CLIPModel", "type": "sentence_transformers.models.CLIPModel"}])
    write_json(out / "config_sentence_transformers.json", {
        "__version__": {"sentence_transformers": "2.0.0", "transformers": "4.7.0", "pytorch": "1.9.0+cu102"}})


def save_student_bin(out: Path) -> None:
    """clip_fixtures.py's multilingual student (BERT → mean → Dense into the CLIP space) as
    clip-ViT-B-32-multilingual-v1 was first saved: the transformer's and the Dense layer's
    weights as pytorch_model.bin (the transformer's with its int64 position_ids buffer), no
    model.safetensors and no ONNX export."""
    work = Path(tempfile.mkdtemp())
    try:
        st, bert, dense = student_model(work, PROJECTION)
        if out.exists():
            shutil.rmtree(out)
        st.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)
    state = dict(bert.state_dict())
    state["embeddings.position_ids"] = torch.arange(bert.config.max_position_embeddings).unsqueeze(0)
    torch.save(state, out / "pytorch_model.bin")
    (out / "model.safetensors").unlink()
    torch.save(dict(dense.state_dict()), out / "2_Dense" / "pytorch_model.bin")
    (out / "2_Dense" / "model.safetensors").unlink()


def save_images(out: Path) -> list[str]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    y, x = np.mgrid[0:23, 0:37]
    rgb = np.stack([x * 7 % 256, y * 11 % 256, (x * y) % 256], axis=-1).astype(np.uint8)
    Image.fromarray(rgb).save(out / "gradient-37x23.png")
    gray = ((np.mgrid[0:41, 0:20][0] * 6) % 256).astype(np.uint8)
    Image.fromarray(gray).save(out / "gray-20x41.jpg", quality=90)
    rgba = np.concatenate([rgb[:, :31][:23], (np.arange(23 * 31).reshape(23, 31, 1) % 256).astype(np.uint8)], axis=-1)
    Image.fromarray(rgba).save(out / "rgba-31x23.png")
    return ["gradient-37x23.png", "gray-20x41.jpg", "rgba-31x23.png"]


def special_cases() -> list[str]:
    """Texts around the special tokens (normalized: true, so matched after lowercasing), CLIP's
    split pattern and its whitespace normalizer."""
    return [
        "<|startoftext|>", "<|endoftext|>", "<|ENDOFTEXT|>", "a<|endoftext|>b", "<|startoftext|> hi <|endoftext|>",
        "< |endoftext| >", "<|endoftext", "<|endoftext|><|endoftext|>", "<|EndOfText|>x<|StartOfText|>",
        "it's IT'S we'RE they've I'm you'll he'd 'S 'Ll", "don't won't", "a\u00a0b\u3000c\u2028d\u0085e\u200bf",
        "x\t\ty\n\nz\r\n", "   ", "", "Ǆ ǅ ǆ İstanbul ΣΑΣ ß ẞ", "e\u0301 A\u030a \u1e9b\u0323", "ｆｕｌｌｗｉｄｔｈ １２３",
        "12345 ٣٤٥ ⅷ ½", "emoji 🍕🏳️‍🌈👩🏽‍💻", "tab\tsep\u000bvt\u000cff", "\u0000\u0001\u007f\u0080\u009f",
        "a" * 300, " ".join(["word"] * 120), "ab" * 100 + " " + "ba" * 100,
    ]


def main() -> None:
    out = FIXTURES / NAME
    tokenizer = clip_tokenizer(fixture_corpus())
    save_hub_folder(out, random_clip(tokenizer), tokenizer)
    assert not (out / "0_CLIPModel" / "tokenizer.json").exists()
    image_names = save_images(FIXTURES / f"{NAME}.images")

    model = SentenceTransformer(str(out), device="cpu")
    tokenizer = model.tokenizer
    tokenizer = getattr(tokenizer, "tokenizer", tokenizer)
    if type(tokenizer).__name__ != "CLIPTokenizer":
        raise SystemExit(f"sentence-transformers loaded {type(tokenizer).__name__}, not CLIPTokenizer")
    if (out / "0_CLIPModel" / "tokenizer.json").exists() or (out / "0_CLIPModel" / "model.safetensors").exists():
        raise SystemExit("loading the folder wrote files into it")
    document = json.loads(tokenizer.backend_tokenizer.to_str())
    document["model"]["vocab"] = len(document["model"]["vocab"])
    document["model"]["merges"] = len(document["model"]["merges"])
    document.pop("truncation", None)
    document.pop("padding", None)

    texts = clip_texts() + special_cases()
    input_ids = []
    for text in texts:
        features = model.tokenize([text])
        input_ids.append([int(i) for i in features["input_ids"][0]])
    if max(len(ids) for ids in input_ids) != MAX_TOKENS:
        raise SystemExit("no text is truncated at 77 tokens")
    full_texts = fixture_corpus() + special_cases()
    full_ids = [tokenizer(text)["input_ids"] for text in full_texts]
    lines = code_point_lines()
    encoded = tokenizer(lines)["input_ids"]
    code_point_ids = [hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16] for ids in encoded]

    student_dir = FIXTURES / "tiny-clip-multilingual-bin"
    save_student_bin(student_dir)
    student = SentenceTransformer(str(student_dir), device="cpu")
    student_embeddings = student.encode(texts, batch_size=8)
    if any(p.name == "model.safetensors" for p in student_dir.rglob("*")):
        raise SystemExit("loading the student wrote model.safetensors into it")

    text_embeddings = model.encode(texts, batch_size=8)
    image_dir = FIXTURES / f"{NAME}.images"
    image_embeddings = model.encode([str(image_dir / name) for name in image_names], batch_size=8)
    (FIXTURES / f"{NAME}.reference.json").write_text(json.dumps({
        "generator": versions(),
        "tokenizer_class": type(tokenizer).__name__,
        "pipeline": document,
        "texts": texts,
        "input_ids": input_ids,
        "full_texts": full_texts,
        "full_ids": full_ids,
        "code_point_line_count": len(lines),
        "code_point_ids_sha256": code_point_ids,
        "text_embeddings": float_rows(text_embeddings),
        "image_files": image_names,
        "image_embeddings": float_rows(image_embeddings),
        # tiny-clip-multilingual-bin's encode() of the texts.
        "student_embeddings": float_rows(student_embeddings),
    }, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
