// cpu-level-independent: the levels stage does not run this file again.
// device: 'cpu' | 'cuda' | 'auto'. Without a usable GPU (CI, this machine) 'cuda' rejects with
// ERR_CUDA_UNAVAILABLE and 'auto' falls back to the CPU with the reason; with one, the CUDA
// engine's embeddings are checked against the CPU path's. Tests that need a GPU say so and skip.
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CrossEncoder, cudaStatus, SentenceKitError, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';
import { testIf } from '../helpers/skip.js';

const cuda = cudaStatus();
if (!cuda.available) console.log(`# device tests: no usable GPU (${cuda.reason}); GPU-only checks skip`);

async function rejectsWith(promise: Promise<unknown>, code: string, what: string): Promise<SentenceKitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SentenceKitError && error.code === code, `${what}: unexpected error ${String(error)}`);
    return error as SentenceKitError;
  }
  assert.unreachable(`${what}: expected a rejection`);
  throw new Error('unreachable');
}

test('cudaStatus says whether the engine can run, and why not', () => {
  assert.type(cuda.available, 'boolean');
  if (cuda.available) {
    assert.type(cuda.deviceName, 'string');
  } else {
    assert.type(cuda.reason, 'string');
    assert.ok((cuda.reason ?? '').length > 10, 'the reason says something');
  }
});

test('device is validated before anything loads', async () => {
  for (const device of ['gpu', 'CUDA', 1, null]) {
    try {
      await SentenceTransformer.fromPretrained(TINY_BERT, { device: device as never });
      assert.unreachable('accepted a bad device');
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match(String(error), /expected options\.device to be 'cpu', 'cuda' or 'auto' but received/);
    }
  }
  try {
    await SentenceTransformer.fromPretrained(TINY_BERT, { device: 'auto', cudaDtype: 'half' as never });
    assert.unreachable('accepted a bad cudaDtype');
  } catch (error) {
    assert.instance(error, TypeError);
  }
});

test("device 'cpu' is the default", async () => {
  const model = await SentenceTransformer.fromPretrained(TINY_BERT);
  assert.is(model.device, 'cpu');
  assert.is(model.deviceFallbackReason, null);
  await model.dispose();
});

testIf(!cuda.available, 'a GPU is usable here')("without a GPU, 'cuda' rejects with ERR_CUDA_UNAVAILABLE and the reason", async () => {
  const error = await rejectsWith(SentenceTransformer.fromPretrained(TINY_BERT, { device: 'cuda' }), 'ERR_CUDA_UNAVAILABLE', 'cuda');
  assert.ok(error.message.includes(cuda.reason ?? '\0'), error.message);
});

test("'auto' falls back to the CPU, keeps the reason, and encodes as the CPU does", async () => {
  const texts = ['The cat sits outside', 'A man is playing guitar', ''];
  const cpu = await SentenceTransformer.fromPretrained(TINY_BERT);
  const auto = await SentenceTransformer.fromPretrained(TINY_BERT, { device: 'auto', cudaDtype: 'float32' });
  if (cuda.available) {
    // tiny-bert runs on the engine (head size 8): fp32 matches the CPU path.
    assert.is(auto.device, 'cuda');
    assert.is(auto.deviceFallbackReason, null);
    assert.ok(maxAbsDiff((await auto.encode(texts)).data, (await cpu.encode(texts)).data) <= 1e-4);
  } else {
    assert.is(auto.device, 'cpu');
    assert.is(auto.deviceFallbackReason, cuda.reason);
    assert.equal(Array.from((await auto.encode(texts)).data), Array.from((await cpu.encode(texts)).data));
  }
  await cpu.dispose();
  await auto.dispose();
});

testIf(cuda.available, `no usable GPU (${cuda.reason})`)('GPU: cuda fp16 embeddings point where the CPU ones do', async () => {
  const texts = ['The cat sits outside', 'Mixed 中文 and English', 'x '.repeat(200)];
  const cpu = await SentenceTransformer.fromPretrained(TINY_BERT);
  const gpu = await SentenceTransformer.fromPretrained(TINY_BERT, { device: 'cuda' });
  const a = (await cpu.encode(texts)).data;
  const b = (await gpu.encode(texts)).data;
  const dim = cpu.dimension;
  for (let r = 0; r < texts.length; r++) {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += a[r * dim + i]! * b[r * dim + i]!;
    assert.ok(dot >= 0.999, `row ${r}: cosine ${dot}`);  // both normalized by the model's Normalize module
  }
  await cpu.dispose();
  await gpu.dispose();
});

test('CrossEncoder and SparseEncoder on the CUDA engine need model.safetensors, said plainly', async () => {
  const ce = join(FIXTURES, 'tiny-ce-1label');
  const splade = join(FIXTURES, 'tiny-splade');
  // The committed cross-encoder fixtures carry only ONNX weights: the engine cannot run them, GPU or not.
  const error = await rejectsWith(CrossEncoder.fromPretrained(ce, { device: 'cuda' }), 'ERR_CUDA_UNAVAILABLE', 'cross-encoder');
  assert.match(error.message, /has no model\.safetensors, which the CUDA engine reads/);
  const sparseError = await rejectsWith(SparseEncoder.fromPretrained(splade, { device: 'cuda' }), 'ERR_CUDA_UNAVAILABLE', 'sparse-encoder');
  assert.match(sparseError.message, /has no model\.safetensors, which the CUDA engine reads/);
  const reranker = await CrossEncoder.fromPretrained(ce, { device: 'auto' });
  assert.is(reranker.device, 'cpu');
  assert.match(reranker.deviceFallbackReason ?? '', /has no model\.safetensors/);
  await reranker.dispose();
  const sparse = await SparseEncoder.fromPretrained(splade, { device: 'auto' });
  assert.is(sparse.device, 'cpu');
  assert.match(sparse.deviceFallbackReason ?? '', /has no model\.safetensors/);
  await sparse.dispose();
});

test.run();
