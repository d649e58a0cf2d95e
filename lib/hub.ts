/**
 * Hugging Face Hub ids resolved to model folders in the cache Python's huggingface_hub uses,
 * read and written the way it does, so Node and Python share one cache: hub-env.ts reads the
 * environment and token, hub-snapshot.ts finds or downloads the snapshot, hub-blob.ts one
 * file, hub-lock.ts the lock both sides take, hub-cache.ts the layout.
 */
import { existsSync } from 'node:fs';

import { SentenceKitError } from './errors.js';
import { hubEnvironment, resolveToken } from './hub-env.js';
import { HubClient } from './hub-http.js';
import { fetchSnapshot } from './hub-snapshot.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { describeValue } from './validate.js';

export { wantedFile } from './hub-files.js';

/** How a Hub id is downloaded: revision, cache, endpoint, token, offline mode. */
export interface HubOptions {
  /** Branch, tag or commit. Default 'main'. */
  revision?: string;
  /** Default: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /**
   * Default: $HF_TOKEN, else the token `hf auth login` saved ($HF_TOKEN_PATH, else
   * $HF_HOME/token), unless HF_HUB_DISABLE_IMPLICIT_TOKEN is set; `false` sends none. Sent to
   * Hub hosts only, never to the CDN a large file is redirected to.
   */
  token?: string | false;
  /**
   * Use only the cache. Offline mode is also on when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE)
   * is 1, ON, YES or TRUE, as for huggingface_hub; `false` does not turn that off.
   */
  localFilesOnly?: boolean;
  /**
   * The weights file each transformer module runs, e.g. 'onnx/model.onnx' (other ONNX variants
   * are not downloaded), or 'model.safetensors' for sentencekit's own engines (no ONNX then).
   */
  onnxFile?: string;
  /** Aborts the download (and the load) when signalled. */
  signal?: AbortSignal;
}

export const HUB_OPTION_KEYS: OptionKeys<HubOptions> = { revision: true, cacheDir: true, endpoint: true, token: true, localFilesOnly: true, onnxFile: true, signal: true };

/** Only the Hub's options out of a larger options object. */
export function hubOptions(options: Readonly<Record<string, unknown>>): HubOptions {
  return Object.fromEntries(Object.keys(HUB_OPTION_KEYS).filter((key) => options[key] !== undefined).map((key) => [key, options[key]])) as HubOptions;
}

function checkString(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`expected ${what} to be a non-empty string but received ${describeValue(value)}`);
  }
}

function checkHubOptions(options: HubOptions): void {
  for (const key of ['revision', 'cacheDir', 'endpoint', 'onnxFile'] as const) checkString(options[key], `options.${key}`);
  if (options.token !== undefined && options.token !== false) checkString(options.token, 'options.token (or false)');
  if (options.localFilesOnly !== undefined && typeof options.localFilesOnly !== 'boolean') {
    throw new TypeError(`expected options.localFilesOnly to be a boolean but received ${describeValue(options.localFilesOnly)}`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`expected options.signal to be an AbortSignal but received ${describeValue(options.signal)}`);
  }
  if (options.endpoint !== undefined && !/^https?:\/\/[^/]/.test(options.endpoint)) {
    throw new TypeError(`expected options.endpoint to be an http(s) URL but received ${describeValue(options.endpoint)}`);
  }
  // A revision names refs/<revision> in the cache: it may hold slashes (refs/pr/1), never climb out.
  if (options.revision !== undefined && options.revision.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new TypeError(`expected options.revision to be a branch, tag or commit but received ${describeValue(options.revision)}`);
  }
}

// Concurrent calls for the same model and revision in one process share one download.
const inflight = new Map<string, Promise<string>>();

/**
 * A local folder is returned as is; otherwise `org/name` is fetched from the Hub into the
 * cache and the snapshot folder returned. Offline, or with the Hub unreachable, a snapshot in
 * the cache that holds the files the load needs is returned, whoever downloaded it.
 *
 * @example
 * const dir = await resolveModelFolder('sentence-transformers/all-MiniLM-L6-v2', { onnxFile: 'onnx/model.onnx' });
 */
export async function resolveModelFolder(pathOrId: string, options: HubOptions = {}): Promise<string> {
  validateOptionsObject<HubOptions>(options, 'resolveModelFolder() options', HUB_OPTION_KEYS);
  checkHubOptions(options);
  if (existsSync(pathOrId)) return pathOrId;
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(pathOrId) || pathOrId.split('/').some((part) => part === '.' || part === '..')) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `model folder not found: ${pathOrId} (and it is not a Hub id like "org/name")`);
  }
  const settings = hubEnvironment();
  const revision = options.revision ?? 'main';
  const cacheDir = options.cacheDir ?? settings.hubCache;
  const onnxFile = options.onnxFile ?? 'onnx/model.onnx';
  const offline = options.localFilesOnly === true ? 'localFilesOnly is set' : settings.offline;
  const key = `${cacheDir}\0${pathOrId}\0${revision}\0${onnxFile}\0${offline ?? ''}`;
  let pending = inflight.get(key);
  if (!pending) {
    let client: HubClient | undefined;
    // Made on first use, so an offline load never reads the token.
    const makeClient = (): HubClient => {
      client ??= new HubClient({
        endpoint: options.endpoint ?? settings.endpoint,
        token: resolveToken(options.token, settings),
        signal: options.signal,
        etagTimeoutMs: settings.etagTimeoutMs,
        downloadTimeoutMs: settings.downloadTimeoutMs,
      });
      return client;
    };
    pending = fetchSnapshot({ repo: pathOrId, revision, cacheDir, onnxFile, offline, settings, client: makeClient }).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}
