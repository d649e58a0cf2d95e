// Hub downloads against a local server that answers the way the Hugging Face Hub does.
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveModelFolder, SentenceKitError, SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';
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

test('a path that is neither a folder nor a Hub id is ERR_MODEL_LOAD', async () => {
  assert.is((await rejection(resolveModelFolder('./no/such/folder/here'))).code, 'ERR_MODEL_LOAD');
});

test.run();
