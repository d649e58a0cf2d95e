// cpu-level-independent: the levels stage does not run this file again.
// Hub downloads under the faults the network and a hostile Hub bring (issue 20), against the
// fake Hub: 500s, bodies that trickle or stall, a Content-Length that is not the body's,
// content that is not what the HEAD announced, a file that changes between calls, listings
// with paths that leave the repository, and a disk that fills up. Each ends either in the right
// files (sha256 checked) or in a clear ERR_HUB, and never with a half file taken as complete:
// no blob whose content is not its name's hash, no snapshot link to one, no partial left where
// it cannot be resumed. (Dropped connections, killed processes, wrong partials, locks and two
// processes at once are hub-resume.test.ts's and hub-python.test.ts's.)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveModelFolder, SentenceKitError } from '../../lib/index.js';
import { rejectsError } from '../helpers/errors.js';
import { withHubEnv, withTempDir } from '../helpers/hub-env.js';
import { incompleteFiles, REPO, REPO_ROOT, sha256Of, shared, withFastRetries } from '../helpers/hub-scenario.js';
import type { FakeHub } from '../helpers/hub-server.js';
import { testIf } from '../helpers/skip.js';

const ONNX = 'onnx/model.onnx';

const cdnTransfers = (hub: FakeHub, path = ONNX): Array<[string | undefined, number]> =>
  hub.requests.filter((r) => r.server === 'cdn' && r.path === path && r.method === 'GET').map((r) => [r.range, r.status]);

/**
 * The cache holds nothing half-done: every blob's content hashes to its name (sha256, or the
 * git blob sha1), every snapshot file is a link that resolves into blobs/, and no partial file
 * is left unless `partialsAllowed`.
 */
function assertCacheSound(cacheDir: string, partialsAllowed = false): void {
  const repoDir = join(cacheDir, 'models--org--tiny-bert');
  const blobs = join(repoDir, 'blobs');
  for (const name of existsSync(blobs) ? readdirSync(blobs) : []) {
    if (name.endsWith('.incomplete')) {
      assert.ok(partialsAllowed, `a partial file was left: ${name}`);
      continue;
    }
    const body = readFileSync(join(blobs, name));
    const gitSha1 = (): string => createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
    assert.ok(name === sha256Of(body) || name === gitSha1(), `blob ${name} does not hold the content its name promises`);
  }
  const snapshots = join(repoDir, 'snapshots');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else assert.ok(existsSync(path), `${path} links to a blob that is not there`);
    }
  };
  if (existsSync(snapshots)) walk(snapshots);
}

test('a 500 (and 502, 503, 504) is retried with backoff, as huggingface_hub does; one that persists is ERR_HUB naming it, with a sound cache', () => shared(async ({ hub, cacheDir }) => withFastRetries(async () => {
  hub.failOnce(`/${REPO}/resolve`, 500, 2);
  hub.failOnce(`/api/resolve-cache/models/${REPO}/`, 502, 1);
  const dir = await resolveModelFolder(REPO);
  assert.ok(existsSync(join(dir, ONNX)));
  assert.ok(hub.requests.filter((r) => r.status >= 500).length === 3, 'the three failures were seen and retried');
  assertCacheSound(cacheDir);
})));

test('a Hub that keeps answering 500 for one file fails the load with ERR_HUB, and the cache holds only complete files', () => shared(async ({ hub, cacheDir }) => withFastRetries(async () => {
  hub.failOnce(`/${REPO}/resolve/main/${ONNX}`, 500, 1000);
  hub.failOnce(`/${REPO}/resolve/${'a'.repeat(40)}/${ONNX}`, 500, 1000);
  await rejectsError(() => resolveModelFolder(REPO), SentenceKitError, /500/, 'persistent 500');
  assert.not.ok(existsSync(join(cacheDir, 'models--org--tiny-bert', 'snapshots', 'a'.repeat(40), ONNX)), 'no snapshot entry for the failed file');
  assertCacheSound(cacheDir);
})));

test('a body that trickles in small pieces completes in one transfer', () => shared(async ({ hub, cacheDir }) => {
  hub.cdnFault(ONNX, { kind: 'slow', chunkBytes: 64 << 10, delayMs: 3 });
  const dir = await resolveModelFolder(REPO);
  assert.equal(cdnTransfers(hub), [[undefined, 200]]);
  assert.is(sha256Of(readFileSync(join(dir, ONNX))), hub.files(REPO).find((f) => f.path === ONNX)?.sha256);
  assertCacheSound(cacheDir);
}));

