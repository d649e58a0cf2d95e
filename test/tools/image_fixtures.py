"""Test images and the pixel tensors Python's CLIP image processor makes of them (issue 23).

Writes test/fixtures/images/:
  files/                the images: odd sizes, L, LA, RGBA, P (with and without transparency), 16-bit
                        grey and RGB PNG, 1-bit PNG, 1x1, JPEG (4:2:0, 4:4:4, grey, CMYK), the eight EXIF
                        orientations (and EXIF-rotated WebP, PNG, TIFF), lossless and lossy WebP, GIF (plain,
                        transparent, animated), and raw interleaved pixel buffers (*.raw)
  hub-224/              the Hub's clip-ViT-B-32 preprocessor_config.json (integer size / crop_size)
  odd-crop/             an ST 6 style processor_config.json: shortest edge 35, crop 37x33 (pads rows, crops columns)
  nearest/ lanczos/ bilinear/ box/ hamming/
                        every other filter PIL numbers (resample 0, 1, 2, 4, 5), each with another way of
                        giving size and crop_size: {height, width} with an integer crop, {shortest_edge}
                        with a {height, width} crop, integers, a fixed size without cropping, a square
                        dict crop (FILTER_CONFIGS)
  reference.json        per config and image: how it is given (path, bytes or raw), the tensor's shape
                        and where its bytes are in the config's tensors file
  <config>.u8           the tensors before rescale / normalize, [3, H, W] uint8 each, concatenated
                        (all but odd-crop: only STORED's; every row has its tensor's sha256)

The tensors come from transformers' own processor loaded from those folders (AutoImageProcessor,
which picks CLIPImageProcessorPil: no torchvision in this venv) called with do_rescale and
do_normalize off; with them on it gives (u8 * rescale_factor - mean) / std in float32, which the
generator asserts, so the uint8 tensors hold everything the tests need. "path" inputs go to the
processor as path strings, as sentence-transformers hands over a file name (transformers'
load_image: EXIF orientation applied, then convert('RGB')); "bytes" inputs as Image.open() of the
file, as a PIL image passed to encode() (convert('RGB') only); "raw" as Image.fromarray.

The 8000 x 8000 image is not stored: its pixels are a formula (huge_pixels, mirrored in the
tests), only its tensors are.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image
from transformers import AutoImageProcessor

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("SENTENCEKIT_FIXTURES_OUT") or ROOT / "test" / "fixtures")
OUT = FIXTURES / "images"
FILES = OUT / "files"

OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]

# What clip-ViT-B-32's 0_CLIPModel/preprocessor_config.json holds on the Hub.
HUB_224 = {
    "crop_size": 224,
    "do_center_crop": True,
    "do_normalize": True,
    "do_resize": True,
    "feature_extractor_type": "CLIPFeatureExtractor",
    "image_mean": OPENAI_MEAN,
    "image_std": OPENAI_STD,
    "resample": 3,
    "size": 224,
}
# What sentence-transformers 6 saves: processor_config.json with the image processor nested.
ODD_CROP = {
    "image_processor": {
        "crop_size": {"height": 37, "width": 33},
        "do_center_crop": True,
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": OPENAI_MEAN,
        "image_processor_type": "CLIPImageProcessor",
        "image_std": OPENAI_STD,
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": 35},
    },
    "processor_class": "CLIPProcessor",
}

HUGE = 8000

# CLIPImageProcessor with each other PIL filter, and the other shapes get_size_dict accepts for
# size and crop_size (preprocessor_config.json, as the Hub's folders write it). Small outputs:
# what is compared is the resampling, not the size.
FILTER_CONFIGS = {
    "nearest": {"resample": 0, "size": {"height": 23, "width": 31}, "crop_size": 20},
    "lanczos": {"resample": 1, "size": {"shortest_edge": 26}, "crop_size": {"height": 24, "width": 22}},
    "bilinear": {"resample": 2, "size": 25, "crop_size": 21},
    "box": {"resample": 4, "size": {"height": 30, "width": 18}, "do_center_crop": False},
    "hamming": {"resample": 5, "size": {"shortest_edge": 19}, "crop_size": {"height": 19, "width": 19}},
}

# hub-224's tensors are 150 KB each: stored whole for the lossy decoders (where sentencekit's
# decoder may differ by a level and the test measures by how much) and the largest images;
# the rest only as the sha256 of their bytes, which lossless inputs must match exactly. The
# filter configs store the same ones.
STORED = {"cmyk.jpg", "photo-420.jpg", "photo-640x480.jpg", "exif-6.jpg", "gray.jpg", "lossy.webp", "rgb-320x240.png", "huge 8000x8000"}


def huge_pixels(size: int = HUGE) -> np.ndarray:
    """An RGB image with detail at every scale, from integer arithmetic the tests repeat:
    r = (7x + 3y) & 255, g = (x ^ y) & 255, b = ((x * y) >> 7) & 255."""
    pixels = np.empty((size, size, 3), dtype=np.uint8)
    x = np.arange(size, dtype=np.uint32)
    for top in range(0, size, 500):
        y = np.arange(top, min(top + 500, size), dtype=np.uint32)[:, None]
        pixels[top:top + len(y), :, 0] = (x * 7 + y * 3) & 255
        pixels[top:top + len(y), :, 1] = (x ^ y) & 255
        pixels[top:top + len(y), :, 2] = ((x * y) >> 7) & 255
    return pixels


def scene(width: int, height: int, seed: int, channels: int = 3, noise: float = 9.0) -> np.ndarray:
    """Smooth gradients, hard edges and a little noise: what resampling and JPEG both have to get right."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        phase = rng.uniform(0, 6.28)
        wave = 127.5 + 90 * np.sin(x / max(width, 1) * 6.1 + phase) * np.cos(y / max(height, 1) * 4.3 - phase)
        edges = np.where((x.astype(int) // 7 + y.astype(int) // 5 + c) % 3 == 0, 45.0, -30.0)
        planes.append(wave + edges + rng.normal(0, noise, size=(height, width)))
    return np.clip(np.stack(planes, axis=-1), 0, 255).round().astype(np.uint8)


def png16(path: Path, array: np.ndarray, color_type: int) -> None:
    """A 16-bit PNG, which PIL cannot write for RGB."""
    height, width = array.shape[:2]
    rows = b"".join(b"\x00" + array[row].astype(">u2").tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def write_images() -> list[dict]:
    """Writes the files; each entry: name, file, how it is given, and for raw inputs its shape."""
    FILES.mkdir(parents=True, exist_ok=True)
    entries: list[dict] = []

    def save(name: str, image: Image.Image, kind: str = "path", **params) -> None:
        image.save(FILES / name, **params)
        entries.append({"name": name, "file": f"files/{name}", "kind": kind})

    save("rgb-odd.png", Image.fromarray(scene(37, 23, 1)))
    save("rgb-tall.png", Image.fromarray(scene(19, 61, 2)))
    save("rgb-wide.png", Image.fromarray(scene(300, 20, 3)))
    save("rgb-5x7.png", Image.fromarray(scene(5, 7, 4)))
    save("rgb-2x3.png", Image.fromarray(scene(2, 3, 5)))
    save("pixel-1x1.png", Image.fromarray(np.array([[[200, 30, 90]]], dtype=np.uint8)))
    # Shortest edge already 35 (odd-crop's size): resized to its own size, which PIL copies.
    save("rgb-35x50.png", Image.fromarray(scene(35, 50, 6)))
    save("rgb-320x240.png", Image.fromarray(scene(320, 240, 7, noise=0)))
    save("gray.png", Image.fromarray(scene(45, 29, 8, 1)[..., 0], mode="L"))
    save("gray-alpha.png", Image.fromarray(scene(33, 27, 9, 2), mode="LA"))
    rgba = scene(41, 31, 10, 4)
    rgba[::4, ::3, 3] = 0  # fully transparent pixels keep their colour in convert('RGB')
    save("rgba.png", Image.fromarray(rgba, mode="RGBA"))
    palette_image = Image.fromarray(scene(29, 40, 11)).quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    save("palette.png", palette_image)
    transparent = palette_image.copy()
    transparent.info["transparency"] = 3
    save("palette-transparent.png", transparent, transparency=3)
    grey16 = (scene(31, 22, 12, 1)[..., 0].astype(np.uint32) * 257 - 1000).clip(0, 65535).astype(np.uint16)
    grey16[:4, :4] = np.arange(16, dtype=np.uint16).reshape(4, 4) * 20  # values under 256 survive PIL's clip
    save("gray16.png", Image.fromarray(grey16))
    png16(FILES / "rgb16.png", scene(27, 26, 13).astype(np.uint16) * 257 + 129, 2)
    entries.append({"name": "rgb16.png", "file": "files/rgb16.png", "kind": "path"})
    png16(FILES / "rgba16.png", scene(23, 25, 14, 4).astype(np.uint16) * 257, 6)
    entries.append({"name": "rgba16.png", "file": "files/rgba16.png", "kind": "path"})

    photo = Image.fromarray(scene(64, 48, 15))
    save("photo-420.jpg", photo, quality=90)
    save("photo-444.jpg", photo, quality=95, subsampling=0)
    save("photo-640x480.jpg", Image.fromarray(scene(640, 480, 16, noise=2)), quality=85)
    # CMYK: PIL converts with cmyk2rgb's arithmetic, libvips would apply a colour profile.
    save("cmyk.jpg", Image.fromarray(scene(34, 25, 23)).convert("CMYK"), quality=95)
    save("bilevel.png", Image.fromarray(scene(27, 19, 24, 1)[..., 0] > 128))
    save("gray.jpg", Image.fromarray(scene(50, 39, 17, 1)[..., 0], mode="L"), quality=90)
    base = Image.fromarray(scene(40, 26, 18))
    for orientation in range(1, 9):
        save(f"exif-{orientation}.jpg", base, quality=92, exif=exif_with_orientation(orientation))
    # The same file given as bytes: a PIL image passed to encode() is not EXIF-rotated.
    entries.append({"name": "exif-6.jpg as bytes", "file": "files/exif-6.jpg", "kind": "bytes"})
    entries.append({"name": "exif-3.jpg as bytes", "file": "files/exif-3.jpg", "kind": "bytes"})
    entries.append({"name": "rgba.png as bytes", "file": "files/rgba.png", "kind": "bytes"})
    save("lossless.webp", Image.fromarray(scene(35, 27, 19)), lossless=True)
    save("lossy.webp", Image.fromarray(scene(36, 28, 20)), quality=80)
    save("alpha.webp", Image.fromarray(scene(30, 34, 21, 4), mode="RGBA"), lossless=True)
    save("frame.gif", Image.fromarray(scene(26, 31, 22)).quantize(colors=32, dither=Image.Dither.NONE))
    # PIL gives a GIF's transparent pixels their palette colour; the first frame of an animation.
    save("transparent.gif", Image.fromarray(scene(26, 31, 25)).quantize(colors=32, dither=Image.Dither.NONE), transparency=5)
    frames = [Image.fromarray(scene(20, 16, seed)).quantize(colors=16, dither=Image.Dither.NONE) for seed in (26, 27, 28)]
    save("animated.gif", frames[0], save_all=True, append_images=frames[1:], duration=100, loop=0)
    # EXIF orientation outside JPEG: exif_transpose reads it from WebP, PNG (eXIf) and TIFF too.
    save("exif-6.webp", Image.fromarray(scene(30, 20, 29)), lossless=True, exif=exif_with_orientation(6))
    save("exif-6.png", Image.fromarray(scene(30, 20, 30)), exif=exif_with_orientation(6))
    save("exif-8.tiff", Image.fromarray(scene(30, 20, 31)), exif=exif_with_orientation(8))

    for channels, mode in ((1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")):
        pixels = scene(17 + channels, 13 + 2 * channels, 30 + channels, channels)
        name = f"raw-{mode.lower()}.raw"
        (FILES / name).write_bytes(pixels.tobytes())
        entries.append({"name": name, "file": f"files/{name}", "kind": "raw",
                        "width": pixels.shape[1], "height": pixels.shape[0], "channels": channels})
    entries.append({"name": "huge 8000x8000", "kind": "huge", "width": HUGE, "height": HUGE, "channels": 3})
    return entries


def python_input(entry: dict):
    """What sentence-transformers hands the processor for this entry."""
    kind = entry["kind"]
    if kind == "path":
        return str(OUT / entry["file"])
    if kind == "bytes":
        return Image.open(io.BytesIO((OUT / entry["file"]).read_bytes()))
    if kind == "huge":
        return Image.fromarray(huge_pixels())
    channels = entry["channels"]
    shape = (entry["height"], entry["width"]) + ((channels,) if channels > 1 else ())
    pixels = np.frombuffer((OUT / entry["file"]).read_bytes(), dtype=np.uint8).reshape(shape)
    return Image.fromarray(pixels, mode={1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels])


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    entries = write_images()
    configs = {"hub-224": ("preprocessor_config.json", HUB_224), "odd-crop": ("processor_config.json", ODD_CROP)}
    for name, settings in FILTER_CONFIGS.items():
        configs[name] = ("preprocessor_config.json", {**HUB_224, "do_center_crop": True, **settings})
    reference: dict = {"images": entries, "configs": {}}
    for config_name, (file_name, config) in configs.items():
        folder = OUT / config_name
        folder.mkdir(parents=True)
        (folder / file_name).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        if file_name == "processor_config.json":
            # AutoImageProcessor reads preprocessor_config.json; the processor folder's nested config is the same values.
            loader_dir = OUT / f".{config_name}-loader"
            loader_dir.mkdir()
            (loader_dir / "preprocessor_config.json").write_text(json.dumps(config["image_processor"]), encoding="utf-8")
            processor = AutoImageProcessor.from_pretrained(str(loader_dir))
            shutil.rmtree(loader_dir)
        else:
            processor = AutoImageProcessor.from_pretrained(str(folder))
        assert type(processor).__name__ == "CLIPImageProcessorPil", type(processor).__name__
        mean = np.array(processor.image_mean, dtype=np.float32).reshape(3, 1, 1)
        std = np.array(processor.image_std, dtype=np.float32).reshape(3, 1, 1)
        blob = bytearray()
        rows = []
        for entry in entries:
            raw = processor([python_input(entry)], do_rescale=False, do_normalize=False, return_tensors="np")["pixel_values"][0]
            assert raw.min() >= 0 and raw.max() <= 255 and np.all(raw == np.round(raw)), entry["name"]
            u8 = raw.astype(np.uint8)
            full = processor([python_input(entry)], return_tensors="np")["pixel_values"][0]
            rescaled = (u8.astype(np.float64) * processor.rescale_factor).astype(np.float32)
            assert np.array_equal((rescaled - mean) / std, full), entry["name"]
            row = {"name": entry["name"], "shape": list(u8.shape), "sha256": hashlib.sha256(u8.tobytes()).hexdigest()}
            if config_name == "odd-crop" or entry["name"] in STORED:
                row["offset"] = len(blob)
                blob += u8.tobytes()
            rows.append(row)
        (OUT / f"{config_name}.u8").write_bytes(bytes(blob))
        reference["configs"][config_name] = {"file": f"{config_name}/{file_name}", "tensors": f"{config_name}.u8", "rows": rows}
    import PIL
    import transformers
    reference["versions"] = {"pillow": PIL.__version__, "transformers": transformers.__version__,
                             "image_processor": "CLIPImageProcessorPil"}
    (OUT / "reference.json").write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
