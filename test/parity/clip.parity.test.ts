// CLIP models (issue 23) against Python sentence-transformers 6.0.1 on test/tools/clip_fixtures.py's
// random-weight tiny CLIP: text embeddings through SentenceTransformer in both folder layouts,
// image embeddings from the pixel tensors CLIPImageProcessor hands the model (the vision tower
// alone) and from image files (decoded and preprocessed as Python's PIL path does), on the
// bf16x3 engine within 1e-5 and the int8 engine at cosine ≥ 0.999;
// and the multilingual text-only student (BERT → mean → Dense into the CLIP space).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type Embeddings, SentenceTransformer } from '../../lib/index.js';
import { loadClipModel } from '../../lib/clip-model.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES, maxAbsDiff, worstCosine } from '../helpers/fixtures.js';

interface ClipReference {
  texts: string[];
  input_ids: number[][];
  image_size: number;
  pixel_images: number;
  text_embeddings: number[][];
  image_embeddings: number[][];
  student_embeddings: number[][];
  image_files: string[];
  image_file_embeddings: number[][];
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-clip.reference.json'), 'utf8')) as ClipReference;
const pixelBytes = readFileSync(join(FIXTURES, 'tiny-clip.pixels.bin'));
const pixels = new Float32Array(pixelBytes.buffer.slice(pixelBytes.byteOffset, pixelBytes.byteOffset + pixelBytes.byteLength));
const LAYOUTS = { 'sentence-transformers 6': join(FIXTURES, 'tiny-clip'), "the Hub's": join(FIXTURES, 'tiny-clip-hub') };

for (const [layout, dir] of Object.entries(LAYOUTS)) {
  test(`${layout} layout: text embeddings match Python within 1e-5 (bf16x3 engine), truncation at 77 tokens and the pooled end-of-text token included`, async () => {
    const model = await SentenceTransformer.fromPretrained(dir);
    try {
      assert.equal(model.modalities, ['text', 'image']);
      const embeddings = (await model.encode(reference.texts)) as Embeddings;
      assert.equal(embeddings.shape, [reference.texts.length, 16]);
      const diff = maxAbsDiff(embeddings.data, reference.text_embeddings.flat());
      console.log(`  ${layout} layout, bf16x3 text embeddings: max |diff| ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
      const normalized = (await model.encode(reference.texts.slice(0, 3), { normalizeEmbeddings: true })) as Embeddings;
      for (let r = 0; r < 3; r += 1) {
        const norm = Math.hypot(...normalized.row(r));
        assert.ok(Math.abs(norm - 1) < 1e-5, `row ${r} norm ${norm}`);
      }
    } finally {
      await model.dispose();
    }
  });
}

test('int8 engine: text embeddings at cosine ≥ 0.999 to Python float32', async () => {
  const model = await SentenceTransformer.fromPretrained(LAYOUTS['sentence-transformers 6'], { backend: 'sentencekit-int8' });
  try {
    const embeddings = (await model.encode(reference.texts)) as Embeddings;
    const cosine = worstCosine(embeddings.data, reference.text_embeddings);
    console.log(`  int8 text embeddings: worst cosine ${cosine.toFixed(6)}`);
    assert.ok(cosine >= 0.999, `worst cosine ${cosine}`);
  } finally {
    await model.dispose();
  }
});

for (const precision of ['bf16x3', 'int8'] as const) {
  test(`${precision} engine: image embeddings from CLIPImageProcessor's pixel tensors match Python's get_image_features`, async () => {
    for (const dir of Object.values(LAYOUTS)) {
      const { native } = await loadClipModel(dir, 'cpu', precision);
      try {
        assert.is(native.imageSize, reference.image_size);
        const rows = await native.encodeImages(pixels, reference.pixel_images, { normalize: false, truncateDim: 0 });
        if (precision === 'bf16x3') {
          const diff = maxAbsDiff(rows, reference.image_embeddings.flat());
          console.log(`  bf16x3 image embeddings: max |diff| ${diff.toExponential(2)}`);
          assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
        } else {
          const cosine = worstCosine(rows, reference.image_embeddings);
          console.log(`  int8 image embeddings: worst cosine ${cosine.toFixed(6)}`);
          assert.ok(cosine >= 0.999, `worst cosine ${cosine}`);
        }
        // One image alone (the GEMMs split over the pool) gives the same row as in a batch.
        const alone = await native.encodeImages(pixels.subarray(0, pixels.length / reference.pixel_images), 1, { normalize: false, truncateDim: 0 });
        assert.ok(maxAbsDiff(alone, rows.subarray(0, alone.length)) <= 1e-6);
      } finally {
        await native.dispose();
      }
    }
  });
}

test('image files given by path (decoded and preprocessed natively) match Python encode() of the file names within 1e-5', async () => {
  for (const dir of Object.values(LAYOUTS)) {
    const model = await SentenceTransformer.fromPretrained(dir);
    try {
      const files = reference.image_files.map((name) => ({ path: join(FIXTURES, 'images', 'files', name) }));
      const embeddings = (await model.encode(files)) as Embeddings;
      const diff = maxAbsDiff(embeddings.data, reference.image_file_embeddings.flat());
      console.log(`  image files (${reference.image_files.length}), bf16x3: max |diff| ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
    } finally {
      await model.dispose();
    }
  }
});

test('a Normalize module after the CLIP module normalizes whole rows before truncateDim, as sentence-transformers orders them', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'sentencekit-clip-normalize-'));
  const dir = join(parent, 'model');
  cpSync(LAYOUTS['sentence-transformers 6'], dir, { recursive: true });
  const modules = JSON.parse(readFileSync(join(dir, 'modules.json'), 'utf8')) as unknown[];
  modules.push({ idx: 1, name: '1', path: '1_Normalize', type: 'sentence_transformers.models.Normalize' });
  writeFileSync(join(dir, 'modules.json'), JSON.stringify(modules));
  const model = await SentenceTransformer.fromPretrained(dir);
  try {
    const embeddings = (await model.encode(reference.texts.slice(0, 6), { truncateDim: 8 })) as Embeddings;
    const expected = reference.text_embeddings.slice(0, 6).map((row) => {
      const norm = Math.hypot(...row);
      return row.slice(0, 8).map((value) => value / norm);
    });
    const diff = maxAbsDiff(embeddings.data, expected.flat());
    assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
  } finally {
    await model.dispose();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the multilingual student (BERT → mean → Dense into the CLIP space) matches Python within 1e-5', async () => {
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-clip-multilingual'));
  try {
    assert.equal(model.modalities, ['text']);
    const embeddings = (await model.encode(reference.texts)) as Embeddings;
    assert.equal(embeddings.shape, [reference.texts.length, 16]);
    const diff = maxAbsDiff(embeddings.data, reference.student_embeddings.flat());
    assert.ok(diff <= 1e-5, `max |diff| ${diff}`);
    await rejectsError(() => model.encode(['a text', { path: 'photo.jpg' }]), TypeError, /input 1 is an image: this model takes text only/);
  } finally {
    await model.dispose();
  }
});

test.run();
