// A bi-encoder with a Dense module (32 → 16, Tanh) and Normalize, equal to Python
// sentence-transformers 6.0.1: plain, with the query prompt, and with truncate_dim.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-bert-dense.reference.json'), 'utf8')) as {
  texts: string[];
  embeddings: number[][];
  query_prompt: number[][];
  truncate_dim_8_normalized: number[][];
  truncate_dim_8: number[][];
};

test('Dense module, prompts and truncate_dim in sentence-transformers order', async () => {
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-bert-dense'));
  try {
    assert.is(model.dimension, 16);
    assert.ok(maxAbsDiff((await model.encode(reference.texts, { batchSize: 8 })).data, reference.embeddings.flat()) <= TOLERANCE, 'plain');
    const first10 = reference.texts.slice(0, 10);
    assert.ok(maxAbsDiff((await model.encodeQuery(first10)).data, reference.query_prompt.flat()) <= TOLERANCE, 'query prompt');
    // Normalize module first, then truncation: the truncated rows are not unit length…
    assert.ok(maxAbsDiff((await model.encode(first10, { truncateDim: 8 })).data, reference.truncate_dim_8.flat()) <= TOLERANCE, 'truncated');
    // …unless normalizeEmbeddings asks for it after truncation.
    const renormalized = await model.encode(first10, { truncateDim: 8, normalizeEmbeddings: true });
    assert.ok(maxAbsDiff(renormalized.data, reference.truncate_dim_8_normalized.flat()) <= TOLERANCE, 'truncated + normalized');
  } finally {
    await model.dispose();
  }
});

test('a Dense folder whose weights do not match its config is ERR_MODEL_LOAD', async () => {
  const copy = copyFixture(join(FIXTURES, 'tiny-bert-dense'));
  try {
    writeFileSync(join(copy.dir, '2_Dense', 'config.json'), JSON.stringify({ in_features: 32, out_features: 24, activation_function: 'torch.nn.modules.activation.Tanh' }));
    await SentenceTransformer.fromPretrained(copy.dir);
    assert.unreachable('mismatched Dense weights must not load');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD');
    assert.match((error as Error).message, 'linear.weight');
  } finally {
    copy.cleanup();
  }
});

test.run();
