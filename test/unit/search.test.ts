// Search utilities against exact brute-force references computed here in plain TypeScript.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import {
  communityDetection,
  Embeddings,
  paraphraseMining,
  quantizedSemanticSearch,
  quantizeEmbeddings,
  semanticSearch,
  similarity,
} from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';

function random(rows: number, dim: number, seed: number): Embeddings {
  let state = seed;
  const next = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return new Embeddings(Float32Array.from({ length: rows * dim }, next), rows, dim);
}

function bruteForce(queries: Embeddings, corpus: Embeddings, k: number): Array<Array<{ corpusId: number; score: number }>> {
  const scores = similarity(queries, corpus, 'cosine');
  return Array.from({ length: queries.rows }, (_, q) =>
    Array.from(scores.row(q), (score, corpusId) => ({ corpusId, score }))
      .sort((a, b) => b.score - a.score || a.corpusId - b.corpusId)
      .slice(0, k),
  );
}

test('semanticSearch equals an exact scan, ids and scores', async () => {
  const corpus = random(1001, 37, 1);
  const queries = random(13, 37, 2);
  for (const topK of [1, 10, 2000]) {
    const hits = await semanticSearch(queries, corpus, { topK, queryChunkSize: 5, corpusChunkSize: 97 });
    const expected = bruteForce(queries, corpus, topK);
    assert.is(hits.length, queries.rows, 'one hit list per query');
    hits.forEach((row, q) => {
      assert.equal(row.map((h) => h.corpusId), expected[q]!.map((h) => h.corpusId), `query ${q} topK ${topK}`);
      row.forEach((h, i) => assert.ok(Math.abs(h.score - expected[q]![i]!.score) < 1e-5));
    });
  }
});

test('bad search input is a typed error, never a crash', async () => {
  const corpus = random(10, 8, 3);
  for (const [run, kind] of [
    [() => semanticSearch(random(2, 9, 4), corpus), RangeError],
    [() => semanticSearch(random(2, 8, 4), corpus, { topK: 0 }), RangeError],
    [() => semanticSearch(random(2, 8, 4), corpus, { topK: 1.5 }), TypeError],
    // Rows of numbers are queries now (issue 16); rows of anything else are not.
    [() => semanticSearch(['a', 'b'] as unknown as Embeddings, corpus), TypeError],
    [() => semanticSearch([1, 2] as unknown as Embeddings, corpus), RangeError],
  ] as const) {
    try {
      await run();
      assert.unreachable('should reject');
    } catch (error) {
      assert.instance(error, kind);
    }
  }
  // An empty corpus gives empty hit lists.
  const empty = await semanticSearch(random(2, 8, 5), new Embeddings(new Float32Array(0), 0, 8));
  assert.equal(empty, [[], []]);
});

test('int8 and binary search with rescoring find the exact neighbours', async () => {
  const corpus = random(2000, 64, 6);
  const queries = random(20, 64, 7);
  const exact = bruteForce(queries, corpus, 10);
  for (const precision of ['int8', 'ubinary', 'binary'] as const) {
    const quantized = quantizeEmbeddings(corpus, precision);
    const hits = await quantizedSemanticSearch(queries, quantized, { topK: 10, rescoreMultiplier: 8 });
    let found = 0;
    assert.is(hits.length, queries.rows, `${precision}: one hit list per query`);
    hits.forEach((row, q) => {
      assert.is(row.length, 10, `${precision}: query ${q} has topK hits`);
      const truth = new Set(exact[q]!.map((h) => h.corpusId));
      found += row.filter((h) => truth.has(h.corpusId)).length;
    });
    const recall = found / (10 * queries.rows);
    // Uniform random vectors have no structure to exploit: the hardest case for quantization.
    assert.ok(recall >= (precision === 'int8' ? 0.75 : 0.4), `${precision} recall@10 ${recall}`);
  }
});

test('paraphraseMining and communityDetection', async () => {
  // Three tight groups of near-duplicates plus noise.
  const dim = 16;
  const centers = random(3, dim, 8);
  const rows: number[] = [];
  const noise = random(40, dim, 9);
  for (let i = 0; i < 36; i += 1) {
    const c = centers.row(i % 3);
    for (let d = 0; d < dim; d += 1) rows.push((c[d] as number) + 0.01 * (noise.data[i * dim + d] as number));
  }
  for (let i = 36; i < 40; i += 1) for (let d = 0; d < dim; d += 1) rows.push(noise.data[i * dim + d] as number);
  const embeddings = new Embeddings(Float32Array.from(rows), 40, dim);

  const pairs = await paraphraseMining(embeddings, { topK: 5 });
  const [score, a, b] = pairs[0]!;
  assert.ok(score > 0.99 && a % 3 === b % 3 && a < b, 'the best pair is two members of one group');
  assert.ok(pairs.every((p, i) => i === 0 || p[0] <= pairs[i - 1]![0]), 'best first');

  const communities = await communityDetection(embeddings, { threshold: 0.95, minCommunitySize: 5 });
  assert.is(communities.length, 3);
  for (const community of communities) {
    assert.is(community.length, 12);
    assert.ok(community.every((id) => id % 3 === community[0]! % 3));
  }
});

test('threads: the same hits on one thread, two, or the shared pool; bad counts are refused', async () => {
  const queries = random(7, 24, 1);
  const corpus = random(3001, 24, 2);
  const shared = await semanticSearch(queries, corpus, { topK: 5, corpusChunkSize: 500 });
  for (const threads of [1, 2, 64]) {
    assert.equal(await semanticSearch(queries, corpus, { topK: 5, corpusChunkSize: 500, threads }), shared, `threads ${threads}`);
  }
  for (const precision of ['int8', 'ubinary'] as const) {
    const quantized = quantizeEmbeddings(corpus, precision);
    const expected = await quantizedSemanticSearch(queries, quantized, { topK: 5 });
    assert.equal(await quantizedSemanticSearch(queries, quantized, { topK: 5, threads: 1 }), expected, precision);
  }
  await rejectsError(() => semanticSearch(queries, corpus, { threads: 0 }), RangeError);
  await rejectsError(() => semanticSearch(queries, corpus, { threads: 1.5 }), TypeError);
  await rejectsError(() => quantizedSemanticSearch(queries, quantizeEmbeddings(corpus, 'int8'), { threads: -2 }), RangeError);
});

test.run();
