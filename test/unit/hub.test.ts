// Hub downloads against a local server that answers the way the Hugging Face Hub does.
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { wantedFile } from '../../lib/hub.js';
import { resolveModelFolder, SentenceKitError, SentenceTransformer, SparseEncoder } from '../../lib/index.js';
import { copyFixture, FIXTURES, maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';
import { GATED_TOKEN, SHA, startFakeHub } from '../helpers/hub-server.js';

async function rejection(promise: Promise<unknown>): Promise<SentenceKitError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, SentenceKitError);
    return error as SentenceKitError;
  }
  throw new Error('expected a rejection');
}

test('downloads what an ONNX model needs into the huggingface_hub cache layout, then encodes', async () => {
  const hub = await startFakeHub({ 'org/tiny-bert': TINY_BERT });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    const model = await SentenceTransformer.fromPretrained('org/tiny-bert', { endpoint: hub.endpoint, cacheDir });
    const local = await SentenceTransformer.fromPretrained(TINY_BERT);
    const [a, b] = [await model.encode('hello hub'), await local.encode('hello hub')];
    assert.ok(maxAbsDiff(a.data, b.data) === 0, 'same files, same vectors');
    await Promise.all([model.dispose(), local.dispose()]);

    const repoDir = join(cacheDir, 'models--org--tiny-bert');
    const snapshot = join(repoDir, 'snapshots', SHA);
    assert.ok(existsSync(join(repoDir, 'refs', 'main')));
    assert.ok(lstatSync(join(snapshot, 'onnx', 'model.onnx')).isSymbolicLink(), 'snapshot files link into blobs/');
    for (const needed of ['modules.json', 'tokenizer.json', '1_Pooling/config.json', 'config.json']) {
      assert.ok(existsSync(join(snapshot, needed)), needed);
    }
    assert.not.ok(existsSync(join(snapshot, 'model.safetensors')), 'top-level torch weights are not downloaded');
    assert.ok(readdirSync(join(repoDir, 'blobs')).length > 5);
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("cpuEngine 'int8' and 'bf16x3' download model.safetensors and no ONNX file, then encode", async () => {
  const fixture = copyFixture();
  rmSync(join(fixture.dir, 'onnx'), { recursive: true }); // as most Hub repositories: no export
  const hub = await startFakeHub({ 'org/no-onnx': fixture.dir });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    const model = await SentenceTransformer.fromPretrained('org/no-onnx', { endpoint: hub.endpoint, cacheDir, cpuEngine: 'int8' });
    const local = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'int8' });
    const [a, b] = [await model.encode('hello hub'), await local.encode('hello hub')];
    assert.ok(maxAbsDiff(a.data, b.data) === 0, 'same weights, same vectors');
    await Promise.all([model.dispose(), local.dispose()]);
    const bf16x3 = await SentenceTransformer.fromPretrained('org/no-onnx', { endpoint: hub.endpoint, cacheDir, cpuEngine: 'bf16x3' });
    const localBf16x3 = await SentenceTransformer.fromPretrained(TINY_BERT, { cpuEngine: 'bf16x3' });
    assert.ok(maxAbsDiff((await bf16x3.encode('hello hub')).data, (await localBf16x3.encode('hello hub')).data) === 0, 'bf16x3 too');
    await Promise.all([bf16x3.dispose(), localBf16x3.dispose()]);
    const snapshot = join(cacheDir, 'models--org--no-onnx', 'snapshots', SHA);
    assert.ok(existsSync(join(snapshot, 'model.safetensors')) && existsSync(join(snapshot, 'config.json')));
    const error = await rejection(SentenceTransformer.fromPretrained('org/no-onnx', { endpoint: hub.endpoint, cacheDir }));
    assert.is(error.code, 'ERR_MODEL_NOT_FOUND');
    assert.match(error.message, /cpuEngine: 'int8'/);
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
    fixture.cleanup();
  }
});

