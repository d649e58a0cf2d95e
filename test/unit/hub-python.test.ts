// cpu-level-independent: the levels stage does not run this file again.
// One cache, two languages: Python's huggingface_hub and sentencekit against the same fake Hub
// (HF_ENDPOINT) and the same cache (HF_HUB_CACHE): one after the other, both at once, and a
// Python download killed midway.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveModelFolder, SentenceTransformer } from '../../lib/index.js';
import { maxAbsDiff, TINY_BERT } from '../helpers/fixtures.js';
import { withHubEnv } from '../helpers/hub-env.js';
import { FILE_BY_FILE, HAS_PYTHON_HUB, hfCacheVerify, NO_PYTHON_REASON, PYTHON, python, pythonEnv, scanIncomplete, SNAPSHOT_DOWNLOAD, start } from '../helpers/hub-python.js';
import { incompleteFiles, killAndResume, REPO, shared, withBigOnnx } from '../helpers/hub-scenario.js';
import { type FakeHub, SHA } from '../helpers/hub-server.js';
import { testIf } from '../helpers/skip.js';

const withPython = testIf(HAS_PYTHON_HUB, NO_PYTHON_REASON);

// What Python finds, with HF_HUB_OFFLINE=1, in a cache it did not write.
const READ_OFFLINE = `
import json, sys
from huggingface_hub import hf_hub_download, scan_cache_dir, snapshot_download
repo, files = sys.argv[1], sys.argv[2:]
paths = {f: hf_hub_download(repo, f) for f in files}
info = scan_cache_dir()
(cached,) = info.repos
(revision,) = cached.revisions
print(json.dumps({
    "paths": paths,
    "snapshot": snapshot_download(repo, allow_patterns=files),
    "files": sorted(f.file_path.relative_to(revision.snapshot_path).as_posix() for f in revision.files),
    "refs": sorted(revision.refs), "warnings": [str(w) for w in info.warnings],
    "incomplete": [str(f.file_path) for f in info.incomplete_files],
}))`;

function snapshotFiles(snapshot: string): string[] {
  return readdirSync(snapshot, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(snapshot, path)).isFile()).sort();
}

async function encodesLikeTheFixture(): Promise<void> {
  const [model, local] = await Promise.all([SentenceTransformer.fromPretrained(REPO), SentenceTransformer.fromPretrained(TINY_BERT)]);
  try {
    assert.ok(maxAbsDiff((await model.encode('one cache')).data, (await local.encode('one cache')).data) === 0, 'same files, same vectors');
  } finally {
    await Promise.all([model.dispose(), local.dispose()]);
  }
}

withPython('Python downloads; sentencekit loads from that cache offline, and with the Hub gone', () => shared(async ({ hub, dir, env }) => {
  const snapshot = (await python(SNAPSHOT_DOWNLOAD, env, [REPO])).trim();
  let seen = hub.requests.length;
  await withHubEnv({ ...env, HF_HUB_OFFLINE: '1' }, async () => {
    assert.is(await resolveModelFolder(REPO), snapshot);
    await encodesLikeTheFixture();
  });
  assert.is(hub.requests.length, seen, 'offline: not one request');

  // File by file, as sentence-transformers downloads: no listing in the cache, still usable.
  const perFile = { ...env, HF_HUB_CACHE: join(dir, 'per-file') };
  const files = hub.files(REPO).map((file) => file.path).filter((path) => path !== 'model.safetensors');
  await python(FILE_BY_FILE, perFile, [REPO, ...files]);
  assert.not.ok(existsSync(join(perFile.HF_HUB_CACHE, 'models--org--tiny-bert', 'trees')), 'hf_hub_download keeps no listing');
  seen = hub.requests.length;
  await hub.close();
  await withHubEnv(perFile, async () => {
    assert.is(await resolveModelFolder(REPO), join(perFile.HF_HUB_CACHE, 'models--org--tiny-bert', 'snapshots', SHA), 'the Hub is unreachable: the cache answers, no HF_HUB_OFFLINE needed');
    await encodesLikeTheFixture();
  });
  assert.is(hub.requests.length, seen);
}));

