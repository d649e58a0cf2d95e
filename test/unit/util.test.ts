// What ported sentence-transformers code reaches for (issue 16): the `util` namespace under
// camelCase names, plain rows (number[][], Float32Array[]) wherever Embeddings go, Embeddings
// that iterate and serialize as rows, and one result type for every similarity.
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, semanticSearch, SentenceTransformer, similarity, SparseEncoder, util } from '../../lib/index.js';
import { throwsError } from '../helpers/errors.js';
import { FIXTURES, TINY_BERT } from '../helpers/fixtures.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-6): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - (b[i] as number)) <= tolerance);

test('Embeddings iterate over rows and serialize as rows', () => {
  const e = new Embeddings(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
  const spread = [...e];
  assert.is(spread.length, 2);
  assert.ok(spread[1] instanceof Float32Array);
  assert.equal(Array.from(spread[1] as Float32Array), [4, 5, 6]);
  // Views, not copies.
  assert.is((spread[0] as Float32Array).buffer, e.data.buffer);
  assert.is(JSON.stringify(e), '[[1,2,3],[4,5,6]]');
  assert.equal(Array.from(e, (row) => row.length), [3, 3]);
  let count = 0;
  for (const row of e) count += row.length;
  assert.is(count, 6);
});

test('Embeddings.from takes number[][], Float32Array[] and a single row', () => {
  assert.equal(Embeddings.from([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.equal(Embeddings.from([new Float32Array([1, 2, 3])]).shape, [1, 3]);
  assert.equal(Embeddings.from([1, 2, 3]).shape, [1, 3]);
  assert.equal(Embeddings.from(new Float32Array([1, 2])).shape, [1, 2]);
  assert.equal(Embeddings.from([]).shape, [0, 0]);
  throwsError(() => Embeddings.from([[1, 2], [3]]), RangeError, /2 values/);
  throwsError(() => Embeddings.from([['a', 'b']] as never), TypeError);
  throwsError(() => Embeddings.from({ data: [1] } as never), TypeError, /number\[\]\[\] or Float32Array\[\] rows/);
});

test('similarity and search take plain rows and give what Embeddings give', async () => {
  const a = [[1, 0, 0], [0.6, 0.8, 0]];
  const b = [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0]), new Float32Array([0, 0, 1])];
  const fromRows = similarity(a, b);
  const fromEmbeddings = similarity(Embeddings.from(a), Embeddings.from(b));
  assert.ok(fromRows instanceof Embeddings);
  assert.equal(fromRows.shape, [2, 3]);
  assert.ok(close(fromRows.data, fromEmbeddings.data));
  const hits = await semanticSearch(a, b, { topK: 2 });
  assert.equal(hits.map((row) => row.map((hit) => hit.corpusId)), [[0, 1], [1, 0]]);
  // A single query row.
  const single = await semanticSearch([0, 0, 2], b, { topK: 1 });
  assert.equal(single, [[{ corpusId: 2, score: 1 }]]);
});

test('util has sentence-transformers\' names in camelCase, with their results', async () => {
  const a = [[3, 4], [1, 0]];
  const b = [[3, 4], [0, 1]];
  assert.ok(close(util.cosSim(a, b).data, [1, 0.8, 0.6, 0]));
  assert.ok(close(util.dotScore(a, b).data, [25, 4, 3, 0]));
  assert.ok(close(util.pairwiseCosSim(a, b), [1, 0]));
  assert.ok(close(util.pairwiseDotScore(a, b), [25, 0]));
  assert.ok(close(util.euclideanSim([[0, 0]], [[3, 4]]).data, [-5]));
  assert.ok(close(util.manhattanSim([[0, 0]], [[3, 4]]).data, [-7]));
  assert.ok(close(util.pairwiseEuclideanSim([[0, 0]], [[3, 4]]), [-5]));
  assert.ok(close(util.pairwiseManhattanSim([[0, 0]], [[3, 4]]), [-7]));
  // normalize_embeddings: a new matrix, zero rows stay zero (torch's eps).
  const normalized = util.normalizeEmbeddings([[3, 4], [0, 0]]);
  assert.ok(close(normalized.data, [0.6, 0.8, 0, 0]));
  const int8 = util.quantizeEmbeddings([[0, 1], [1, 0]], 'int8');
  assert.is(int8.precision, 'int8');
  const hits = await util.semanticSearch([[1, 0]], [[0, 1], [1, 0]], { topK: 1 });
  assert.is(hits[0]?.[0]?.corpusId, 1);
  const mined = await util.paraphraseMiningEmbeddings([[1, 0], [0.99, 0.1], [0, 1]], { topK: 1 });
  assert.equal(mined[0]?.slice(1), [0, 1]);
  const communities = await util.communityDetection([[1, 0], [0.99, 0.1], [0, 1]], { threshold: 0.9, minCommunitySize: 2 });
  assert.equal(communities, [[0, 1]]);
});

test('util.paraphraseMining(model, sentences) encodes and mines, as Python\'s does', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    const sentences = ['A man is eating food.', 'A man is eating a piece of bread.', 'The girl is carrying a baby.', 'A man is riding a horse.'];
    const fromModel = await util.paraphraseMining(model, sentences, { topK: 2, batchSize: 2 });
    const fromEmbeddings = await util.paraphraseMining(await model.encode(sentences), { topK: 2 });
    assert.equal(fromModel.map(([, i, j]) => [i, j]), fromEmbeddings.map(([, i, j]) => [i, j]));
    assert.ok(close(fromModel.map(([score]) => score), fromEmbeddings.map(([score]) => score), 1e-6));
    // encode()'s own check still refuses a misspelt option passed through.
    let failed = false;
    try {
      await util.paraphraseMining(model, sentences, { batch_size: 2 } as never);
    } catch (error) {
      failed = error instanceof TypeError && /did you mean 'batchSize'/.test(error.message);
    }
    assert.ok(failed, 'a misspelt option fails');
  } finally {
    await model.dispose();
  }
});

test('encodeQuery / encodeDocument give Embeddings that search and similarity take', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  try {
    // These lines compile only if encodeQuery/encodeDocument carry encode()'s overloads.
    const query: Embeddings = await model.encodeQuery('how big is london');
    const docs: Embeddings = await model.encodeDocument(['London has 9 million people', 'Paris is in France']);
    const scores: Embeddings = model.similarity(query, docs);
    assert.equal(scores.shape, [1, 2]);
    const hits = await semanticSearch(query, docs);
    assert.is(hits[0]?.length, 2);
    const bits = await model.encodeQuery('x', { precision: 'ubinary' });
    assert.is(bits.precision, 'ubinary');
    // Rows straight from a database.
    assert.ok(close(model.similarity(query.toArray(), [...docs]).data, scores.data));
  } finally {
    await model.dispose();
  }
});

test('SparseEncoder.similarity returns the same Embeddings matrix as the dense similarity', async () => {
  const model = await SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-splade'));
  try {
    const docs = await model.encode(['the cat sat', 'a dog ran', 'cats and dogs']);
    const scores = model.similarity(docs, docs);
    assert.ok(scores instanceof Embeddings);
    assert.equal(scores.shape, [3, 3]);
    const dense = similarity(Array.from({ length: 3 }, (_, i) => docs.dense(i)), Array.from({ length: 3 }, (_, i) => docs.dense(i)), 'dot');
    assert.ok(close(scores.data, dense.data, 1e-3));
  } finally {
    await model.dispose();
  }
});

test.run();
