"""The image benchmark's files: photo-sized JPEGs (and a few PNGs) drawn like the test fixtures
(test/tools/image_fixtures.py scene: gradients, edges, noise), written to the folder given.

    python bench/images/make_images.py <folder> [count]
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "tools"))
from image_fixtures import scene  # noqa: E402

# A mix of what an image index holds: phone-camera landscape and portrait, web sizes, a PNG screenshot.
SIZES = [(1600, 1200, "jpg"), (1200, 1600, "jpg"), (1024, 768, "jpg"), (640, 480, "jpg"), (800, 800, "png")]


def main() -> None:
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        width, height, kind = SIZES[i % len(SIZES)]
        image = Image.fromarray(scene(width, height, 1000 + i, noise=4))
        if kind == "jpg":
            image.save(out / f"image-{i:03d}.jpg", quality=88)
        else:
            image.save(out / f"image-{i:03d}.png")


if __name__ == "__main__":
    main()
