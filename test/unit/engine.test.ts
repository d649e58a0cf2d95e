// The serving path's engine: every model run happens on the model's own owner thread (never
// the libuv pool), runs reuse their ORT tensors and buffers so a steady state allocates none,
// and dispose() waits for queued runs before freeing anything.
import { pbkdf2 } from 'node:crypto';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { loadTinyBertNative, maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const reference = tinyBertReference();
const texts = reference.texts;
const options = { batchSize: 8, normalize: false, truncateDim: 0, promptTokens: 0, maxBatchTokens: 0, maxPadding: 1 };

test('steady state: repeated batches create no tensors and grow no buffers', async () => {
  const native = await loadTinyBertNative();
  const first = await native.encode(texts, options);
  const warm = native.ioStats();
  assert.ok(warm.runs > 0 && warm.tensorsCreated > 0, JSON.stringify(warm));
  for (let round = 0; round < 5; round += 1) {
    const again = await native.encode(texts, options);
    assert.ok(maxAbsDiff(again, first) === 0, 'reused buffers give identical outputs');
  }
  // A single short text, as a query server sees, after its shape was seen once.
  await native.encode([texts[0] as string], options);
  const afterQuery = native.ioStats();
  for (let i = 0; i < 20; i += 1) await native.encode([texts[0] as string], options);
  const steady = native.ioStats();
  assert.is(steady.runs, afterQuery.runs + 20);
  assert.is(steady.tensorsCreated, afterQuery.tensorsCreated, `tensors made in steady state: ${JSON.stringify([afterQuery, steady])}`);
  assert.is(steady.bufferGrowths, warm.bufferGrowths, `buffers regrown: ${JSON.stringify([warm, steady])}`);
  await native.dispose();
});

test('outputs match the reference with reused buffers across shapes', async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  // Different batch sizes give different [batch, seq] shapes over the same buffers.
  for (const batchSize of [1, 3, 32, 2]) {
    const embeddings = await model.encode(texts, { batchSize });
    texts.forEach((_, i) => {
      assert.ok(maxAbsDiff(embeddings.row(i), reference.embeddings.mean.normalized[i] as number[]) <= 1e-5, `batch ${batchSize} row ${i}`);
    });
  }
  await model.dispose();
});

test('model runs leave the libuv pool free', async () => {
  // More busy models than libuv has threads (4 by default): on the pool they would hold every
  // thread and a pbkdf2 queued after them would wait for a run to finish.
  const models = await Promise.all(Array.from({ length: 6 }, () => SentenceTransformer.fromPretrained(TINY_BERT)));
  const long = Array.from({ length: 1500 }, (_, i) => texts[i % texts.length] as string);
  let encodesDone = 0;
  const encodes = models.map((model) => model.encode(long, { batchSize: 1 }).then(() => { encodesDone += 1; }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const doneWhenHashed = await new Promise<number>((resolve, reject) => {
    pbkdf2('secret', 'salt', 1, 32, 'sha256', (error) => (error ? reject(error) : resolve(encodesDone)));
  });
  assert.is(doneWhenHashed, 0, 'pbkdf2 ran while every model was busy');
  await Promise.all(encodes);
  await Promise.all(models.map((model) => model.dispose()));
});

test('native dispose waits for queued runs, then later calls reject', async () => {
  const native = await loadTinyBertNative();
  const queued = Array.from({ length: 50 }, () => native.encode(texts, options));
  const disposed = native.dispose();
  const late = await native.encode(texts, options).then(() => null, (error: unknown) => error);
  assert.instance(late, SentenceKitError);
  assert.is((late as SentenceKitError).code, 'ERR_DISPOSED');
  const results = await Promise.allSettled(queued);
  assert.ok(results.every((r) => r.status === 'fulfilled'), 'runs queued before dispose() complete');
  await disposed;
  await native.dispose(); // twice is fine
});

test.run();
