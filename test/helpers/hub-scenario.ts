/**
 * The setting the cross-process Hub tests share: a fake Hub serving one model as org/tiny-bert,
 * and one environment (HF_ENDPOINT, HF_HUB_CACHE, HF_HOME) that this process, a Node child and
 * Python's huggingface_hub all read; plus the partial-download checks the resume tests make.
 */
import type { ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as assert from 'uvu/assert';

import { RETRY_POLICY } from '../../lib/hub-http.js';

import { resolveModelFolder } from '../../lib/hub.js';
import { TINY_BERT } from './fixtures.js';
import { withHubEnv, withTempDir } from './hub-env.js';
import { type FakeHub, type FakeHubOptions, startFakeHub } from './hub-server.js';

export const REPO = 'org/tiny-bert';
export const REPO_ROOT = join(__dirname, '..', '..');

export interface Shared {
  hub: FakeHub;
  cacheDir: string;
  dir: string;
  /** HF_ENDPOINT, HF_HUB_CACHE and HF_HOME: what every side reads. */
  env: Record<string, string>;
}

/** A fake Hub serving `source` as org/tiny-bert, and this process's environment pointed at it. */
export async function shared(body: (s: Shared) => Promise<void>, source = TINY_BERT, options: FakeHubOptions = {}): Promise<void> {
  const hub = await startFakeHub({ [REPO]: source }, options);
  try {
    await withTempDir(async (dir) => {
      const env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: join(dir, 'hub'), HF_HOME: join(dir, 'home') };
      await withHubEnv(env, () => body({ hub, cacheDir: env.HF_HUB_CACHE, dir, env }));
    });
  } finally {
    await hub.close();
  }
}

/** tiny-bert with a 24 MB onnx/model.onnx (deterministic bytes): more than huggingface_hub's 10 MB write chunk. */
export function withBigOnnx<T>(body: (source: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    cpSync(TINY_BERT, dir, { recursive: true });
    // AES-CTR keystream: incompressible, the same every run, and quick to make.
    const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16, 2));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), Buffer.concat([cipher.update(Buffer.alloc(24 << 20)), cipher.final()]));
    return body(dir);
  });
}

/** The `*.incomplete` files in org/tiny-bert's blobs/. */
export function incompleteFiles(cacheDir: string): Array<{ name: string; size: number }> {
  const blobs = join(cacheDir, 'models--org--tiny-bert', 'blobs');
  if (!existsSync(blobs)) return [];
  return readdirSync(blobs).filter((name) => name.endsWith('.incomplete')).map((name) => ({ name, size: statSync(join(blobs, name)).size }));
}

export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Starts a download (`launch`), kills it with SIGKILL once its partial file holds `size`
 * bytes, then resumes in this process, and checks the resumption: one Range request from the
 * partial file's size, answered 206, the blob's sha256 right, no partial file left.
 * `scanIncomplete` (huggingface_hub's scan_cache_dir, where Python is at hand) must list the
 * partial file as an incomplete download.
 */
export async function killAndResume(
  hub: FakeHub,
  cacheDir: string,
  launch: () => { child: ChildProcess; done: Promise<{ signal: NodeJS.Signals | null }> },
  size: number,
  scanIncomplete?: () => Promise<string[]>,
): Promise<void> {
  const onnx = hub.files(REPO).find((file) => file.path === 'onnx/model.onnx');
  const hold = hub.holdCdn('onnx/model.onnx', 12 << 20);
  const { child, done } = launch();
  await hold.held;
  await until(() => incompleteFiles(cacheDir).some((file) => file.size >= size), `a partial file of ${size} bytes`);
  child.kill('SIGKILL');
  assert.is((await done).signal, 'SIGKILL');
  hold.release({ cut: true });
  const partials = incompleteFiles(cacheDir);
  assert.is(partials.length, 1);
  const partial = partials[0] as { name: string; size: number };
  assert.match(partial.name, new RegExp(`^${onnx?.sha256}\\.[0-9a-f]{8}\\.incomplete$`), 'named as huggingface_hub names it: <sha256>.<8 hex>.incomplete');
  if (scanIncomplete) assert.equal(await scanIncomplete(), [partial.name], "huggingface_hub's scan_cache_dir reports it as an incomplete download");

  const seen = hub.requests.length;
  const dir = await resolveModelFolder(REPO);
  const resumed = hub.requests.slice(seen).filter((r) => r.server === 'cdn' && r.path === 'onnx/model.onnx');
  assert.equal(resumed.map((r) => [r.range, r.status]), [[`bytes=${partial.size}-`, 206]], 'one Range request from where the killed download stopped');
  assert.is(sha256Of(readFileSync(join(dir, 'onnx', 'model.onnx'))), onnx?.sha256);
  assert.equal(incompleteFiles(cacheDir), []);
}

/** Runs `body` with the download retries' backoff at 1–2 ms, so retry tests do not wait for it. */
export async function withFastRetries<T>(body: () => Promise<T>): Promise<T> {
  const saved = { ...RETRY_POLICY };
  Object.assign(RETRY_POLICY, { baseMs: 1, maxMs: 2 });
  try {
    return await body();
  } finally {
    Object.assign(RETRY_POLICY, saved);
  }
}
