"""A random-weight tiny CLIP in both sentence-transformers layouts, and a multilingual text-only
student distilled into its space (as clip-ViT-B-32-multilingual-v1 is), with Python
sentence-transformers 6.0.1 references.

    python test/tools/clip_fixtures.py      # also run by `npm run fixtures`

Writes
- test/fixtures/tiny-clip: what sentence-transformers 6 saves (the Transformer module at the
  root over transformers' CLIPModel, processor_config.json with size {"shortest_edge"}).
- test/fixtures/tiny-clip-hub: the Hub's layout of clip-ViT-B-32 (modules.json →
  sentence_transformers.models.CLIPModel at 0_CLIPModel/, preprocessor_config.json with plain
  integer size / crop_size, text_config.eos_token_id 2: the text tower pools at the argmax id).
  Same weights.
- test/fixtures/tiny-clip-multilingual: Transformer (BERT) → Pooling (mean) → Dense (no bias,
  Identity) into the CLIP space, its encoder as an ONNX export.
- image embeddings of test/fixtures/images/files (image_fixtures.py, which runs first) given by
  file name, as Python decodes them.
- test/fixtures/tiny-clip.pixels.bin: float32 [n, 3, size, size] pixel tensors (normalized, as
  CLIPImageProcessor hands them to the model), and test/fixtures/tiny-clip.reference.json:
  token ids, text embeddings, image embeddings of those pixels, the student's embeddings.

The tokenizer is CLIP's pipeline (transformers' CLIPTokenizer) over a byte-level BPE with the
</w> suffix trained on the fixture corpus, laid out as CLIP's vocabulary is (256 bytes, the same
with </w>, the merges, then <|startoftext|> <|endoftext|>).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.transformer import Transformer
from sentence_transformers.sentence_transformer.modules import Dense, Pooling
from tokenizers import Regex, normalizers, pre_tokenizers
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer
from transformers.convert_slow_tokenizer import bytes_to_unicode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import fixture_corpus  # noqa: E402
from make_fixtures import FIXTURES, bert_tokenizer, float_rows, random_bert, versions, widen_init  # noqa: E402
from onnx_export import export_onnx  # noqa: E402

CLIP_SPLIT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
MAX_TOKENS = 77
IMAGE_SIZE = 30  # 5 x 5 patches of 6: odd, and 26 tokens with the class token
PATCH_SIZE = 6
PROJECTION = 16
PIXEL_IMAGES = 5
# test/fixtures/images/files (image_fixtures.py) given to encode() as file names, as Python takes
# them (EXIF orientation applied, then convert("RGB")): one per decoder and colour layout.
IMAGE_FILES = ["photo-640x480.jpg", "exif-6.jpg", "rgba.png", "gray16.png", "palette.png", "lossy.webp", "rgb-35x50.png", "frame.gif"]
TEXT_SHAPE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4)
# A head width of 32 takes the AMX attention path where the CPU has it.
VISION_SHAPE = dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=2)
STUDENT_SHAPE = dict(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)


def clip_texts() -> list[str]:
    """The fixture corpus, one text far over 77 tokens (truncated), and one holding the
    end-of-text token literally (pooled at its first occurrence)."""
    long_text = " ".join(f"word{i} and more text" for i in range(60))
    return fixture_corpus() + [long_text, "before <|endoftext|> after the marker"]


def learn_merges(texts: list[str], count: int) -> list[tuple[str, str]]:
    """Byte-level BPE merges with CLIP's </w> suffix, learned on `texts` deterministically: the
    most frequent pair first, ties by the pair itself (tokenizers' BpeTrainer breaks ties in
    hash order, which changed the vocabulary run to run)."""
    normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False),
    ])
    words: dict[tuple[str, ...], int] = {}
    for text in texts:
        for piece, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)):
            symbols = tuple(piece[:-1]) + (piece[-1] + "</w>",)
            words[symbols] = words.get(symbols, 0) + 1
    merges: list[tuple[str, str]] = []
    while len(merges) < count:
        pairs: dict[tuple[str, str], int] = {}
        for symbols, frequency in words.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + frequency
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        if pairs[best] < 2:
            break
        merges.append(best)
        merged: dict[tuple[str, ...], int] = {}
        for symbols, frequency in words.items():
            out: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + frequency
        words = merged
    return merges


def clip_tokenizer(texts: list[str]) -> CLIPTokenizer:
    merges = learn_merges(texts, 450)
    byte_pieces = list(bytes_to_unicode().values())
    pieces = byte_pieces + [piece + "</w>" for piece in byte_pieces] + ["".join(m) for m in merges]
    pieces += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {piece: index for index, piece in enumerate(dict.fromkeys(pieces))}
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_TOKENS)


def random_clip(tokenizer: CLIPTokenizer) -> CLIPModel:
    torch.manual_seed(2323)
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), max_position_embeddings=MAX_TOKENS, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=tokenizer.bos_token_id, pad_token_id=tokenizer.pad_token_id, **TEXT_SHAPE),
        vision_config=dict(image_size=IMAGE_SIZE, patch_size=PATCH_SIZE, **VISION_SHAPE),
        projection_dim=PROJECTION,
    )
    model = CLIPModel(config)
    widen_init(model)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "layer_norm" in name or "layrnorm" in name:
                if name.endswith("weight"):
                    parameter.uniform_(0.5, 1.5)
                else:
                    parameter.normal_(0.0, 0.05)
    return model.eval()


def save_st6(model: CLIPModel, tokenizer: CLIPTokenizer, out: Path) -> None:
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        processor = CLIPProcessor(
            image_processor=CLIPImageProcessor(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}),
            tokenizer=tokenizer)
        processor.save_pretrained(work)
        st = SentenceTransformer(modules=[Transformer(str(work))], device="cpu")
        if out.exists():
            shutil.rmtree(out)
        st.save(str(out))
    finally:
        shutil.rmtree(work)
    (out / "README.md").unlink(missing_ok=True)


def save_hub_layout(st6: Path, out: Path) -> None:
    """clip-ViT-B-32's layout: the module in 0_CLIPModel/ as sentence-transformers < 5.4's
    CLIPModel.save wrote it (CLIPModel.save_pretrained + CLIPProcessor.save_pretrained of that
    time: preprocessor_config.json with integer sizes, vocab.json + merges.txt beside
    tokenizer.json), the config's eos_token_id still 2."""
    if out.exists():
        shutil.rmtree(out)
    module = out / "0_CLIPModel"
    module.mkdir(parents=True)
    for name in ("model.safetensors", "tokenizer.json"):
        shutil.copy(st6 / name, module / name)
    config = json.loads((st6 / "config.json").read_text())
    config["text_config"]["eos_token_id"] = 2
    (module / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    processor = json.loads((st6 / "processor_config.json").read_text())["image_processor"]
    (module / "preprocessor_config.json").write_text(json.dumps({
        "crop_size": processor["crop_size"]["height"], "do_center_crop": True, "do_normalize": True, "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": processor["image_mean"],
        "image_std": processor["image_std"], "resample": 3, "size": processor["size"]["shortest_edge"],
    }, indent=2) + "\n")
    tokenizer_json = json.loads((st6 / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = tokenizer_json["model"]["vocab"]
    (module / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False) + "\n", encoding="utf-8")
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer_json["model"]["merges"]]
    (module / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    specials = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}
    (module / "special_tokens_map.json").write_text(json.dumps(specials, indent=2) + "\n")
    (module / "tokenizer_config.json").write_text(json.dumps({
        **specials, "model_max_length": MAX_TOKENS, "do_lower_case": True, "errors": "replace",
        "tokenizer_class": "CLIPTokenizer", "processor_class": "CLIPProcessor",
    }, indent=2) + "\n")
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "0_CLIPModel", "type": "sentence_transformers.models.CLIPModel"}], indent=2) + "\n")
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "__version__": {"sentence_transformers": "2.0.0", "transformers": "4.7.0", "pytorch": "1.9.0+cu102"}}, indent=2) + "\n")


