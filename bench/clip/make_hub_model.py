"""make_model.py's ViT-B/32-shaped random-weight CLIP in the Hub's exact layout, for the load-time
bench (bench/clip/load.ts): model-hub/ as sentence-transformers/clip-ViT-B-32 ships (0_CLIPModel/
with pytorch_model.bin and vocab.json + merges.txt, no tokenizer.json), and model-st/ with the
same weights as sentence-transformers 6 saves them (model.safetensors, tokenizer.json).

    test/tools/.venv/bin/python bench/clip/make_hub_model.py /tmp/clip-load
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parents[1] / "test" / "tools"))
from clip_fixtures import clip_tokenizer  # noqa: E402
from clip_hub_fixtures import save_hub_folder  # noqa: E402
from corpus import fixture_corpus  # noqa: E402
from make_model import vit_b32_clip  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from sentence_transformers.base.modules.transformer import Transformer  # noqa: E402
from transformers import CLIPImageProcessor, CLIPProcessor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = clip_tokenizer(fixture_corpus())
    model = vit_b32_clip(tokenizer)
    save_hub_folder(out / "model-hub", model, tokenizer)
    work = Path(tempfile.mkdtemp())
    try:
        model.save_pretrained(work)
        CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=tokenizer).save_pretrained(work)
        shutil.rmtree(out / "model-st", ignore_errors=True)
        SentenceTransformer(modules=[Transformer(str(work))], device="cpu").save(str(out / "model-st"))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
