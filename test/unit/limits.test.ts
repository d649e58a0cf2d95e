// cpu-level-independent: the levels stage does not run this file again.
// Inputs at the edge of what one call can hold: a 1 GB string and texts past MAX_TEXT_LENGTH
// are a RangeError before anything is tokenized (tokenizing one whole took about 32 bytes per
// character: 16 GB for the 1 GB string); a call of many texts runs in parts of MAX_RUN_TEXTS,
// so the encodings of one part at a time are held (about 800 MB per million short texts when
// they were all held at once), and a result that cannot fit in memory is a RangeError before
// it is allocated. RELIABILITY.md records 10 million texts in one call.
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { EncodeScheduler, MAX_RUN_TEXTS } from '../../lib/encode-scheduler.js';
import { CrossEncoder, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { MAX_TEXT_LENGTH } from '../../lib/validate.js';
import { rejectsError } from '../helpers/errors.js';
import { FIXTURES } from '../helpers/fixtures.js';

const OPTIONS = { batchSize: 32, normalize: false, truncateDim: 0, promptTokens: 0, maxLength: 128 } as never;

test('a call of more than MAX_RUN_TEXTS texts runs in parts, each a native run, into one result in order', async () => {
  const runs: number[] = [];
  const scheduler = new EncodeScheduler(async (texts) => {
    runs.push(texts.length);
    // Row i holds the number in text i, twice: the result shows where each row landed.
    return Float32Array.from(texts.flatMap((text) => [Number(text), Number(text)]));
  }, { maxBatchTexts: 256, maxWaitMs: 0 });
  const count = 2 * MAX_RUN_TEXTS + 1000;
  const rows = await scheduler.submit(Array.from({ length: count }, (_, i) => String(i)), OPTIONS);
  assert.equal(runs, [MAX_RUN_TEXTS, MAX_RUN_TEXTS, 1000]);
  assert.is(rows.length, 2 * count);
  assert.ok(rows.every((value, i) => value === Math.floor(i / 2)), 'a row landed out of place');
  runs.length = 0;
  await scheduler.submit(['1', '2'], OPTIONS);
  assert.equal(runs, [2], 'a small call is one run');
  // A scheduler's own part size (a static model's, larger than MAX_RUN_TEXTS).
  runs.length = 0;
  const wide = new EncodeScheduler(async (texts) => {
    runs.push(texts.length);
    return Float32Array.from(texts.flatMap((text) => [Number(text)]));
  }, { maxBatchTexts: 256, maxWaitMs: 0, maxRunTexts: 3 * MAX_RUN_TEXTS });
  const ones = await wide.submit(Array.from({ length: count }, (_, i) => String(i)), OPTIONS);
  assert.equal(runs, [count], 'one run up to maxRunTexts');
  assert.ok(ones.every((value, i) => value === i));
});

test('a result larger than the machine memory is a RangeError before it is allocated', async () => {
  // 10 million texts of 1,024-wide embeddings: 40 GB, more than any test machine has.
  const scheduler = new EncodeScheduler(async (texts) => new Float32Array(texts.length * 1024), { maxBatchTexts: 256, maxWaitMs: 0 });
  await rejectsError(scheduler.submit(new Array<string>(10_000_000).fill('x'), OPTIONS), RangeError, /10000000 embeddings of 1024 floats take 38\.1 GiB, more than this machine's/);
});

test('a real model encodes a call of several parts as it encodes each text on its own', async () => {
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-bert'), { cpuEngine: 'int8' });
  try {
    const texts = Array.from({ length: MAX_RUN_TEXTS + 500 }, (_, i) => `text ${i} ${'word '.repeat(i % 17)}`);
    const all = await model.encode(texts);
    for (const i of [0, 1, MAX_RUN_TEXTS - 1, MAX_RUN_TEXTS, MAX_RUN_TEXTS + 499]) {
      const alone = await model.encode([texts[i] as string]);
      const row = all.row(i);
      assert.ok(alone.data.every((value, d) => Math.abs(value - (row[d] as number)) < 1e-5), `row ${i} differs from its text encoded alone`);
    }
  } finally {
    await model.dispose();
  }
});

test('a 1 GB string and a text past MAX_TEXT_LENGTH are a RangeError on every model class, before tokenizing', async () => {
  // 536,870,888 code units (V8's longest string), each 2 bytes of UTF-8: 1 GB.
  const huge = 'é'.repeat(2 ** 29 - 24);
  const long = 'a'.repeat(MAX_TEXT_LENGTH + 1);
  const message = /at most 4194304 UTF-16 code units but received/;
  const model = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-bert'));
  const reranker = await CrossEncoder.fromPretrained(join(FIXTURES, 'tiny-ce-1label'));
  const sparse = await SparseEncoder.fromPretrained(join(FIXTURES, 'tiny-splade'));
  try {
    for (const text of [huge, long]) {
      const started = Date.now();
      await rejectsError(() => model.encode(text), RangeError, message, 'encode(text)');
      await rejectsError(() => model.encode(['short', text]), RangeError, /texts\[1\] of at most/, 'encode([…, text])');
      await rejectsError(() => model.tokenize([text]), RangeError, message, 'tokenize');
      await rejectsError(() => model.encodeTokenEmbeddings(text), RangeError, message, 'encodeTokenEmbeddings');
      await rejectsError(() => reranker.predict([['query', text]]), RangeError, /pairs\[0\]\[1\] of at most/, 'predict');
      await rejectsError(() => reranker.rank(text, ['doc']), RangeError, message, 'rank');
      await rejectsError(() => sparse.encode([text]), RangeError, message, 'sparse encode');
      assert.ok(Date.now() - started < 5000, 'refused without tokenizing');
    }
    // The longest accepted text still encodes (and is truncated as usual).
    assert.equal((await model.encode('a '.repeat(MAX_TEXT_LENGTH / 2))).shape, [1, 32]);
  } finally {
    await Promise.all([model.dispose(), reranker.dispose(), sparse.dispose()]);
  }
});

test.run();