def student_model(work: Path, projection: int) -> tuple[SentenceTransformer, torch.nn.Module, Dense]:
    """The multilingual student (BERT → mean → Dense into the CLIP space), its BERT and tokenizer
    saved in `work`; the model, its BERT and its Dense layer."""
    bert = random_bert(seed=4242, **STUDENT_SHAPE)
    bert.save_pretrained(work)
    bert_tokenizer().save_pretrained(work)
    transformer = Transformer(str(work), max_seq_length=128)
    torch.manual_seed(4343)
    dense = Dense(STUDENT_SHAPE["hidden_size"], projection, bias=False, activation_function=torch.nn.Identity())
    widen_init(dense)
    st = SentenceTransformer(modules=[transformer, Pooling(STUDENT_SHAPE["hidden_size"], pooling_mode="mean"), dense], device="cpu")
    return st, bert, dense


def save_student(out: Path, projection: int, texts: list[str]) -> np.ndarray:
    """Saves the student and returns its embeddings of `texts`, encoded before the torch weights
    are dropped (its ONNX export holds them for the tests)."""
    work = Path(tempfile.mkdtemp())
    try:
        st, bert, _ = student_model(work, projection)
        if out.exists():
            shutil.rmtree(out)
        st.save(str(out))
        (out / "README.md").unlink(missing_ok=True)
        export_onnx(bert, out / "onnx" / "model.onnx")
        embeddings = SentenceTransformer(str(out), device="cpu").encode(texts, batch_size=8)
        (out / "model.safetensors").unlink()
    finally:
        shutil.rmtree(work)
    return embeddings


