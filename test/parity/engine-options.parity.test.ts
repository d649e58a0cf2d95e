// sentencekit's own CPU engine (cpuEngine / backend 'sentencekit-int8' | 'sentencekit-bf16x3') beyond
// its outputs, which the parity table checks (matrix.ts): token embeddings, prompts, truncateDim
// and precision as on the ONNX path, folders without an ONNX export, the kernel runtimeInfo
// names, and typed errors for options and folders it cannot run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { Embeddings, runtimeInfo, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { expectedKernels } from '../helpers/cpu-features.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT, tinyBertReference } from '../helpers/fixtures.js';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const reference = tinyBertReference();

test('int8 token embeddings mean-pool to the embedding, across lanes and a token budget', async () => {
  const one = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8', intraOpThreads: 1 });
  const lanes = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8', intraOpThreads: 3, maxBatchTokens: 40 });
  try {
    const all = (await one.encode(reference.texts)) as Embeddings;
    const tokens = await lanes.encodeTokenEmbeddings(reference.texts);
    // tiny-bert ends with a Normalize module: mean-pool, then normalize.
    const pooled = tokens.map((rows) => {
      const mean = new Float64Array(rows.shape[1]);
      for (let t = 0; t < rows.shape[0]; t++) rows.row(t).forEach((v, c) => (mean[c] = mean[c]! + v / rows.shape[0]));
      const norm = Math.hypot(...mean);
      return mean.map((v) => v / norm);
    });
    pooled.forEach((mean, i) => assert.ok(maxAbsDiff(mean, all.row(i)) < 1e-5, `token embeddings of text ${i} mean-pool to its embedding`));
  } finally {
    await one.dispose();
    await lanes.dispose();
  }
});

test('prompts, truncateDim and precision run as on the ONNX path', async () => {
  const int8 = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8' });
  try {
    const full = (await int8.encode(reference.texts, { prompt: 'query: ' })) as Embeddings;
    const cut = (await int8.encode(reference.texts, { prompt: 'query: ', truncateDim: 8, normalizeEmbeddings: true })) as Embeddings;
    assert.equal(cut.shape, [reference.texts.length, 8]);
    for (let i = 0; i < reference.texts.length; i++) {
      const head = full.row(i).slice(0, 8);
      const norm = Math.hypot(...head);
      assert.ok(maxAbsDiff(head.map((v) => v / norm), cut.row(i)) < 1e-6, `row ${i}`);
    }
    const binary = await int8.encode(reference.texts, { precision: 'binary' });
    assert.equal([binary.precision, binary.rows], ['binary', reference.texts.length]);
  } finally {
    await int8.dispose();
  }
});

test('a folder without an ONNX export loads: the int8 engine needs only model.safetensors', async () => {
  const fixture = copyFixture();
  const withOnnx = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8' });
  try {
    rmSync(join(fixture.dir, 'onnx'), { recursive: true });
    const model = await SentenceTransformer.fromPretrained(fixture.dir, { cpuEngine: 'int8' });
    const a = (await model.encode(reference.texts)) as Embeddings;
    const b = (await withOnnx.encode(reference.texts)) as Embeddings;
    assert.is(maxAbsDiff(a.data, b.data), 0);
    await model.dispose();
    const error = await SentenceTransformer.fromPretrained(fixture.dir).catch((e: unknown) => e);
    assert.match((error as Error).message, /cpuEngine: 'int8'/, 'the ONNX engine says which engine would load it');
  } finally {
    await withOnnx.dispose();
    fixture.cleanup();
  }
});

test('runtimeInfo says which GEMM kernel the engine runs here', () => {
  assert.is(runtimeInfo().int8EngineKernel, expectedKernels().int8EngineKernel, 'the kernel /proc/cpuinfo calls for');
});

test('bad options and folders it cannot run are typed errors', async () => {
  let error: unknown = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'fast' as 'int8' }).catch((e: unknown) => e);
  assert.instance(error, TypeError);
  error = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8', quantized: true }).catch((e: unknown) => e);
  assert.instance(error, TypeError, 'quantized picks an ONNX file, which the int8 engine does not read');
  // tiny-bert-dense ships only ONNX weights: the int8 engine reads model.safetensors.
  error = await SentenceTransformer.fromPretrained(join(FIXTURES, 'tiny-bert-dense'), { cpuEngine: 'int8' }).catch((e: unknown) => e);
  assert.instance(error, SentenceKitError);
  assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
  assert.match((error as Error).message, /model\.safetensors/);
  // A model_type the engine does not run: the error names it and lists those it runs.
  const distil = copyFixture();
  try {
    const configPath = join(distil.dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), model_type: 'electra' }));
    error = await SentenceTransformer.fromPretrained(distil.dir, { cpuEngine: 'int8' }).catch((e: unknown) => e);
    assert.instance(error, SentenceKitError);
    assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
    assert.match((error as Error).message, /"electra" is not supported.*distilbert.*modernbert/);
  } finally {
    distil.cleanup();
  }
  const fixture = copyFixture();
  try {
    rmSync(join(fixture.dir, 'model.safetensors'));
    error = await SentenceTransformer.fromPretrained(fixture.dir, { cpuEngine: 'int8' }).catch((e: unknown) => e);
    assert.is((error as SentenceKitError).code, 'ERR_MODEL_LOAD');
    const onnx = await SentenceTransformer.fromPretrained(fixture.dir);
    await onnx.dispose();
  } finally {
    fixture.cleanup();
  }
});

test("runtimeInfo says which bf16x3 GEMM kernel runs here; bad precisions are TypeErrors", async () => {
  assert.is(runtimeInfo().bf16x3EngineKernel, expectedKernels().bf16x3EngineKernel, 'the kernel /proc/cpuinfo calls for');
  const error = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'fp32' as 'bf16x3' }).catch((e: unknown) => e);
  assert.instance(error, TypeError);
  assert.match((error as Error).message, /'onnxruntime', 'int8' or 'bf16x3'/);
});

test.run();
