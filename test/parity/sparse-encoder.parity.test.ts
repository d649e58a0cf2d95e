// SparseEncoder (SPLADE) outputs equal to Python sentence-transformers 6.0.1 on the same
// weights: sparse vectors, max_active_dims, decode, dot similarity and sparsity statistics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SparseEncoder } from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const TOLERANCE = 1e-5;
const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-splade.reference.json'), 'utf8')) as {
  texts: string[];
  embeddings: Array<{ indices: number[]; values: number[] }>;
  max_active_dims_8: Array<{ indices: number[]; values: number[] }>;
  decode_top5: Array<Array<[string, number]>>;
  similarity_first6: number[][];
  sparsity: { active_dims: number; sparsity_ratio: number };
};

function checkRows(got: { row(i: number): { indices: Int32Array; values: Float32Array } }, expected: typeof reference.embeddings, what: string): void {
  expected.forEach((row, i) => {
    const { indices, values } = got.row(i);
    assert.equal(Array.from(indices), row.indices, `${what}: indices of row ${i}`);
    values.forEach((v, k) => assert.ok(Math.abs(v - row.values[k]!) <= TOLERANCE, `${what}: row ${i} value ${k}`));
  });
}

test('sparse vectors, max_active_dims, decode, similarity and sparsity', async () => {
  const model = await SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-splade'));
  try {
    assert.is(model.dimension, 30522);
    const embeddings = await model.encode(reference.texts, { batchSize: 8 });
    checkRows(embeddings, reference.embeddings, 'full');
    checkRows(await model.encode(reference.texts, { maxActiveDims: 8 }), reference.max_active_dims_8, 'maxActiveDims 8');

    const decoded = model.decode(await model.encode(reference.texts.slice(0, 4)), 5);
    decoded.forEach((row, i) => {
      assert.equal(row.map(([token]) => token), reference.decode_top5[i]!.map(([token]) => token), `decoded tokens of row ${i}`);
    });

    const first6 = await model.encode(reference.texts.slice(0, 6));
    const similarity = model.similarity(first6, first6);
    reference.similarity_first6.flat().forEach((v, i) => assert.ok(Math.abs((similarity.data[i] as number) - v) <= 1e-4 * Math.max(1, Math.abs(v)), `similarity ${i}`));

    const stats = model.sparsity(embeddings);
    assert.ok(Math.abs(stats.activeDims - reference.sparsity.active_dims) <= 1e-3);
    assert.ok(Math.abs(stats.sparsityRatio - reference.sparsity.sparsity_ratio) <= 1e-6);
  } finally {
    await model.dispose();
  }
});

test.run();
