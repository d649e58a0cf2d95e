// maxBatchPadding: model batches end where the next, shorter input would make padding more
// than the bound's share of the batch. Every bound gives the same rows (the reference's), a
// bound of 0 runs inputs of distinct lengths one by one, and bad values are refused in TS.
// The token budget: 0 takes the CPU default of 1,024 padded tokens per batch, and the rows
// do not depend on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceTransformer } from '../../lib/index.js';
import { loadTinyBertNative, maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const reference = tinyBertReference();
const texts = reference.texts;

test('every padding bound gives the reference rows', async () => {
  for (const maxBatchPadding of [0, 0.05, 0.2, 1]) {
    const model = await SentenceTransformer.fromPretrained(TINY_BERT, { maxBatchPadding });
    const result = await model.encode(texts, { batchSize: 32 });
    texts.forEach((_, row) => {
      const diff = maxAbsDiff(result.row(row), reference.embeddings.mean.normalized[row]!);
      assert.ok(diff <= 1e-5, `maxBatchPadding ${maxBatchPadding} row ${row}: ${diff}`);
    });
    await model.dispose();
  }
});

test('a bound of 0 runs inputs of different lengths in batches of equal length only', async () => {
  const native = await loadTinyBertNative();
  const lengths = new Set(reference.tokens.map((t) => t.input_ids.length));
  const runs = async (maxPadding: number): Promise<number> => {
    const before = native.ioStats().runs;
    // A token budget far above these texts, so that only rows and padding cut (0 would take the CPU default).
    await native.encode(texts, { batchSize: 64, normalize: false, truncateDim: 0, promptTokens: 0, maxBatchTokens: 1 << 20, maxPadding });
    return native.ioStats().runs - before;
  };
  assert.is(await runs(1), Math.ceil(texts.length / 64));
  assert.is(await runs(0), lengths.size);
  await native.dispose();
});

test('the default token budget cuts CPU batches at 1,024 padded tokens with the same rows', async () => {
  const native = await loadTinyBertNative();
  // 64 copies of the longest fixture text: every batch is padded to the same length.
  const longest = reference.tokens.reduce((a, b) => (b.input_ids.length > a.input_ids.length ? b : a));
  const text = texts[reference.tokens.indexOf(longest)] as string;
  const many = Array.from({ length: 64 }, () => text);
  const encode = async (maxBatchTokens: number): Promise<{ runs: number; rows: Float32Array }> => {
    const before = native.ioStats().runs;
    const rows = await native.encode(many, { batchSize: 64, normalize: false, truncateDim: 0, promptTokens: 0, maxBatchTokens, maxPadding: 1 });
    return { runs: native.ioStats().runs - before, rows };
  };
  const budgeted = await encode(0);
  const unbounded = await encode(1 << 20);
  assert.is(unbounded.runs, 1);
  assert.is(budgeted.runs, Math.ceil(64 / Math.floor(1024 / longest.input_ids.length)), `${longest.input_ids.length} tokens per text`);
  assert.ok(maxAbsDiff(budgeted.rows, unbounded.rows) <= 1e-5);
  await native.dispose();
});

test('maxBatchPadding is validated', async () => {
  for (const [value, kind] of [[1.5, RangeError], [-0.1, RangeError], ['0.2', TypeError], [Number.NaN, TypeError]] as const) {
    try {
      await SentenceTransformer.fromPretrained(TINY_BERT, { maxBatchPadding: value as number });
      assert.unreachable(`maxBatchPadding ${String(value)} accepted`);
    } catch (error) {
      assert.instance(error, kind);
      assert.match((error as Error).message, /expected options\.maxBatchPadding/);
    }
  }
});

test.run();
