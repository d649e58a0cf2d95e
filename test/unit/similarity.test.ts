// similarity / similarityAsync / similarityPairwise (native kernels) against the scalar
// reference below (the TypeScript loops these functions used to be, in float64): odd
// dimensions, zero vectors, NaN and infinities, empty sides; and the event loop stays free
// while a large matrix is computed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, similarity, similarityAsync, similarityPairwise } from '../../lib/index.js';
import { throwsError } from '../helpers/errors.js';

type Fn = 'cosine' | 'dot' | 'euclidean' | 'manhattan';
const FUNCTIONS: Fn[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

function reference(fn: Fn, a: Float32Array, b: Float32Array): number {
  let sum = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (fn === 'dot' || fn === 'cosine') sum += x * y;
    if (fn === 'cosine') {
      na += x * x;
      nb += y * y;
    }
    if (fn === 'euclidean') sum += (x - y) ** 2;
    if (fn === 'manhattan') sum += Math.abs(x - y);
  }
  if (fn === 'cosine') {
    // torch normalizes each side (eps 1e-12) first: a zero vector scores 0, an infinite one NaN.
    const an = Math.max(Math.sqrt(na), 1e-12);
    const bn = Math.max(Math.sqrt(nb), 1e-12);
    if (!Number.isFinite(an) || !Number.isFinite(bn)) return Number.NaN;
    return sum / (an * bn);
  }
  if (fn === 'euclidean') return -Math.sqrt(sum);
  if (fn === 'manhattan') return -sum;
  return sum;
}

function close(got: number, want: number, where: string): void {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${where}: expected NaN but received ${got}`);
  if (!Number.isFinite(want)) return assert.is(got, want, where);
  const tolerance = 2e-5 * Math.max(1, Math.abs(want));
  assert.ok(Math.abs(got - want) <= tolerance, `${where}: expected ${want} but received ${got}`);
}

function random(rows: number, dim: number, seed: number): Embeddings {
  let state = seed;
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = state / 1073741824 - 1;
  }
  return new Embeddings(data, rows, dim);
}

function checkMatrix(a: Embeddings, b: Embeddings, fn: Fn, got: Embeddings, label: string): void {
  assert.equal(got.shape, [a.rows, b.rows]);
  for (let i = 0; i < a.rows; i += 1) {
    for (let j = 0; j < b.rows; j += 1) {
      close(got.data[i * b.rows + j] as number, reference(fn, a.row(i), b.row(j)), `${label} ${fn} [${i}, ${j}]`);
    }
  }
}

test('matrix and pairwise equal the scalar reference on odd dimensions', async () => {
  for (const dim of [1, 3, 17, 33, 385]) {
    const a = random(7, dim, dim);
    const b = random(5, dim, dim + 1);
    for (const fn of FUNCTIONS) {
      checkMatrix(a, b, fn, similarity(a, b, fn), `dim ${dim}`);
      checkMatrix(a, b, fn, await similarityAsync(a, b, fn), `async dim ${dim}`);
      const pairs = similarityPairwise(a, random(7, dim, 99), fn);
      const other = random(7, dim, 99);
      for (let i = 0; i < 7; i += 1) close(pairs[i] as number, reference(fn, a.row(i), other.row(i)), `pairwise ${fn} ${i}`);
    }
  }
});

test('zero vectors, NaN and infinities score as the reference does', () => {
  const a = new Embeddings(Float32Array.from([0, 0, 0, 1, 2, 3, Number.NaN, 1, 1, Number.POSITIVE_INFINITY, 0, 1]), 4, 3);
  const b = new Embeddings(Float32Array.from([0, 0, 0, 1, 2, 3, -1, 0.5, 2]), 3, 3);
  for (const fn of FUNCTIONS) {
    checkMatrix(a, b, fn, similarity(a, b, fn), 'edge');
    const pairs = similarityPairwise(a, a, fn);
    for (let i = 0; i < 4; i += 1) close(pairs[i] as number, reference(fn, a.row(i), a.row(i)), `edge pairwise ${fn} ${i}`);
  }
  // A zero vector under cosine scores 0, as torch's normalize-then-dot does.
  assert.is(similarity(a, b, 'cosine').data[0], 0);
  assert.is(similarityPairwise(b, b, 'euclidean')[1], -0);
});

test('empty sides and shapes', async () => {
  const a = random(3, 4, 1);
  const none = new Embeddings(new Float32Array(0), 0, 4);
  assert.equal(similarity(a, none).shape, [3, 0]);
  assert.equal((await similarityAsync(none, a)).shape, [0, 3]);
  assert.equal(similarityPairwise(none, none).length, 0);
  throwsError(() => similarity(a, random(2, 5, 1)), RangeError);
  throwsError(() => similarity(a, a, 'hamming' as Fn), TypeError);
  throwsError(() => similarity(a, {} as Embeddings), TypeError);
});

test('similarityAsync keeps the event loop free on a large matrix', async () => {
  const a = random(512, 384, 5);
  const b = random(4096, 384, 6);
  let settled = false;
  const pending = similarityAsync(a, b, 'dot');
  pending.then(() => { settled = true; }, () => {});
  // A computation on the calling thread would have settled before the event loop turns (its
  // .then runs as a microtask first); on a worker thread the ~0.8 G multiply-adds are still
  // running when setImmediate's callback gets its turn.
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.not.ok(settled, 'the promise settled before the event loop could turn: the work ran on the calling thread');
  const scores = await pending;
  assert.equal(scores.shape, [512, 4096]);
  for (const [i, j] of [[0, 0], [511, 4095], [100, 2000]] as const) {
    close(scores.data[i * 4096 + j] as number, reference('dot', a.row(i), b.row(j)), `large [${i}, ${j}]`);
  }
});

test.run();
