// Downloads that stop midway: a sentencekit process killed mid-transfer (resumed by the next
// one with a Range request), a connection dropped (resumed within the same download), and a
// partial file whose bytes are not the blob's (found out by the sha256, never made a blob).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { RETRY_POLICY } from '../../lib/hub-http.js';
import { resolveModelFolder } from '../../lib/index.js';
import { HAS_PYTHON_HUB, hfCacheVerify, pythonEnv, scanIncomplete, start } from '../helpers/hub-python.js';
import { incompleteFiles, killAndResume, REPO, REPO_ROOT, sha256Of, shared, withBigOnnx } from '../helpers/hub-scenario.js';

async function withFastRetries<T>(body: () => Promise<T>): Promise<T> {
  const saved = { ...RETRY_POLICY };
  Object.assign(RETRY_POLICY, { baseMs: 1, maxMs: 2 });
  try {
    return await body();
  } finally {
    Object.assign(RETRY_POLICY, saved);
  }
}

test('a sentencekit process killed (SIGKILL) mid-download leaves a partial file the next download resumes with a Range request', () => withBigOnnx((source) => shared(async ({ hub, cacheDir, env }) => {
  const child = `require('./lib/hub.ts').resolveModelFolder(${JSON.stringify(REPO)})`;
  await killAndResume(hub, cacheDir, () => start(process.execPath, ['--import', 'tsx', '-e', child], pythonEnv(env), REPO_ROOT), 12 << 20, HAS_PYTHON_HUB ? () => scanIncomplete(env) : undefined);
  if (HAS_PYTHON_HUB) await hfCacheVerify(REPO, env);
}, source)));

test('a connection dropped midway resumes within the same download', () => withBigOnnx((source) => shared(async ({ hub }) => withFastRetries(async () => {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  const hold = hub.holdCdn('onnx/model.onnx', 5 << 20);
  const pending = resolveModelFolder(REPO);
  await hold.held;
  hold.release({ cut: true });
  const dir = await pending;
  const transfers = hub.requests.filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
  assert.is(transfers.length, 2);
  assert.equal([transfers[0]?.range, transfers[0]?.status], [undefined, 200]);
  assert.match(transfers[1]?.range ?? '', /^bytes=[1-9]\d*-$/, 'the second asks for the rest only');
  assert.is(transfers[1]?.status, 206);
  assert.is(sha256Of(readFileSync(join(dir, 'onnx', 'model.onnx'))), onnx?.sha256);
}), source)));

test('a partial file that is not a prefix of the blob is resumed, found wrong by its sha256, and downloaded again from nothing', () => withBigOnnx((source) => shared(async ({ hub, cacheDir }) => {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  const blobs = join(cacheDir, 'models--org--tiny-bert', 'blobs');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(blobs, `${onnx?.sha256}.0badc0de.incomplete`), Buffer.alloc(3 << 20, 7));
  const dir = await resolveModelFolder(REPO);
  const transfers = hub.requests.filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
  assert.equal(transfers.map((r) => [r.range, r.status]), [[`bytes=${3 << 20}-`, 206], [undefined, 200]]);
  assert.is(sha256Of(readFileSync(join(dir, 'onnx', 'model.onnx'))), onnx?.sha256);
  assert.equal(incompleteFiles(cacheDir), []);
}, source)));

test('huggingface_hub 0.x named its partial file <etag>.incomplete: that one is resumed too', () => withBigOnnx((source) => shared(async ({ hub, cacheDir }) => {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  const body = readFileSync(join(source, 'onnx', 'model.onnx'));
  const blobs = join(cacheDir, 'models--org--tiny-bert', 'blobs');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(blobs, `${onnx?.sha256}.incomplete`), body.subarray(0, 7 << 20));
  const dir = await resolveModelFolder(REPO);
  const transfers = hub.requests.filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
  assert.equal(transfers.map((r) => [r.range, r.status]), [[`bytes=${7 << 20}-`, 206]]);
  assert.is(sha256Of(readFileSync(join(dir, 'onnx', 'model.onnx'))), onnx?.sha256);
  assert.equal(incompleteFiles(cacheDir), []);
}, source)));

test.run();
