// CrossEncoder with cpuEngine 'int8' against Python CrossEncoder's fp32 logits on the same
// weights (test/fixtures/int8-engine/tiny-ce-3label, made by test/tools/int8_engine_fixtures.py):
// the same label chosen for every pair, and logits close. The fixture scales its classifier so
// the logits spread with std 0.5, which magnifies the encoder's int8 noise (token cosine to fp32
// 0.99999) into mean |diff| about 0.02.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder } from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const DIR = join(FIXTURES, 'int8-engine', 'tiny-ce-3label');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'int8-engine', 'tiny-ce-3label.reference.json'), 'utf8')) as {
  pairs: [string, string][];
  logits: number[][];
  softmax: number[][];
};

const LABELS = 3;
const argmax = (row: ArrayLike<number>): number => Array.from(row).reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);
function pearson(xs: number[], ys: number[]): number {
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  let [sxy, sxx, syy] = [0, 0, 0];
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
const rowOf = (flat: Float32Array, i: number): Float32Array => flat.subarray(i * LABELS, (i + 1) * LABELS);

test('int8 logits track Python fp32: same label everywhere, Pearson ≥ 0.995, mean |diff| ≤ 0.03', async () => {
  const model = await CrossEncoder.fromPretrained(DIR, { cpuEngine: 'int8' });
  try {
    const logits = await model.predict(reference.pairs, { activation: 'identity' });
    let worst = 0;
    let total = 0;
    reference.logits.forEach((row, i) => {
      row.forEach((value, label) => {
        const diff = Math.abs(rowOf(logits, i)[label]! - value);
        worst = Math.max(worst, diff);
        total += diff;
      });
      assert.is(argmax(rowOf(logits, i)), argmax(row), `pair ${i}: label`);
    });
    const mean = total / logits.length;
    const r = pearson(Array.from(logits), reference.logits.flat());
    assert.ok(r >= 0.995 && mean <= 0.03 && worst <= 0.15, `Pearson ${r}, mean |diff| ${mean}, max ${worst}`);
    const softmax = await model.predict(reference.pairs, { applySoftmax: true });
    reference.softmax.forEach((row, i) => row.forEach((p, label) => assert.ok(Math.abs(rowOf(softmax, i)[label]! - p) < 0.05, `pair ${i} label ${label}`)));
    console.log(`  int8 engine against Python fp32 logits: Pearson ${r.toFixed(5)}, mean |diff| ${mean.toFixed(4)}, max ${worst.toFixed(4)}`);
  } finally {
    await model.dispose();
  }
});

test('batch size and lanes do not change a bit', async () => {
  const one = await CrossEncoder.fromPretrained(DIR, { cpuEngine: 'int8', intraOpThreads: 1 });
  const three = await CrossEncoder.fromPretrained(DIR, { cpuEngine: 'int8', intraOpThreads: 3 });
  try {
    const a = await one.predict(reference.pairs, { activation: 'identity', batchSize: 1 });
    const b = await three.predict(reference.pairs, { activation: 'identity', batchSize: 64 });
    assert.equal(Array.from(a), Array.from(b));
  } finally {
    await one.dispose();
    await three.dispose();
  }
});

test.run();
