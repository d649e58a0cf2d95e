// cpu-level-independent: the levels stage does not run this file again.
// pgvector end to end against real PostgreSQL (PGlite: PostgreSQL compiled to WebAssembly,
// with its pgvector extension): 300 bench-corpus texts stored as vector, halfvec, bit (binary
// quantization) and sparsevec (SPLADE), HNSW-indexed, queried by cosine, inner product, Hamming
// and sparse inner product, in process and over the wire protocol with `pg` (pglite-socket).
// An exact scan (index off) must return sentencekit's own exact hits; the HNSW index must
// reach recall@10 ≥ 0.9 (it is near exact at this size).
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { mixedLengthCorpus } from '../../bench/corpus.js';
import { compare, encodeAll, load, queryValue, type ColumnReport } from '../../examples/pgvector/compare.js';
import { connectPg, openPGlite, serveOverWire, type Connection } from '../../examples/pgvector/databases.js';
import { bitString, nearest, plan, type Column, type Encoded } from '../../examples/pgvector/store.js';
import { SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const TEXTS = 300;
const QUERIES = 20;

let model: SentenceTransformer;
let splade: SparseEncoder;
let local: Awaited<ReturnType<typeof openPGlite>>;
let corpus: Encoded;
let queries: Encoded;
let inProcess: ColumnReport[];

test.before(async () => {
  [model, splade, local] = await Promise.all([
    SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-bert')),
    SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-splade')),
    openPGlite(),
  ]);
  corpus = await encodeAll(model, splade, mixedLengthCorpus(TEXTS, 3, 40, 7).texts, 'document');
  queries = await encodeAll(model, splade, mixedLengthCorpus(QUERIES, 2, 12, 11).texts, 'query');
  await load(local.query, corpus);
});

test.after(async () => {
  await local?.close();
  await Promise.all([model?.dispose(), splade?.dispose()]);
});

test('the stored rows are sentencekit\'s encodings', async () => {
  const { rows } = await local.query('SELECT id, embedding::text AS v, embedding_bits::text AS b, embedding_sparse::text AS s FROM sentencekit_items WHERE id IN (0, 123) ORDER BY id');
  const [first, second] = rows as Array<{ id: number; v: string; b: string; s: string }>;
  assert.equal([first?.id, second?.id], [0, 123]);
  const stored = JSON.parse(second!.v) as number[];
  stored.forEach((value, i) => assert.ok(Math.abs(value - corpus.dense.row(123)[i]!) <= 1e-6 * Math.max(1, Math.abs(value)), `dimension ${i}`));
  assert.is(second!.b, bitString(corpus.bits, 123));
  assert.is(second!.b.length, corpus.dense.dimension);
  // bit i is set where dimension i is positive, as sentence-transformers' ubinary packs them.
  assert.is(second!.b, Array.from(corpus.dense.row(123), (v) => (v > 0 ? '1' : '0')).join(''));
  const { indices } = corpus.sparse.row(0);
  assert.match(first!.s, new RegExp(`^\\{${indices[0]! + 1}:`), 'sparsevec indices are 1-based');
  assert.ok(first!.s.endsWith(`}/${corpus.sparse.dimension}`));
  assert.is(first!.s.split(',').length, indices.length);
  const { rows: count } = await local.query('SELECT count(*)::int AS n FROM sentencekit_items');
  assert.is((count[0] as { n: number }).n, TEXTS);
});

test('the planner answers through each HNSW index, and scans every row when the index is off', async () => {
  for (const column of ['vector', 'halfvec', 'bit', 'sparsevec'] as Column[]) {
    const value = queryValue(column, queries, 0);
    assert.match(await plan(local.query, column, value, 10), /Index Scan using sentencekit_items_\w+_hnsw/, column);
    const exact = await plan(local.query, column, value, 10, true);
    assert.match(exact, /Seq Scan on sentencekit_items/, column);
    assert.not.match(exact, /Index Scan/, column);
  }
});

test('PGlite in process: exact scans equal sentencekit\'s exact search; HNSW recall@10 ≥ 0.9', async () => {
  inProcess = await compare(local.query, corpus, queries, splade);
  console.log(inProcess.map((r) => `# ${r.column} (${r.metric}): recall@10 HNSW ${r.hnswRecall.toFixed(3)}, exact scan ${r.exactRecall.toFixed(3)}; exact ids ${r.exactSameIds}/${r.queries}, distances ${r.exactSameDistances}/${r.queries}, max gap ${r.worstDistanceGap.toExponential(1)}`).join('\n'));
  for (const r of inProcess) {
    assert.is(r.queries, QUERIES);
    assert.is(r.exactRecall, 1, `${r.column}: the exact scan finds sentencekit's top 10`);
    assert.is(r.exactSameDistances, QUERIES, `${r.column}: the exact scan's distances are sentencekit's`);
    assert.ok(r.hnswRecall >= 0.9, `${r.column}: HNSW recall@10 ${r.hnswRecall}`);
  }
  const byColumn = Object.fromEntries(inProcess.map((r) => [r.column, r]));
  // Float distances never tie here, so the exact scans return sentencekit's ids in its order;
  // Hamming distances over 32 bits tie, so only the distances must agree there.
  for (const column of ['vector', 'sparsevec'] as const) assert.is(byColumn[column]!.exactSameIds, QUERIES, column);
  assert.ok(byColumn.vector!.worstDistanceGap <= 1e-5 && byColumn.bit!.worstDistanceGap === 0);
});

test('over the wire protocol with pg (pglite-socket): the same code path, the same hits', async () => {
  const server = await serveOverWire(local.db);
  let client: Connection | undefined;
  try {
    client = await connectPg(server.url);
    const { rows } = await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    assert.match(String((rows[0] as { extversion: string }).extversion), /^\d+\.\d+/);
    const overWire = await compare(client.query, corpus, queries, splade);
    assert.equal(overWire.map(({ hnswMs: _, ...r }) => r), inProcess.map(({ hnswMs: _, ...r }) => r));
    for (const column of ['vector', 'halfvec', 'bit', 'sparsevec'] as Column[]) {
      const value = queryValue(column, queries, 3);
      assert.equal(await nearest(client.query, column, value, 10), await nearest(local.query, column, value, 10), column);
    }
  } finally {
    await client?.close();
    await server.stop();
  }
});

test.run();
