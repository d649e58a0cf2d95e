// cpu-level-independent: the levels stage does not run this file again.
// Downloads that stop midway: a sentencekit process killed mid-transfer (resumed by the next
// one with a Range request), a connection dropped (resumed within the same download), and a
// partial file whose bytes are not the blob's (found out by the sha256, never made a blob).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lockFile } from '../../lib/hub-lock.js';
import { resolveModelFolder } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { HAS_PYTHON_HUB, hfCacheVerify, pythonEnv, scanIncomplete, start } from '../helpers/hub-python.js';
import { incompleteFiles, killAndResume, REPO, REPO_ROOT, sha256Of, shared, until, withBigOnnx, withFastRetries } from '../helpers/hub-scenario.js';

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

test('a CDN that ignores the Range header (200, full body) restarts the file instead of appending to it', () => withBigOnnx((source) => shared(async ({ hub, cacheDir }) => {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  const body = readFileSync(join(source, 'onnx', 'model.onnx'));
  const blobs = join(cacheDir, 'models--org--tiny-bert', 'blobs');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(blobs, `${onnx?.sha256}.1234abcd.incomplete`), body.subarray(0, 5 << 20));
  const dir = await resolveModelFolder(REPO);
  const transfers = hub.requests.filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
  assert.equal(transfers.map((r) => [r.range, r.status]), [[`bytes=${5 << 20}-`, 200]], 'one request: its full answer is used from byte 0');
  assert.is(sha256Of(readFileSync(join(dir, 'onnx', 'model.onnx'))), onnx?.sha256);
  assert.equal(incompleteFiles(cacheDir), []);
}, source, { cdnIgnoresRange: true })));

test('an aborted download stops at once and keeps its partial file, which the next download resumes', () => withBigOnnx((source) => shared(async ({ hub, cacheDir }) => {
  const hold = hub.holdCdn('onnx/model.onnx', 6 << 20);
  const controller = new AbortController();
  const pending = resolveModelFolder(REPO, { signal: controller.signal });
  await hold.held;
  await until(() => incompleteFiles(cacheDir).some((file) => file.size >= 6 << 20), 'the first 6 MB on disk');
  controller.abort();
  await rejectsError(pending, Error, /abort/i, 'the aborted download');
  hold.release({ cut: true });
  assert.equal(incompleteFiles(cacheDir).map((file) => file.size), [6 << 20], 'the partial file stays for the next download');
  const seen = hub.requests.length;
  await resolveModelFolder(REPO);
  assert.equal(hub.requests.slice(seen).filter((r) => r.server === 'cdn').map((r) => r.range), [`bytes=${6 << 20}-`]);
}, source)));

test("waiting on the blob's lock while someone else holds it can be aborted; the download goes on once the lock is free", () => shared(async ({ hub, cacheDir }) => {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  // A flock on its own open file description excludes ours even from this process, as
  // huggingface_hub's would while it downloads.
  const held = await lockFile(join(cacheDir, '.locks', 'models--org--tiny-bert', `${onnx?.sha256}.lock`), undefined);
  assert.ok(held.held, 'flock(1) is there');
  const controller = new AbortController();
  const pending = resolveModelFolder(REPO, { signal: controller.signal });
  await hub.waitFor((r) => r.method === 'HEAD' && r.path === 'onnx/model.onnx');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.not.ok(hub.requests.some((r) => r.server === 'cdn'), 'no transfer while the lock is held elsewhere');
  const started = Date.now();
  controller.abort();
  await rejectsError(pending, Error, /abort/i, 'the wait for the lock');
  assert.ok(Date.now() - started < 2000, 'promptly');
  const retry = resolveModelFolder(REPO);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.not.ok(hub.requests.some((r) => r.server === 'cdn'), 'still waiting');
  await held.release();
  assert.ok(existsSync(join(await retry, 'onnx', 'model.onnx')), 'the lock freed, the download went on');
}));

test.run();
