// cpu-level-independent: the levels stage does not run this file again.
// Image inputs against Python (issue 23): every image of test/tools/image_fixtures.py, given as
// sentence-transformers gets it (a file name, a PIL image of the bytes, raw pixels), through
// preprocessImages (sharp decoding, native resize / crop / normalise) against transformers'
// CLIPImageProcessor (PIL backend) in seven configs: the Hub's clip-ViT-B-32 (224), an odd
// crop that pads rows and crops columns, and one for each other PIL filter (nearest, Lanczos,
// bilinear, box, Hamming) with the other ways of giving size and crop_size. The tensors are compared after undoing the
// normalisation: lossless inputs must be exact, lossy decoders (JPEG, lossy WebP) within one
// level (1/255); the largest difference seen is printed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type ImageInput } from '../../lib/image-input.js';
import { loadImageProcessorConfig, type ImageProcessorConfig } from '../../lib/image-processor-config.js';
import { preprocessImages } from '../../lib/image-preprocess.js';
import { FIXTURES } from '../helpers/fixtures.js';

const IMAGES = join(FIXTURES, 'images');

interface Entry { name: string; file?: string; kind: 'path' | 'bytes' | 'raw' | 'huge'; width?: number; height?: number; channels?: 1 | 2 | 3 | 4 }
interface Row { name: string; shape: [number, number, number]; sha256: string; offset?: number }
interface Reference { images: Entry[]; configs: Record<string, { file: string; tensors: string; rows: Row[] }> }

const reference = JSON.parse(readFileSync(join(IMAGES, 'reference.json'), 'utf8')) as Reference;

/** The 8000 x 8000 image of image_fixtures.py's huge_pixels. */
function hugePixels(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i += 3) {
      pixels[i] = (x * 7 + y * 3) & 255;
      pixels[i + 1] = (x ^ y) & 255;
      pixels[i + 2] = Math.floor((x * y) / 128) & 255;
    }
  }
  return pixels;
}

// Made once: every config takes the same 192 MB of pixels.
let huge: Uint8Array | undefined;

function input(entry: Entry): ImageInput {
  if (entry.kind === 'huge') return { pixels: (huge ??= hugePixels(entry.width!)), width: entry.width!, height: entry.height! };
  const path = join(IMAGES, entry.file!);
  if (entry.kind === 'path') return { path };
  if (entry.kind === 'bytes') return readFileSync(path);
  return { pixels: readFileSync(path), width: entry.width!, height: entry.height!, channels: entry.channels! };
}

const LOSSY = /\.jpg|lossy\.webp/;

/** Our float tensor back to the uint8 values before rescale and normalise. */
function undo(values: Float32Array, config: ImageProcessorConfig, plane: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / plane);
    out[i] = (values[i]! * config.imageStd[c]! + config.imageMean[c]!) / config.rescaleFactor;
  }
  return out;
}

for (const [configName, setup] of Object.entries(reference.configs)) {
  test(`${configName}: every fixture image's tensor matches CLIPImageProcessor (PIL) within 1/255, lossless ones exactly`, async () => {
    const config = await loadImageProcessorConfig(join(IMAGES, configName));
    const tensors = readFileSync(join(IMAGES, setup.tensors));
    const { batch, errors } = await preprocessImages(reference.images.map(input), config);
    const plane = batch.height * batch.width;
    let worstLossy = 0;
    let worstLossyName = '';
    reference.images.forEach((entry, i) => {
      assert.equal(errors[i], undefined, `${entry.name}: ${String(errors[i])}`);
      const row = setup.rows[i]!;
      assert.equal(row.name, entry.name);
      assert.equal([3, batch.height, batch.width], row.shape, entry.name);
      const ours = undo(batch.pixels.subarray(i * 3 * plane, (i + 1) * 3 * plane), config, plane);
      const rounded = Uint8Array.from(ours, (value) => Math.round(value));
      let worst = 0;
      for (let j = 0; j < ours.length; j++) worst = Math.max(worst, Math.abs(ours[j]! - rounded[j]!));
      assert.ok(worst < 1e-3, `${entry.name}: values are not whole levels after undoing the normalisation (${worst})`);
      if (row.offset === undefined) {
        const digest = createHash('sha256').update(rounded).digest('hex');
        assert.equal(digest, row.sha256, `${entry.name}: tensor differs from Python's`);
        return;
      }
      const expected = tensors.subarray(row.offset, row.offset + ours.length);
      let diff = 0;
      for (let j = 0; j < ours.length; j++) diff = Math.max(diff, Math.abs(rounded[j]! - expected[j]!));
      if (LOSSY.test(entry.name)) {
        assert.ok(diff <= 1, `${entry.name}: max difference ${diff} levels`);
        if (diff >= worstLossy) [worstLossy, worstLossyName] = [diff, entry.name];
      } else {
        assert.equal(diff, 0, `${entry.name}: max difference ${diff} levels`);
      }
    });
    console.log(`# ${configName}: ${reference.images.length} images; lossless exact; lossy decoders' largest difference ${worstLossy} level(s) (${worstLossyName || 'none stored'})`);
  });
}

test.run();