test('a body that stalls past HF_HUB_DOWNLOAD_TIMEOUT is resumed with a Range request from where it stopped', () => shared(async ({ hub, cacheDir, env }) => withFastRetries(() => withHubEnv({ ...env, HF_HUB_DOWNLOAD_TIMEOUT: '1' }, async () => {
  hub.cdnFault(ONNX, { kind: 'stall', afterBytes: 1 << 20 });
  const started = Date.now();
  const dir = await resolveModelFolder(REPO);
  assert.ok(Date.now() - started >= 1000, 'it waited for the timeout');
  assert.equal(cdnTransfers(hub), [[undefined, 200], [`bytes=${1 << 20}-`, 206]]);
  assert.is(sha256Of(readFileSync(join(dir, ONNX))), hub.files(REPO).find((f) => f.path === ONNX)?.sha256);
  assertCacheSound(cacheDir);
}))));

test('a Content-Length shorter than the body sent is caught by the size and the rest fetched with a Range request', () => shared(async ({ hub, cacheDir }) => withFastRetries(async () => {
  hub.cdnFault(ONNX, { kind: 'length', delta: -1000 });
  const onnx = hub.files(REPO).find((f) => f.path === ONNX);
  const dir = await resolveModelFolder(REPO);
  assert.equal(cdnTransfers(hub), [[undefined, 200], [`bytes=${(onnx?.body.length ?? 0) - 1000}-`, 206]]);
  assert.is(sha256Of(readFileSync(join(dir, ONNX))), onnx?.sha256);
  assertCacheSound(cacheDir);
})));

test('a Content-Length longer than the body sent (then the connection closed) keeps what came, and the sha256 decides', () => shared(async ({ hub, cacheDir }) => withFastRetries(async () => {
  // The whole body was sent before the connection broke: what reached the disk is kept, never
  // asked for past its end (it once asked for a Range past the end, got 416, and downloaded the
  // file a second time). fetch drops the chunks still queued in the body stream when the
  // connection errors, so on a loaded machine the tail may be fetched once more with a Range.
  hub.cdnFault(ONNX, { kind: 'length', delta: 1000 });
  const onnx = hub.files(REPO).find((f) => f.path === ONNX);
  const size = onnx?.body.length ?? 0;
  const dir = await resolveModelFolder(REPO);
  const [first, ...rest] = cdnTransfers(hub);
  assert.equal(first, [undefined, 200]);
  assert.ok(rest.length <= 1, `at most one Range request for the tail, got ${JSON.stringify(rest)}`);
  for (const [range, status] of rest) {
    const start = Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? NaN);
    assert.ok(start > 0 && start < size && status === 206, `a Range inside the file, answered 206: ${range} ${status}`);
  }
  assert.is(sha256Of(readFileSync(join(dir, ONNX))), onnx?.sha256);
  assertCacheSound(cacheDir);
})));

test('content that is not what the HEAD announced (the file changed between HEAD and GET) is refused by its sha256, never cached', () => shared(async ({ hub, cacheDir }) => {
  const onnx = hub.files(REPO).find((f) => f.path === ONNX);
  hub.cdnFault(ONNX, { kind: 'content', body: Buffer.alloc(onnx?.body.length ?? 0, 1) });
  await rejectsError(() => resolveModelFolder(REPO), SentenceKitError, /does not match the ETag/, 'changed content');
  assert.not.ok(existsSync(join(cacheDir, 'models--org--tiny-bert', 'blobs', onnx?.sha256 ?? '')), 'no blob under the announced name');
  assertCacheSound(cacheDir);
  // The next try, with the CDN back to the announced content, completes.
  const dir = await resolveModelFolder(REPO);
  assert.is(sha256Of(readFileSync(join(dir, ONNX))), onnx?.sha256);
}));

test('an ETag that changes between calls (the file changed at a new commit) gives a new blob; the old snapshot keeps the old one, and an old partial is not resumed into the new', () => shared(async ({ hub, cacheDir }) => {
  const before = hub.files(REPO).find((f) => f.path === ONNX);
  const first = await resolveModelFolder(REPO);
  const changed = Buffer.concat([before?.body ?? Buffer.alloc(0), Buffer.from('appended at the new commit')]);
  // A partial of the old blob, as a download killed before the change would leave.
  const blobs = join(cacheDir, 'models--org--tiny-bert', 'blobs');
  writeFileSync(join(blobs, `${before?.sha256}.0badc0de.incomplete`), (before?.body ?? Buffer.alloc(0)).subarray(0, 1 << 20));
  hub.changeFile(REPO, ONNX, changed, 'b'.repeat(40));
  const seen = hub.requests.length;
  const second = await resolveModelFolder(REPO);
  assert.is.not(second, first);
  assert.is(sha256Of(readFileSync(join(second, ONNX))), sha256Of(changed));
  assert.is(sha256Of(readFileSync(join(first, ONNX))), before?.sha256, 'the old snapshot still reads the old blob');
  assert.equal(hub.requests.slice(seen).filter((r) => r.server === 'cdn').map((r) => [r.range, r.status]), [[undefined, 200]], 'the new blob is fetched whole');
  assert.equal(incompleteFiles(cacheDir).map((f) => f.name), [`${before?.sha256}.0badc0de.incomplete`], "the old blob's partial stays its own");
  assertCacheSound(cacheDir, true);
}));

