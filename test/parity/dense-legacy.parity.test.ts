// A bi-encoder whose Dense modules were saved as sentence-transformers < 3 saved them
// (pytorch_model.bin, one float32 and one float16), equal to Python sentence-transformers
// 6.0.1 loading the same folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const FOLDER = join(FIXTURES, 'tiny-bert-dense-legacy');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert-dense-legacy.reference.json'), 'utf8')) as {
  texts: string[];
  embeddings: number[][];
};

test('Dense weights from pytorch_model.bin (float32 and float16) match sentence-transformers', async () => {
  const model = await SentenceTransformer.fromPretrained(FOLDER);
  try {
    assert.is(model.dimension, 6);
    const embeddings = await model.encode(reference.texts, { batchSize: 8 });
    assert.ok(maxAbsDiff(embeddings.data, reference.embeddings.flat()) <= TOLERANCE, `max |diff| ${maxAbsDiff(embeddings.data, reference.embeddings.flat())}`);
  } finally {
    await model.dispose();
  }
});

test('a corrupt pytorch_model.bin is ERR_MODEL_LOAD naming the file', async () => {
  const copy = copyFixture(FOLDER);
  try {
    const file = join(copy.dir, '3_Dense', 'pytorch_model.bin');
    writeFileSync(file, readFileSync(file).subarray(0, 300));
    await SentenceTransformer.fromPretrained(copy.dir);
    assert.unreachable('a truncated checkpoint must not load');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD');
    assert.match((error as Error).message, join('3_Dense', 'pytorch_model.bin'));
  } finally {
    copy.cleanup();
  }
});

test.run();
