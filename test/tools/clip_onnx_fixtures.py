"""ONNX exports of clip_fixtures.py's random-weight tiny CLIP (test/fixtures/tiny-clip) in the
layouts people have, for sentencekit's ONNX Runtime path of CLIP models (issue 23).

    python test/tools/clip_onnx_fixtures.py      # after clip_fixtures.py; also run by `npm run fixtures`

Optimum is not installed here (nor on the local package mirror), so torch.onnx.export writes the
graphs exactly as Optimum's ONNX configs name their inputs and outputs:
- onnx/text_model.onnx: CLIPTextModelWithProjection (Optimum's clip-text-with-projection config,
  which transformers.js's Xenova/* repositories were converted with): input_ids only →
  text_embeds, last_hidden_state.
- onnx/vision_model.onnx: CLIPVisionModelWithProjection: pixel_values → image_embeds,
  last_hidden_state.
- onnx/text_model_quantized.onnx, onnx/vision_model_quantized.onnx: transformers.js's int8
  variants, onnxruntime's dynamic quantization as its scripts/quantize.py runs it (per channel,
  reduced range, uint8 weights).
- onnx/model.onnx: `optimum-cli export onnx --task feature-extraction` of CLIPModel (its CLIP
  config): input_ids, pixel_values, attention_mask → logits_per_image, logits_per_text,
  text_embeds, image_embeds. CLIPModel.forward L2-normalizes text_embeds and image_embeds.

Writes test/fixtures/tiny-clip-onnx (tiny-clip's folder without model.safetensors, so only the
exports can run it, plus those five graphs) and test/fixtures/tiny-clip-onnx.reference.json:
Python onnxruntime's outputs of the int8 towers on tiny-clip.reference.json's token ids (each
text alone) and tiny-clip.pixels.bin (one batch). The float32 graphs are checked here against sentence-transformers'
embeddings in tiny-clip.reference.json (the towers within 1e-5, model.onnx against the
normalized rows), so the parity tests compare sentencekit with sentence-transformers directly.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import CLIPModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import FIXTURES, float_rows, versions  # noqa: E402

SOURCE = FIXTURES / "tiny-clip"
OUT = FIXTURES / "tiny-clip-onnx"
OPSET = 17
MAX_ABS_DIFF = 1e-5


class TextTower(torch.nn.Module):
    """CLIPTextModelWithProjection's outputs from CLIPModel's weights (get_text_features)."""

    def __init__(self, model: CLIPModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        out = self.model.text_model(input_ids=input_ids)
        return self.model.text_projection(out.pooler_output), out.last_hidden_state


class VisionTower(torch.nn.Module):
    def __init__(self, model: CLIPModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        out = self.model.vision_model(pixel_values=pixel_values)
        return self.model.visual_projection(out.pooler_output), out.last_hidden_state


class WholeModel(torch.nn.Module):
    """CLIPModel.forward as Optimum exports it for feature-extraction."""

    def __init__(self, model: CLIPModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, pixel_values, attention_mask):
        out = self.model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask)
        return out.logits_per_image, out.logits_per_text, out.text_embeds, out.image_embeds


def export(module: torch.nn.Module, example: tuple, inputs: dict[str, dict[int, str]], outputs: dict[str, dict[int, str]], path: Path) -> None:
    torch.onnx.export(
        module.eval(),
        example,
        str(path),
        input_names=list(inputs),
        output_names=list(outputs),
        dynamic_axes={**inputs, **outputs},
        opset_version=OPSET,
        do_constant_folding=True,
        dynamo=False,
    )


def run(path: Path, feeds: dict[str, np.ndarray], output: str) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run([output], feeds)[0]


def check(name: str, got: np.ndarray, expected: np.ndarray) -> float:
    diff = float(np.abs(got - expected).max())
    if not diff <= MAX_ABS_DIFF:
        raise SystemExit(f"{name}: onnxruntime differs from sentence-transformers by {diff} (limit {MAX_ABS_DIFF})")
    return diff


def normalized(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def main() -> None:
    reference = json.loads((FIXTURES / "tiny-clip.reference.json").read_text(encoding="utf-8"))
    size, count = reference["image_size"], reference["pixel_images"]
    pixels = np.frombuffer((FIXTURES / "tiny-clip.pixels.bin").read_bytes(), dtype="<f4").reshape(count, 3, size, size).copy()
    model = CLIPModel.from_pretrained(str(SOURCE), attn_implementation="eager").eval()
    pad_id = model.config.text_config.pad_token_id or 0

    rows = reference["input_ids"]
    longest = max(len(ids) for ids in rows)
    input_ids = np.full((len(rows), longest), pad_id, dtype=np.int64)
    attention_mask = np.zeros((len(rows), longest), dtype=np.int64)
    for r, ids in enumerate(rows):
        input_ids[r, : len(ids)] = ids
        attention_mask[r, : len(ids)] = 1
    st_text = np.array(reference["text_embeddings"], dtype=np.float32)
    st_image = np.array(reference["image_embeddings"], dtype=np.float32)

    if OUT.exists():
        shutil.rmtree(OUT)
    shutil.copytree(SOURCE, OUT, ignore=shutil.ignore_patterns("model.safetensors"))
    onnx_dir = OUT / "onnx"
    onnx_dir.mkdir()

    ids_example = torch.from_numpy(input_ids[:2, :5].copy())
    pixels_example = torch.from_numpy(pixels[:2].copy())
    batch_seq = {0: "batch_size", 1: "sequence_length"}
    image_axes = {0: "batch_size", 1: "num_channels", 2: "height", 3: "width"}
    export(TextTower(model), (ids_example,), {"input_ids": batch_seq},
           {"text_embeds": {0: "batch_size"}, "last_hidden_state": batch_seq}, onnx_dir / "text_model.onnx")
    export(VisionTower(model), (pixels_example,), {"pixel_values": image_axes},
           {"image_embeds": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}}, onnx_dir / "vision_model.onnx")
    export(WholeModel(model), (ids_example, pixels_example, torch.ones_like(ids_example)),
           {"input_ids": {0: "text_batch_size", 1: "sequence_length"}, "pixel_values": {0: "image_batch_size", 1: "num_channels", 2: "height", 3: "width"},
            "attention_mask": {0: "text_batch_size", 1: "sequence_length"}},
           {"logits_per_image": {0: "image_batch_size", 1: "text_batch_size"}, "logits_per_text": {0: "text_batch_size", 1: "image_batch_size"},
            "text_embeds": {0: "text_batch_size"}, "image_embeds": {0: "image_batch_size"}},
           onnx_dir / "model.onnx")

    diffs = {
        "text_model": check("text_model.onnx", run(onnx_dir / "text_model.onnx", {"input_ids": input_ids}, "text_embeds"), st_text),
        "vision_model": check("vision_model.onnx", run(onnx_dir / "vision_model.onnx", {"pixel_values": pixels}, "image_embeds"), st_image),
    }
    whole = {"input_ids": input_ids, "pixel_values": pixels, "attention_mask": attention_mask}
    diffs["model_text"] = check("model.onnx text_embeds", run(onnx_dir / "model.onnx", whole, "text_embeds"), normalized(st_text))
    diffs["model_image"] = check("model.onnx image_embeds", run(onnx_dir / "model.onnx", whole, "image_embeds"), normalized(st_image))

    for tower in ("text_model", "vision_model"):
        quantize_dynamic(onnx_dir / f"{tower}.onnx", onnx_dir / f"{tower}_quantized.onnx", per_channel=True, reduce_range=True,
                         weight_type=QuantType.QUInt8)
    # Dynamic quantization scales each activation tensor by its own range, padding rows included,
    # so a row depends on the batch it ran in: each text runs alone (its own length, no padding).
    quantized_text = np.concatenate([
        run(onnx_dir / "text_model_quantized.onnx", {"input_ids": np.array([ids], dtype=np.int64)}, "text_embeds") for ids in rows])
    quantized_image = run(onnx_dir / "vision_model_quantized.onnx", {"pixel_values": pixels}, "image_embeds")

    (FIXTURES / "tiny-clip-onnx.reference.json").write_text(json.dumps({
        "generator": versions(),
        # max |onnxruntime − sentence-transformers| of each float32 graph at generation.
        "float32_max_abs_diff": diffs,
        # Python onnxruntime's outputs of the int8 towers on tiny-clip.reference.json's input_ids
        # (each text alone) and tiny-clip.pixels.bin (one batch of all five).
        "quantized_text_embeddings": float_rows(quantized_text),
        "quantized_image_embeddings": float_rows(quantized_image),
    }) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