for (const path of ['../escape.json', '../../../../tmp/escape.json', 'a/../../escape.json', '/etc/escape.json', 'C:/escape.json', 'c:escape.json', '1_Pooling\\..\\..\\escape.json']) {
  test(`a listing naming ${JSON.stringify(path)} is refused before anything is downloaded`, () => shared(async ({ hub, cacheDir, dir }) => {
    hub.listExtra(REPO, [path]);
    await rejectsError(() => resolveModelFolder(REPO), SentenceKitError, /refusing the file path/, path);
    assert.equal(hub.requests.filter((r) => r.path !== ''), [], 'no file was asked for');
    assert.not.ok(existsSync(join(dir, 'escape.json')) || existsSync('/tmp/escape.json'), 'nothing written outside the cache');
    assertCacheSound(cacheDir);
  }));
}

// A disk that fills up mid-download: the cache on a 2 MB tmpfs (the ONNX file is 4 MB), in a
// child process with a mount namespace of its own (unshare: root, or an unprivileged user
// namespace), then the same tmpfs grown and the download retried.
const unshare = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /tmp && echo ok'], { encoding: 'utf8' });
testIf(unshare.stdout?.trim() === 'ok', `cannot mount a tmpfs in a private mount namespace (unshare -rm: ${unshare.stderr?.trim() || unshare.error?.message})`)(
  'a disk that fills up mid-download gives a clear ERR_HUB and no partial or corrupt cache entry; with room again the download completes',
  () => shared(async ({ hub, dir, env }) => withTempDir(async (mountPoint) => {
    const script = join(dir, 'disk-full.ts');
    const cache = join(mountPoint, 'hub');
    writeFileSync(script, `
      const { resolveModelFolder } = require(${JSON.stringify(join(REPO_ROOT, 'lib', 'hub.ts'))});
      const { readdirSync } = require('node:fs');
      const list = (d) => { try { return readdirSync(d, { recursive: true }).sort(); } catch { return []; } };
      resolveModelFolder(${JSON.stringify(REPO)}).then(
        (dir) => console.log(JSON.stringify({ ok: dir })),
        (error) => console.log(JSON.stringify({ code: error.code, name: error.constructor.name, message: error.message, blobs: list(${JSON.stringify(join(cache, 'models--org--tiny-bert', 'blobs'))}) })));
    `);
    mkdirSync(mountPoint, { recursive: true });
    const verifyScript = join(dir, 'verify.js');
    writeFileSync(verifyScript, `
      const { createHash } = require('node:crypto'); const fs = require('node:fs'); const path = require('node:path');
      const blobs = ${JSON.stringify(join(cache, 'models--org--tiny-bert', 'blobs'))};
      console.log(JSON.stringify({ blobs: fs.readdirSync(blobs).map((n) => [n, createHash('sha256').update(fs.readFileSync(path.join(blobs, n))).digest('hex')]) }));
    `);
    const node = process.execPath;
    const run = `mount -t tmpfs -o size=2m tmpfs ${mountPoint} && ${node} --import tsx ${script}; mount -o remount,size=64m ${mountPoint} && ${node} --import tsx ${script} && ${node} ${verifyScript}`;
    // Not spawnSync: the fake Hub answering the child runs on this process's event loop.
    const child = spawn('unshare', ['-rm', 'sh', '-c', run], { cwd: REPO_ROOT, env: { ...process.env, ...env, HF_HUB_CACHE: cache } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    const lines = stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.is(lines.length, 3, `${stdout}\n${stderr}`);
    const [full, retried, verify] = lines as [Record<string, unknown>, Record<string, unknown>, { blobs: Array<[string, string]> }];
    assert.is(full.code, 'ERR_HUB', JSON.stringify(full));
    assert.match(String(full.message), /no space left on device/i);
    assert.match(String(full.message), /onnx\/model\.onnx/);
    assert.ok((full.blobs as string[]).every((name) => !name.endsWith('.incomplete')), `a partial file was left on the full disk: ${JSON.stringify(full.blobs)}`);
    assert.ok(typeof retried.ok === 'string', JSON.stringify(retried));
    const onnx = hub.files(REPO).find((f) => f.path === ONNX);
    assert.ok(verify.blobs.some(([name, sha]) => name === onnx?.sha256 && sha === onnx?.sha256), 'the ONNX blob is whole after the retry');
  })),
);

test.run();
