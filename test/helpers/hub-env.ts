/**
 * Scratch caches and environment variables for the Hub tests, undone after each use so one
 * test's HF_* settings never leak into the next.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
