// quantizeEmbeddings and the similarity functions, on hand-computed cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, quantizeEmbeddings, similarity, similarityPairwise } from '../../lib/index.js';
import { throwsError } from '../helpers/errors.js';

const matrix = (rows: number[][]): Embeddings => new Embeddings(Float32Array.from(rows.flat()), rows.length, rows[0]?.length ?? 0);

test('ubinary packs dimension 0 into the high bit, as np.packbits', () => {
  const q = quantizeEmbeddings(matrix([[1, -1, 0, 2, -3, 4, 5, -6, 7], [-1, -1, -1, -1, -1, -1, -1, -1, -1]]), 'ubinary');
  assert.is(q.bytesPerRow, 2);
  assert.equal(Array.from(q.data), [0b10010110, 0b10000000, 0, 0]);
});

test('binary is the packed bytes minus 128', () => {
  const q = quantizeEmbeddings(matrix([[1, 1, 1, 1, 1, 1, 1, 1], [-1, -1, -1, -1, -1, -1, -1, -1]]), 'binary');
  assert.instance(q.data, Int8Array);
  assert.equal(Array.from(q.data), [127, -128]);
});

test('int8 and uint8 bucket each dimension between its min and max', () => {
  const e = matrix([[0, 10], [1, 20], [0.5, 15]]);
  // Values from Python sentence-transformers 6.0.1 on the same input: float32 rounding puts the
  // maximum at 254.99998, so it lands in bucket 254.
  const u = quantizeEmbeddings(e, 'uint8');
  assert.equal(Array.from(u.data), [0, 0, 254, 254, 127, 127]);
  const i = quantizeEmbeddings(e, 'int8');
  assert.equal(Array.from(i.data), [-128, -128, 126, 126, -1, -1]);
  // Ranges from calibration embeddings clip values outside them.
  const c = quantizeEmbeddings(matrix([[2, 0]]), 'uint8', { calibrationEmbeddings: e });
  assert.equal(Array.from(c.data), [255, 0]);
  // A constant dimension (step 0) uses step 1, as sentence-transformers does.
  const flat = quantizeEmbeddings(matrix([[3], [3]]), 'uint8');
  assert.equal(Array.from(flat.data), [0, 0]);
});

test('bad precision and ranges are typed errors', () => {
  throwsError(() => quantizeEmbeddings(matrix([[1]]), 'int4' as 'int8'), TypeError);
  throwsError(() => quantizeEmbeddings(matrix([[1, 2]]), 'int8', { ranges: matrix([[0], [1]]) }), RangeError);
});

test('similarity functions as sentence-transformers defines them', () => {
  const a = matrix([[1, 0], [0, 2]]);
  const b = matrix([[3, 4], [0, 0]]);
  assert.equal(Array.from(similarity(a, b, 'dot').data), [3, 0, 8, 0]);
  const cos = similarity(a, b, 'cosine').data;
  assert.ok(Math.abs((cos[0] as number) - 0.6) < 1e-6 && Math.abs((cos[2] as number) - 0.8) < 1e-6);
  assert.is(cos[1], 0, 'a zero vector scores 0, not NaN');
  assert.equal(Array.from(similarity(a, b, 'euclidean').data).map((v) => Math.round(v * 1e4) / 1e4), [-4.4721, -1, -3.6056, -2]);
  assert.equal(Array.from(similarity(a, b, 'manhattan').data), [-6, -1, -5, -2]);
  assert.equal(Array.from(similarityPairwise(a, b, 'dot')), [3, 0]);
  throwsError(() => similarity(a, matrix([[1, 2, 3]])), RangeError);
  throwsError(() => similarityPairwise(a, matrix([[1, 2]])), RangeError);
});

test.run();
