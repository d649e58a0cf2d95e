/**
 * Scratch caches and environment variables for the Hub tests, undone after each use so one
 * test's HF_* settings never leak into the next.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startFakeHub } from './hub-server.js';

/** Every variable huggingface_hub (and so sentencekit) reads for the Hub. */
export const HUB_VARIABLES = [
  'HF_HOME', 'XDG_CACHE_HOME', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_ENDPOINT', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE',
  'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HUB_DISABLE_IMPLICIT_TOKEN', 'HF_HUB_DISABLE_SYMLINKS',
  'HF_HUB_ETAG_TIMEOUT', 'HF_HUB_DOWNLOAD_TIMEOUT',
];

/** Runs `body` with exactly `vars` set among HUB_VARIABLES (the others unset), then restores them. */
export async function withHubEnv<T>(vars: Record<string, string>, body: () => Promise<T> | T): Promise<T> {
  const saved = new Map(HUB_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of HUB_VARIABLES) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A fresh folder for one test, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sentencekit-hub-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fake Hub serving `repos` (id → local folder), an empty HF_HOME and a cache folder, for a
 * download test: `body` gets the Hub's endpoint and the cache folder; all are undone after.
 */
export async function withFakeHubCache<T>(repos: Record<string, string>, body: (endpoint: string, cacheDir: string) => Promise<T>): Promise<T> {
  const hub = await startFakeHub(repos);
  try {
    return await withTempDir(async (dir) => {
      const home = join(dir, 'home');
      mkdirSync(home);
      return withHubEnv({ HF_HOME: home }, () => body(hub.endpoint, join(dir, 'hub')));
    });
  } finally {
    await hub.close();
  }
}
