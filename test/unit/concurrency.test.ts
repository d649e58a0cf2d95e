// Many concurrent callers on one model: every valid call gets exactly its own rows (checked
// against sequential results), every invalid call its own error, nothing else affected; and
// dispose() under load lets running calls finish and rejects later ones. On every CPU engine:
// ONNX Runtime and both precisions of sentencekit's CPU engine (whose lanes run several batches at once).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';

const texts = tinyBertReference().texts;
const CALLS = 10_000;

for (const cpuEngine of ['onnxruntime', 'int8', 'bf16x3'] as const) {
test(`${CALLS} concurrent calls, valid and invalid mixed (cpuEngine '${cpuEngine}')`, async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine });
  const sequential = new Map<string, Float32Array>();
  for (const text of texts) sequential.set(text, (await model.encode(text)).data);

  const calls = Array.from({ length: CALLS }, (_, i) => {
    if (i % 7 === 3) return { valid: false, promise: model.encode([texts[i % texts.length] as string, i as unknown as string]) };
    if (i % 11 === 5) return { valid: false, promise: model.encode(['x'], { batchSize: -1 }) };
    const batch = [texts[i % texts.length] as string, texts[(i * 13) % texts.length] as string];
    return { valid: true, batch, promise: model.encode(batch, { batchSize: 1 + (i % 4) }) };
  });
  const settled = await Promise.allSettled(calls.map((c) => c.promise));
  let valid = 0;
  settled.forEach((outcome, i) => {
    const call = calls[i]!;
    if (!call.valid) {
      assert.is(outcome.status, 'rejected', `call ${i} should fail`);
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      assert.ok(reason instanceof TypeError || reason instanceof RangeError, `call ${i}: ${String(reason)}`);
      return;
    }
    assert.is(outcome.status, 'fulfilled', `call ${i}: ${String((outcome as PromiseRejectedResult).reason)}`);
    const result = (outcome as PromiseFulfilledResult<Embeddings>).value;
    call.batch!.forEach((text, row) => {
      assert.ok(maxAbsDiff(result.row(row), sequential.get(text)!) <= 1e-5, `call ${i} row ${row}`);
    });
    valid += 1;
  });
  assert.ok(valid > CALLS / 2);
  await model.dispose();
});

test(`dispose under load: running calls finish, later calls reject with ERR_DISPOSED (cpuEngine '${cpuEngine}')`, async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine });
  const running = Array.from({ length: 200 }, (_, i) => model.encode(texts[i % texts.length] as string));
  const disposed = model.dispose();
  const late = model.encode('too late').then(() => undefined, (error: unknown) => error);
  const results = await Promise.allSettled(running);
  assert.ok(results.every((r) => r.status === 'fulfilled'), 'calls made before dispose() complete');
  await disposed;
  const error = await late;
  assert.instance(error, SentenceKitError, 'a call after dispose() must reject');
  assert.is((error as SentenceKitError).code, 'ERR_DISPOSED');
});
}

test.run();