def main() -> None:
    texts = clip_texts()
    tokenizer = clip_tokenizer(fixture_corpus())
    model = random_clip(tokenizer)
    st6_dir, hub_dir = FIXTURES / "tiny-clip", FIXTURES / "tiny-clip-hub"
    save_st6(model, tokenizer, st6_dir)
    save_hub_layout(st6_dir, hub_dir)
    st6 = SentenceTransformer(str(st6_dir), device="cpu")
    hub = SentenceTransformer(str(hub_dir), device="cpu")

    text_embeddings = st6.encode(texts, batch_size=8)
    hub_text = hub.encode(texts, batch_size=8)
    if not np.allclose(text_embeddings, hub_text, atol=1e-6):
        raise SystemExit(f"the Hub layout's text embeddings differ by {np.abs(text_embeddings - hub_text).max()}")
    input_ids = [st6.tokenizer(text, truncation=True, max_length=MAX_TOKENS)["input_ids"] for text in texts]
    if max(len(ids) for ids in input_ids) != MAX_TOKENS:
        raise SystemExit("no fixture text is truncated at 77 tokens")

    generator = torch.Generator().manual_seed(77)
    pixels = torch.randn(PIXEL_IMAGES, 3, IMAGE_SIZE, IMAGE_SIZE, generator=generator)
    with torch.no_grad():
        image_embeddings = model.get_image_features(pixel_values=pixels)
        image_embeddings = getattr(image_embeddings, "pooler_output", image_embeddings).numpy()
    (FIXTURES / "tiny-clip.pixels.bin").write_bytes(pixels.numpy().astype("<f4").tobytes())

    image_dir = FIXTURES / "images" / "files"
    file_embeddings = st6.encode([str(image_dir / name) for name in IMAGE_FILES], batch_size=8)

    student_dir = FIXTURES / "tiny-clip-multilingual"
    student_embeddings = save_student(student_dir, PROJECTION, texts)
    (FIXTURES / "tiny-clip.reference.json").write_text(json.dumps({
        "generator": versions(),
        "max_tokens": MAX_TOKENS,
        "image_size": IMAGE_SIZE,
        "pixel_images": PIXEL_IMAGES,
        "texts": texts,
        "input_ids": input_ids,
        "text_embeddings": float_rows(text_embeddings),
        # get_image_features of tiny-clip.pixels.bin: what encode() returns for images once
        # CLIPImageProcessor has made those tensors.
        "image_embeddings": float_rows(image_embeddings),
        "student_embeddings": float_rows(student_embeddings),
        # encode() of test/fixtures/images/files/<name> given as file names (decoded by PIL,
        # prepared by CLIPImageProcessor's PIL backend).
        "image_files": IMAGE_FILES,
        "image_file_embeddings": float_rows(file_embeddings),
    }, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