test('a cached snapshot needs no request; offline mode reads the cache only', async () => {
  const hub = await startFakeHub({ 'org/tiny-bert': TINY_BERT });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    const first = await resolveModelFolder('org/tiny-bert', { endpoint: hub.endpoint, cacheDir });
    const seen = hub.requests.length;
    const second = await resolveModelFolder('org/tiny-bert', { endpoint: hub.endpoint, cacheDir });
    assert.is(second, first);
    assert.is(hub.requests.length, seen, 'no request for a cached revision');
    assert.is(await resolveModelFolder('org/tiny-bert', { endpoint: hub.endpoint, cacheDir, localFilesOnly: true }), first);
    const missing = await rejection(resolveModelFolder('org/other', { endpoint: hub.endpoint, cacheDir, localFilesOnly: true }));
    assert.is(missing.code, 'ERR_MODEL_NOT_FOUND');
    assert.match(missing.message, 'offline');
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('errors: unknown repo, unknown revision, missing ONNX variant, gated repo', async () => {
  const hub = await startFakeHub({ 'org/tiny-bert': TINY_BERT, 'gated/tiny-bert': TINY_BERT });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  const options = { endpoint: hub.endpoint, cacheDir };
  try {
    assert.is((await rejection(resolveModelFolder('org/nope', options))).code, 'ERR_MODEL_NOT_FOUND');
    assert.is((await rejection(resolveModelFolder('org/tiny-bert', { ...options, revision: 'v9' }))).code, 'ERR_MODEL_NOT_FOUND');
    const variant = await rejection(resolveModelFolder('org/tiny-bert', { ...options, onnxFile: 'onnx/model_qint8_avx512_vnni.onnx' }));
    assert.is(variant.code, 'ERR_MODEL_NOT_FOUND');
    assert.match(variant.message, 'onnx/model.onnx', 'lists the ONNX files the repo has');
    const gated = await rejection(resolveModelFolder('gated/tiny-bert', options));
    assert.is(gated.code, 'ERR_HUB');
    assert.match(gated.message, 'HF_TOKEN');
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('the token goes to the Hub only, never to a redirected CDN; transient 5xx is retried', async () => {
  const hub = await startFakeHub({ 'gated/tiny-bert': TINY_BERT });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    hub.failOnce('/api/models/');
    const dir = await resolveModelFolder('gated/tiny-bert', { endpoint: hub.endpoint, cacheDir, token: GATED_TOKEN });
    assert.ok(existsSync(join(dir, 'onnx', 'model.onnx')));
    assert.ok(hub.requests.some((r) => r.startsWith(`hub Bearer ${GATED_TOKEN}`)), 'the Hub gets the token');
    assert.ok(hub.requests.filter((r) => r.startsWith('cdn')).every((r) => r.startsWith('cdn - ')), 'the CDN never does');
    assert.ok(hub.requests.filter((r) => r.includes('/api/models/')).length >= 2, 'the 503 was retried');
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('concurrent calls share one download', async () => {
  const hub = await startFakeHub({ 'org/tiny-bert': TINY_BERT });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    const dirs = await Promise.all([1, 2, 3].map(() => resolveModelFolder('org/tiny-bert', { endpoint: hub.endpoint, cacheDir })));
    assert.ok(dirs.every((d) => d === dirs[0]));
    assert.is(hub.requests.filter((r) => r.includes('/api/models/')).length, 1);
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('which files a download takes, by where the transformer modules live', () => {
  const onnx = 'onnx/model.onnx';
  // A transformer at the root: its chosen ONNX file, not its torch weights or other exports.
  assert.ok(wantedFile('onnx/model.onnx', onnx));
  assert.ok(wantedFile('onnx/model.onnx_data', onnx));
  assert.not.ok(wantedFile('onnx/model_qint8_avx512_vnni.onnx', onnx));
  assert.not.ok(wantedFile('openvino/openvino_model.xml', onnx));
  assert.not.ok(wantedFile('model.safetensors', onnx));
  assert.not.ok(wantedFile('README.md', onnx));
  assert.not.ok(wantedFile('.gitattributes', onnx));
  assert.ok(wantedFile('2_Dense/model.safetensors', onnx), "a Dense module's weights are read");
  // Transformers in module folders (0_Transformer/, a Router's routes).
  const dirs = ['0_Transformer', 'document_0_MLMTransformer'];
  assert.ok(wantedFile('document_0_MLMTransformer/onnx/model.onnx', onnx, dirs));
  assert.ok(wantedFile('0_Transformer/onnx/model.onnx', onnx, dirs));
  assert.ok(wantedFile('0_Transformer/tokenizer.json', onnx, dirs));
  assert.not.ok(wantedFile('document_0_MLMTransformer/model.safetensors', onnx, dirs));
  assert.not.ok(wantedFile('document_0_MLMTransformer/pytorch_model.bin', onnx, dirs));
  assert.not.ok(wantedFile('0_Transformer/onnx/model_O4.onnx', onnx, dirs));
  assert.not.ok(wantedFile('onnx/model.onnx', onnx, dirs), 'no transformer at the root');
  assert.ok(wantedFile('query_0_SparseStaticEmbedding/model.safetensors', onnx, dirs), 'idf weights are read');
  // sentencekit's own engines: each transformer's model.safetensors, and no ONNX file.
  assert.ok(wantedFile('model.safetensors', 'model.safetensors'));
  assert.not.ok(wantedFile('onnx/model.onnx', 'model.safetensors'));
  assert.not.ok(wantedFile('pytorch_model.bin', 'model.safetensors'));
  assert.ok(wantedFile('0_Transformer/model.safetensors', 'model.safetensors', dirs));
  assert.not.ok(wantedFile('model.safetensors', 'model.safetensors', dirs), 'no transformer at the root');
});

test('a Router model: the route folders\' ONNX file and idf weights come down, not the MLM\'s torch weights', async () => {
  const fixture = copyFixture(join(FIXTURES, 'tiny-sparse-router'));
  // What a real repository holds beside the ONNX export: torch weights and other variants.
  writeFileSync(join(fixture.dir, 'document_0_MLMTransformer', 'model.safetensors'), 'torch weights, never read');
  copyFileSync(join(fixture.dir, 'document_0_MLMTransformer', 'onnx', 'model.onnx'), join(fixture.dir, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx'));
  const hub = await startFakeHub({ 'org/tiny-sparse-router': fixture.dir });
  const cacheDir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    const options = { endpoint: hub.endpoint, cacheDir };
    const model = await SparseEncoder.fromPretrained('org/tiny-sparse-router', options);
    const local = await SparseEncoder.fromPretrained(fixture.dir);
    for (const method of ['encodeQuery', 'encodeDocument'] as const) {
      const [a, b] = [await model[method]('a cat sits outside'), await local[method]('a cat sits outside')];
      assert.equal([...a.indices], [...b.indices], method);
      assert.equal([...a.values], [...b.values], method);
    }
    await Promise.all([model.dispose(), local.dispose()]);

    const snapshot = join(cacheDir, 'models--org--tiny-sparse-router', 'snapshots', SHA);
    for (const needed of ['router_config.json', 'document_0_MLMTransformer/onnx/model.onnx', 'document_0_MLMTransformer/tokenizer.json', 'query_0_SparseStaticEmbedding/model.safetensors', 'document_1_SpladePooling/config.json']) {
      assert.ok(existsSync(join(snapshot, needed)), needed);
    }
    assert.not.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'model.safetensors')), "the MLM's torch weights stay on the Hub");
    assert.not.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx')), 'other variants too');

    // The cached snapshot answers offline; an int8 variant is found inside the route folder,
    // on the Hub and in a local folder.
    assert.is(await resolveModelFolder('org/tiny-sparse-router', { ...options, localFilesOnly: true }), snapshot);
    for (const source of ['org/tiny-sparse-router', fixture.dir]) {
      const int8 = await SparseEncoder.fromPretrained(source, { ...options, quantized: true });
      await int8.dispose();
    }
    assert.ok(existsSync(join(snapshot, 'document_0_MLMTransformer', 'onnx', 'model_quantized.onnx')), 'quantized: true fetched the route folder\'s variant');
  } finally {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
    fixture.cleanup();
  }
});

test('a path that is neither a folder nor a Hub id is ERR_MODEL_LOAD', async () => {
  assert.is((await rejection(resolveModelFolder('./no/such/folder/here'))).code, 'ERR_MODEL_LOAD');
});

test.run();
