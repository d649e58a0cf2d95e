// An inference-free SPLADE model (Router: "query" = SparseStaticEmbedding idf weights,
// "document" = MLMTransformer + SpladePooling) equal to Python sentence-transformers 6.0.1:
// encode_query, encode_document, encode's default route, max_active_dims, decode and
// similarity.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SparseEncoder } from '../../lib/index.js';
import { copyFixture, FIXTURES } from '../helpers/fixtures.js';

type Rows = Array<{ indices: number[]; values: number[] }>;
const TOLERANCE = 1e-5;
const FOLDER = join(FIXTURES, 'tiny-sparse-router');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'tiny-sparse-router.reference.json'), 'utf8')) as {
  router: { default_route: string; routes: string[] };
  queries: string[];
  documents: string[];
  encode_query: Rows;
  encode_query_max_active_dims_3: Rows;
  encode_document: Rows;
  encode_default_first4: Rows;
  decode_query_top5: Array<Array<[string, number]>>;
  decode_document_top5: Array<Array<[string, number]>>;
  similarity_query6_documents: number[][];
};

function checkRows(got: { rows: number; row(i: number): { indices: Int32Array; values: Float32Array } }, expected: Rows, what: string): void {
  assert.is(got.rows, expected.length, `${what}: rows`);
  expected.forEach((row, i) => {
    const { indices, values } = got.row(i);
    assert.equal(Array.from(indices), row.indices, `${what}: indices of row ${i}`);
    values.forEach((v, k) => assert.ok(Math.abs(v - row.values[k]!) <= TOLERANCE, `${what}: row ${i} value ${k}: ${v} vs ${row.values[k]}`));
  });
}

function checkDecoded(got: Array<Array<[string, number]>>, expected: Array<Array<[string, number]>>, what: string): void {
  assert.is(got.length, expected.length);
  got.forEach((row, i) => {
    assert.equal(row.map(([token]) => token), expected[i]!.map(([token]) => token), `${what}: decoded tokens of row ${i}`);
    row.forEach(([, weight], k) => assert.ok(Math.abs(weight - expected[i]![k]![1]) <= TOLERANCE, `${what}: decoded weight ${i}/${k}`));
  });
}

test('encodeQuery (idf lookup, no transformer), encodeDocument (SPLADE) and encode (default route)', async () => {
  const model = await SparseEncoder.fromPretrained(FOLDER);
  try {
    assert.is(model.dimension, 30522);
    assert.equal(model.routes, reference.router.routes);
    assert.is(model.maxSeqLength, 128);
    const queries = await model.encodeQuery(reference.queries, { batchSize: 8 });
    checkRows(queries, reference.encode_query, 'encodeQuery');
    checkRows(await model.encodeQuery(reference.queries, { maxActiveDims: 3 }), reference.encode_query_max_active_dims_3, 'encodeQuery maxActiveDims 3');
    const documents = await model.encodeDocument(reference.documents, { batchSize: 8 });
    checkRows(documents, reference.encode_document, 'encodeDocument');
    // sentence-transformers' encode() without a task takes default_route ("document").
    assert.is(reference.router.default_route, 'document');
    checkRows(await model.encode(reference.documents.slice(0, 4)), reference.encode_default_first4, 'encode');
    checkRows(await model.encode(reference.queries, { task: 'query' }), reference.encode_query, 'encode task query');

    checkDecoded(model.decode(await model.encodeQuery(reference.queries.slice(0, 6)), 5), reference.decode_query_top5, 'query');
    checkDecoded(model.decode(await model.encodeDocument(reference.documents.slice(0, 4)), 5), reference.decode_document_top5, 'document');

    const similarity = model.similarity(await model.encodeQuery(reference.queries.slice(0, 6)), documents);
    reference.similarity_query6_documents.flat().forEach((v, i) => assert.ok(Math.abs((similarity.data[i] as number) - v) <= 1e-4 * Math.max(1, Math.abs(v)), `similarity ${i}`));
  } finally {
    await model.dispose();
  }
});

test('the query route runs no transformer: it loads and encodes with the MLM export gone', async () => {
  const copy = copyFixture(FOLDER);
  try {
    // Point the document route at a missing module so only the query route can be checked
    // in isolation: a Router with just the static route.
    const configFile = join(copy.dir, 'router_config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { structure: Record<string, string[]>; parameters: Record<string, unknown> };
    delete config.structure.document;
    config.parameters.default_route = 'query';
    writeFileSync(configFile, JSON.stringify(config));
    rmSync(join(copy.dir, 'document_0_MLMTransformer'), { recursive: true });
    const model = await SparseEncoder.fromPretrained(copy.dir);
    try {
      checkRows(await model.encodeQuery(reference.queries), reference.encode_query, 'query only');
      checkRows(await model.encode(reference.queries), reference.encode_query, 'query only, default route');
    } finally {
      await model.dispose();
    }
  } finally {
    copy.cleanup();
  }
});

test('dispose waits for runs on every route, then calls reject with ERR_DISPOSED', async () => {
  const model = await SparseEncoder.fromPretrained(FOLDER);
  const inflight = [model.encodeQuery(reference.queries), model.encodeDocument(reference.documents)];
  await model.dispose();
  const [queries, documents] = await Promise.all(inflight);
  checkRows(queries!, reference.encode_query, 'query run accepted before dispose');
  checkRows(documents!, reference.encode_document, 'document run accepted before dispose');
  for (const call of [() => model.encodeQuery('x'), () => model.encode('x')]) {
    try {
      await call();
      assert.unreachable('disposed');
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_DISPOSED');
    }
  }
});

test('an unknown task is a RangeError; bad idf weights are ERR_MODEL_LOAD', async () => {
  const model = await SparseEncoder.fromPretrained(FOLDER);
  try {
    try {
      await model.encode(['x'], { task: 'passage' });
      assert.unreachable('unknown task');
    } catch (error) {
      assert.instance(error, RangeError);
      assert.match((error as Error).message, 'expected options.task to be one of ["query","document"]');
    }
    try {
      await model.encode(['x'], { task: 3 as unknown as string });
      assert.unreachable('non-string task');
    } catch (error) {
      assert.instance(error, TypeError);
    }
  } finally {
    await model.dispose();
  }

  const copy = copyFixture(FOLDER);
  try {
    const weights = join(copy.dir, 'query_0_SparseStaticEmbedding', 'model.safetensors');
    writeFileSync(weights, readFileSync(weights).subarray(0, 40));
    await SparseEncoder.fromPretrained(copy.dir);
    assert.unreachable('a truncated weight file must not load');
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_MODEL_LOAD', String(error));
    assert.match((error as Error).message, 'model.safetensors');
  } finally {
    copy.cleanup();
  }
});

test.run();
