// SparseEncoder with cpuEngine 'int8' against Python SparseEncoder's fp32 SPLADE embeddings on
// the same weights (test/fixtures/int8-engine/tiny-splade, made by test/tools/int8_engine_fixtures.py):
// every text's sparse vector close in cosine, max_active_dims keeping nearly the same entries,
// and the result independent of lanes and batching.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { type SparseEmbeddings, SparseEncoder } from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

interface Row {
  indices: number[];
  values: number[];
}
const DIR = join(FIXTURES, 'int8-engine', 'tiny-splade');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'int8-engine', 'tiny-splade.reference.json'), 'utf8')) as {
  texts: string[];
  embeddings: Row[];
  max_active_dims_8: Row[];
};

function rowOf(embeddings: SparseEmbeddings, i: number): Map<number, number> {
  const row = new Map<number, number>();
  for (let k = embeddings.offsets[i]!; k < embeddings.offsets[i + 1]!; k++) row.set(embeddings.indices[k]!, embeddings.values[k]!);
  return row;
}

function cosine(a: Map<number, number>, b: Row): number {
  let dot = 0;
  let nb = 0;
  b.indices.forEach((index, k) => {
    dot += (a.get(index) ?? 0) * b.values[k]!;
    nb += b.values[k]! ** 2;
  });
  const na = [...a.values()].reduce((sum, v) => sum + v * v, 0);
  return dot / Math.sqrt(na * nb);
}

test('SPLADE vectors track Python fp32: cosine ≥ 0.999 for every text; top 8 mostly the same', async () => {
  const model = await SparseEncoder.fromPretrained(DIR, { cpuEngine: 'int8' });
  try {
    const full = await model.encode(reference.texts);
    let worst = 1;
    reference.embeddings.forEach((expected, i) => (worst = Math.min(worst, cosine(rowOf(full, i), expected))));
    assert.ok(worst >= 0.999, `min cosine ${worst}`);
    const top = await model.encode(reference.texts, { maxActiveDims: 8 });
    let shared = 0;
    reference.max_active_dims_8.forEach((expected, i) => {
      const ours = rowOf(top, i);
      assert.ok(ours.size <= 8);
      shared += expected.indices.filter((index) => ours.has(index)).length;
    });
    const overlap = shared / (8 * reference.texts.length);
    assert.ok(overlap >= 0.9, `top-8 overlap ${overlap}`);
    console.log(`  int8 engine against Python fp32 SPLADE: min cosine ${worst.toFixed(5)}, top-8 overlap ${overlap.toFixed(3)}`);
  } finally {
    await model.dispose();
  }
});

test('lanes and batching do not change a bit', async () => {
  const one = await SparseEncoder.fromPretrained(DIR, { cpuEngine: 'int8', intraOpThreads: 1 });
  const three = await SparseEncoder.fromPretrained(DIR, { cpuEngine: 'int8', intraOpThreads: 3 });
  try {
    const a = await one.encode(reference.texts, { batchSize: 1 });
    const b = await three.encode(reference.texts);
    assert.equal([Array.from(a.indices), Array.from(a.values)], [Array.from(b.indices), Array.from(b.values)]);
    const alone = await one.encode(reference.texts.slice(3, 4));
    assert.equal(Array.from(alone.values), Array.from(b.values.subarray(b.offsets[3]!, b.offsets[4]!)));
  } finally {
    await one.dispose();
    await three.dispose();
  }
});

test.run();
