"""A ViT-B/32-shaped random-weight CLIP for the images/s bench (not committed): the vision tower of
clip-ViT-B-32 (224 px, patch 32, hidden 768, 12 layers, 12 heads, MLP 3072, projection 512) and
its text tower (hidden 512, 12 layers, 8 heads), the tiny fixture's tokenizer (the vocabulary
only changes the token table, which images never read), saved by sentence-transformers 6; an
ONNX export of the vision tower with projection for transformers.js beside it, and the same
vision export with one of the text tower in the model's onnx/ (transformers.js's layout, for
sentencekit's backend 'onnx'); and bench images: JPEG photos of smooth random colour fields at
camera-like sizes.

    test/tools/.venv/bin/python bench/clip/make_model.py /tmp/clip-bench [--images 64]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "tools"))
from clip_fixtures import clip_tokenizer  # noqa: E402
from corpus import fixture_corpus  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from sentence_transformers.base.modules.transformer import Transformer  # noqa: E402
from transformers import (CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTextModelWithProjection,  # noqa: E402
                          CLIPVisionModelWithProjection)


def vit_b32_clip(tokenizer) -> CLIPModel:
    """clip-ViT-B-32's shape, random weights (seed 32)."""
    torch.manual_seed(32)
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=512, intermediate_size=2048, num_hidden_layers=12,
                         num_attention_heads=8, eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id,
                         pad_token_id=tokenizer.pad_token_id),
        vision_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=224, patch_size=32),
        projection_dim=512,
    )
    return CLIPModel(config).eval()


def make_model(out: Path) -> None:
    tokenizer = clip_tokenizer(fixture_corpus())
    model = vit_b32_clip(tokenizer)
    work = out / "hf"
    shutil.rmtree(work, ignore_errors=True)
    model.save_pretrained(work)
    CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=tokenizer).save_pretrained(work)
    st_dir = out / "model"
    shutil.rmtree(st_dir, ignore_errors=True)
    SentenceTransformer(modules=[Transformer(str(work))], device="cpu").save(str(st_dir))

    # transformers.js: CLIPVisionModelWithProjection reads onnx/vision_model.onnx (pixel_values →
    # image_embeds) and the folder's config.json / preprocessor_config.json.
    js_dir = out / "transformers-js"
    shutil.rmtree(js_dir, ignore_errors=True)
    (js_dir / "onnx").mkdir(parents=True)
    vision = CLIPVisionModelWithProjection.from_pretrained(work).eval()

    class Embeds(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, pixel_values):
            return self.inner(pixel_values=pixel_values).image_embeds

    torch.onnx.export(Embeds(vision), (torch.zeros(1, 3, 224, 224),), str(js_dir / "onnx" / "vision_model.onnx"),
                      input_names=["pixel_values"], output_names=["image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}},
                      opset_version=17, dynamo=False)
    # sentencekit's ONNX Runtime path reads transformers.js's two towers from the module's onnx/.
    (st_dir / "onnx").mkdir()
    shutil.copy(js_dir / "onnx" / "vision_model.onnx", st_dir / "onnx" / "vision_model.onnx")
    text = CLIPTextModelWithProjection.from_pretrained(work).eval()

    class TextEmbeds(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids):
            return self.inner(input_ids=input_ids).text_embeds

    torch.onnx.export(TextEmbeds(text), (torch.tensor([[tokenizer.bos_token_id, 300, tokenizer.eos_token_id]]),),
                      str(st_dir / "onnx" / "text_model.onnx"), input_names=["input_ids"], output_names=["text_embeds"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "text_embeds": {0: "batch_size"}},
                      opset_version=17, dynamo=False)
    vision_config = json.loads((work / "config.json").read_text())
    (js_dir / "config.json").write_text(json.dumps({**vision_config["vision_config"], "model_type": "clip_vision_model",
                                                    "projection_dim": 512, "architectures": ["CLIPVisionModelWithProjection"]}))
    processor = json.loads((work / "processor_config.json").read_text())["image_processor"]
    (js_dir / "preprocessor_config.json").write_text(json.dumps(processor))
    shutil.rmtree(work)


def make_images(out: Path, count: int) -> None:
    folder = out / "images"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(7)
    sizes = [(640, 480), (800, 600), (1024, 768), (480, 640)]
    for i in range(count):
        width, height = sizes[i % len(sizes)]
        coarse = rng.integers(0, 256, size=(height // 32 + 1, width // 32 + 1, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((width, height), Image.BICUBIC)
        noise = rng.integers(-12, 13, size=(height, width, 3))
        pixels = np.clip(np.asarray(image, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"photo-{i:03d}.jpg", quality=90)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--images", type=int, default=64)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_images(args.out, args.images)
    make_model(args.out)


if __name__ == "__main__":
    main()
