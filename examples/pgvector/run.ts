/**
 * Embeds a corpus with sentencekit, stores it in PostgreSQL with pgvector (vector, halfvec,
 * bit, sparsevec, each with an HNSW index) and prints each column's recall@10 against
 * sentencekit's own exact search:
 *
 *   node --import tsx examples/pgvector/run.ts                 # PGlite in this process
 *   node --import tsx examples/pgvector/run.ts --wire          # the same PGlite over the wire protocol, with pg
 *   DATABASE_URL=postgres://… node --import tsx examples/pgvector/run.ts   # a PostgreSQL server with pgvector
 *
 * Options: --texts N (default 500), --queries N (default 50), --model and --splade (model
 * folders; default the tiny test fixtures).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { mixedLengthCorpus } from '../../bench/corpus.js';
import { SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { compare, encodeAll, load, table } from './compare.js';
import { connectPg, openPGlite, serveOverWire, type Connection } from './databases.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    wire: { type: 'boolean', default: false },
    texts: { type: 'string', default: '500' },
    queries: { type: 'string', default: '50' },
    model: { type: 'string', default: join(__dirname, '..', '..', 'test', 'fixtures', 'tiny-bert') },
    splade: { type: 'string', default: join(__dirname, '..', '..', 'test', 'fixtures', 'tiny-splade') },
  } });
  const model = await SentenceTransformer.fromPretrained(values.model);
  const splade = await SparseEncoder.fromPretrained(values.splade);
  const texts = mixedLengthCorpus(Number(values.texts), 3, 40, 7).texts;
  const queryTexts = mixedLengthCorpus(Number(values.queries), 2, 12, 11).texts;
  let started = performance.now();
  const corpus = await encodeAll(model, splade, texts, 'document');
  const queries = await encodeAll(model, splade, queryTexts, 'query');
  const encodeSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  let connection: Connection;
  let where: string;
  const cleanups: Array<() => Promise<void>> = [];
  if (process.env.DATABASE_URL) {
    connection = await connectPg(process.env.DATABASE_URL);
    where = 'a PostgreSQL server through pg';
  } else {
    const local = await openPGlite();
    cleanups.push(() => local.close());
    if (values.wire) {
      const server = await serveOverWire(local.db);
      cleanups.unshift(() => server.stop());
      const client = await connectPg(server.url);
      cleanups.unshift(() => client.close());
      connection = client;
      where = 'PGlite over the wire protocol (pglite-socket) through pg';
    } else {
      connection = local;
      where = 'PGlite in process';
    }
  }
  if (process.env.DATABASE_URL) cleanups.push(() => connection.close());
  const openSeconds = (performance.now() - started) / 1000;
  try {
    const { insertSeconds, indexSeconds } = await load(connection.query, corpus);
    const reports = await compare(connection.query, corpus, queries, splade);
    console.log(`${texts.length} texts, ${queryTexts.length} queries, ${where}; encode ${encodeSeconds.toFixed(1)} s, open ${openSeconds.toFixed(1)} s, insert ${insertSeconds.toFixed(2)} s, HNSW build ${indexSeconds.toFixed(2)} s\n`);
    console.log(table(reports));
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await Promise.all([model.dispose(), splade.dispose()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
