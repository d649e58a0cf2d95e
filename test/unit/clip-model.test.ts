// A CLIP model's encode() with texts and images mixed (issue 23): rows in the caller's order,
// each the same as its input encoded alone; a bad image fails alone with its index while a
// concurrent caller's images still come back; and the cross-modal search example
// (examples/clip-search) run on the test images, as the README shows it.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Embeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { crossModalSearch } from '../../examples/clip-search/search.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const CLIP = join(FIXTURES, 'tiny-clip');
const IMAGES = join(FIXTURES, 'images', 'files');
const photo = { path: join(IMAGES, 'photo-640x480.jpg') };
const square = { path: join(IMAGES, 'rgb-35x50.png') };
// 2 x 2 RGBA pixels given raw.
const raw = { pixels: Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9]), width: 2, height: 2 };

test('mixed texts and images keep their order; each row equals its input encoded alone', async () => {
  const model = await SentenceTransformer.fromPretrained(CLIP);
  try {
    const inputs = ['a photo of a cat', photo, raw, 'A man is playing guitar.', square];
    const mixed = (await model.encode(inputs)) as Embeddings;
    assert.equal(mixed.shape, [5, model.dimension]);
    for (let i = 0; i < inputs.length; i += 1) {
      const alone = (await model.encode([inputs[i] as string])) as Embeddings;
      assert.ok(maxAbsDiff(alone.row(0), mixed.row(i)) <= 1e-6, `input ${i}`);
    }
    // A lone image (not in an array) is one row, as a lone text is.
    const single = (await model.encode(photo)) as Embeddings;
    assert.ok(maxAbsDiff(single.row(0), mixed.row(1)) <= 1e-6);
    // Images and texts land in one space: the rows differ, and normalization applies to both.
    const normalized = (await model.encode(inputs, { normalizeEmbeddings: true })) as Embeddings;
    for (let r = 0; r < inputs.length; r += 1) assert.ok(Math.abs(Math.hypot(...normalized.row(r)) - 1) < 1e-5);
  } finally {
    await model.dispose();
  }
});

test('a bad image rejects with its index; a concurrent caller still gets its rows', async () => {
  const model = await SentenceTransformer.fromPretrained(CLIP);
  try {
    const good = model.encode([photo, square]);
    const bad = model.encode(['text first', photo, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])]);
    await rejectsError(bad, SentenceKitError, /./);
    await bad.catch((error: { index?: number; code?: string }) => {
      assert.is(error.index, 2);
      assert.is(error.code, 'ERR_IMAGE_DECODE');
    });
    const rows = (await good) as Embeddings;
    assert.equal(rows.shape, [2, model.dimension]);
    await rejectsError(() => model.encode([{ path: join(IMAGES, 'no-such-file.png') }]), SentenceKitError, /./);
  } finally {
    await model.dispose();
  }
});

test('the cross-modal search example finds images by text and texts by image', async () => {
  // A folder of a few test images (one per format), as a user's photo folder would be.
  const folder = mkdtempSync(join(tmpdir(), 'sentencekit-clip-search-'));
  const names = ['photo-640x480.jpg', 'gray.png', 'lossy.webp', 'frame.gif', 'exif-6.jpg'];
  for (const name of names) copyFileSync(join(IMAGES, name), join(folder, name));
  copyFileSync(join(IMAGES, 'raw-rgb.raw'), join(folder, 'not-an-image.raw'));
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-clip-hub'));
  try {
    const texts = ['a photo of a dog', 'a grey square', 'a colourful picture'];
    const results = await crossModalSearch(model, folder, texts, 2);
    assert.equal(results.files, [...names].sort().map((name) => join(folder, name)));
    assert.is(results.imagesByText.length, texts.length);
    assert.is(results.textsByImage.length, results.files.length);
    for (const hits of results.imagesByText) {
      assert.is(hits.length, 2);
      assert.ok((hits[0]?.score ?? -2) >= (hits[1]?.score ?? 2));
    }
    // Searching back from an image's best text finds scores the same both ways.
    const first = results.textsByImage[0]?.[0];
    assert.ok(first !== undefined && texts.includes(first.text));
  } finally {
    await model.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