withPython('sentencekit downloads; Python reads it offline, scan_cache_dir sees no stray file, and `hf cache verify --fail-on-extra-files` passes', () => shared(async ({ hub, cacheDir, env }) => {
  const snapshot = await resolveModelFolder(REPO);
  const files = snapshotFiles(snapshot);
  const seen = hub.requests.length;
  const read = JSON.parse(await python(READ_OFFLINE, { ...env, HF_HUB_OFFLINE: '1' }, [REPO, ...files])) as {
    paths: Record<string, string>; snapshot: string; files: string[]; refs: string[]; warnings: string[]; incomplete: string[];
  };
  assert.is(hub.requests.length, seen, 'Python offline: not one request');
  for (const file of files) assert.is(read.paths[file], join(snapshot, file), file);
  assert.is(read.snapshot, snapshot);
  assert.equal(read.files, files, 'scan_cache_dir lists exactly the model files: no marker');
  assert.equal(read.refs, ['main']);
  assert.equal(read.warnings, []);
  assert.equal(read.incomplete, []);
  assert.match(await hfCacheVerify(REPO, env), /All checksums match/);
  assert.ok(existsSync(join(cacheDir, 'CACHEDIR.TAG')));
}));

/** Every distinct content was fetched once in all, by whichever process took its lock first. */
function assertEachBlobFetchedOnce(hub: FakeHub, cacheDir: string): void {
  const content = hub.requests.filter((r) => r.method === 'GET' && r.path !== '' && r.status < 300);
  const files = hub.files(REPO);
  const blobs = readdirSync(join(cacheDir, 'models--org--tiny-bert', 'blobs'));
  assert.equal(blobs.sort(), [...new Set(files.map((file) => (file.lfs ? file.sha256 : file.oid)))].sort(), 'one blob per distinct file');
  for (const file of files) {
    const fetches = content.filter((r) => files.some((other) => other.path === r.path && other.sha256 === file.sha256));
    assert.is(fetches.length, 1, `${file.path} fetched once (by ${fetches.map((r) => r.client).join(', ')})`);
  }
}

for (const first of ['node', 'python'] as const) {
  withPython(`Python and sentencekit download one model into one cache at once (${first} takes the ONNX file's lock first): both succeed, one fetch and one blob per file`, () => shared(async ({ hub, cacheDir, env }) => {
    const second = first === 'node' ? 'python' : 'node';
    // The first one's ONNX transfer waits until the second has asked for the same file, so the
    // second meets the blob's lock held: it must wait on it, then reuse the blob.
    const hold = hub.holdCdn('onnx/model.onnx', 0);
    void hub.waitFor((r) => r.client === second && r.method === 'HEAD' && r.path === 'onnx/model.onnx').then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      hold.release();
    });
    const run = { node: () => resolveModelFolder(REPO), python: async () => (await python(SNAPSHOT_DOWNLOAD, env, [REPO])).trim() };
    const firstDone = run[first]();
    // Its CDN request is made only once it holds the lock; the second starts then.
    await hub.waitFor((r) => r.client === first && r.server === 'cdn' && r.path === 'onnx/model.onnx');
    const [a, b] = await Promise.all([firstDone, run[second]()]);
    const [fromNode, fromPython] = first === 'node' ? [a, b] : [b, a];
    assert.is(fromNode, fromPython, 'the same snapshot');
    const onnxFetches = hub.requests.filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
    assert.equal(onnxFetches.map((r) => r.client), [first], `only ${first} fetched the ONNX file; ${second} waited on the lock and reused the blob`);
    assertEachBlobFetchedOnce(hub, cacheDir);
    assert.equal(incompleteFiles(cacheDir), []);
    await hfCacheVerify(REPO, env);
  }));
}

withPython("a Python download killed midway is resumed by sentencekit from Python's partial file", () => withBigOnnx((source) => shared(async ({ hub, cacheDir, env }) => {
  // huggingface_hub writes in 10 MB chunks: the partial file holds one when it is killed.
  await killAndResume(hub, cacheDir, () => start(PYTHON, ['-c', FILE_BY_FILE, REPO, 'onnx/model.onnx'], pythonEnv(env)), 10 << 20, () => scanIncomplete(env));
  await hfCacheVerify(REPO, env);
}, source)));

test.run();
