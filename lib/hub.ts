/**
 * Hugging Face Hub downloads into the same cache layout Python's huggingface_hub uses
 * (models--org--name/{blobs,snapshots,refs}), so Node and Python share one cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { SentenceKitError } from './errors.js';
import { type OptionKeys, validateOptionsObject } from './options.js';
import { routerFolders, transformerFolders } from './transformer-folders.js';

/** How a Hub id is downloaded: revision, cache, endpoint, token, offline mode. */
export interface HubOptions {
  /** Branch, tag or commit. Default 'main'. */
  revision?: string;
  /** Default: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Default: $HF_TOKEN. Sent to the Hub's own host only. */
  token?: string;
  /** Use only the cache. Default: $HF_HUB_OFFLINE === '1'. */
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

const RETRIES = 3;
// Lists, per ONNX file asked for, the files a finished download brought (see readMarker).
const MARKER = '.sentencekit-complete';

function hubError(code: 'ERR_HUB' | 'ERR_MODEL_NOT_FOUND', message: string, cause?: unknown): SentenceKitError {
  return new SentenceKitError(code, message, cause === undefined ? undefined : { cause });
}

function defaultCacheDir(): string {
  if (process.env.HF_HUB_CACHE) return process.env.HF_HUB_CACHE;
  if (process.env.HF_HOME) return join(process.env.HF_HOME, 'hub');
  return join(homedir(), '.cache', 'huggingface', 'hub');
}

const EXPORT_FOLDERS = ['onnx', 'openvino', 'coreml'];
// Weights of the framework checkpoints the ONNX path never reads, in a transformer's folder or
// at the top; other module folders (2_Dense/…) keep theirs.
const TORCH_WEIGHTS = /^(model\.safetensors|pytorch_model\.bin|tf_model\.h5|flax_model\.msgpack|rust_model\.ot|model-\d+-of-\d+\.safetensors|model\.safetensors\.index\.json)$/;

function inFolder(folder: string, path: string): string | null {
  if (folder === '') return path;
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : null;
}

/**
 * Whether a repository file belongs to what a sentence-transformers model needs, given the
 * folders that hold its transformer modules ('' for the root, see transformer-folders.ts) and
 * the weights file each of them runs (`onnxFile`: an ONNX export, or model.safetensors for
 * sentencekit's own engines): each one's chosen file and external data, but not its other
 * exports or torch weights; every other module's files (2_Dense/ weights, a
 * SparseStaticEmbedding's idf weights) as is.
 */
export function wantedFile(path: string, onnxFile: string, transformerDirs: readonly string[] = ['']): boolean {
  if (path.endsWith('.md') || path.split('/').some((part) => part.startsWith('.'))) return false;
  for (const dir of transformerDirs) {
    const inner = inFolder(dir, path);
    if (inner === onnxFile || inner === `${onnxFile}_data` || inner === `${onnxFile}.data`) return true;
  }
  if (!path.includes('/') && (TORCH_WEIGHTS.test(path) || path.endsWith('.pt') || path.endsWith('.ckpt'))) return false;
  for (const dir of transformerDirs) {
    const inner = inFolder(dir, path);
    if (inner === null) continue;
    if (EXPORT_FOLDERS.includes(inner.split('/')[0] as string) || (!inner.includes('/') && TORCH_WEIGHTS.test(inner))) return false;
  }
  // ONNX files elsewhere are other variants (or other modules' exports we do not run).
  if (/\.onnx(_data|\.data)?$/.test(path)) return false;
  return !EXPORT_FOLDERS.includes(path.split('/')[0] as string);
}

interface RepoListing {
  sha: string;
  files: string[];
}

class HubClient {
  readonly #endpoint: string;
  readonly #token: string | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(endpoint: string, token: string | undefined, signal: AbortSignal | undefined) {
    this.#endpoint = endpoint.replace(/\/+$/, '');
    this.#token = token;
    this.#signal = signal;
  }

  /** GET with retries on network errors and 5xx; the token only goes to the Hub's own origin. */
  async get(url: string, what: string): Promise<Response> {
    let lastError: unknown;
    for (let attempt = 0; attempt < RETRIES; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      let response: Response;
      try {
        response = await this.#fetchFollowingRedirects(url);
      } catch (error) {
        if (this.#signal?.aborted) throw error;
        lastError = error;
        continue;
      }
      if (response.status >= 500) {
        lastError = new Error(`HTTP ${response.status}`);
        await response.body?.cancel();
        continue;
      }
      if (response.ok) return response;
      await response.body?.cancel();
      const errorCode = response.headers.get('x-error-code');
      if (response.status === 401 || response.status === 403) {
        if (errorCode === 'RepoNotFound') {
          throw hubError('ERR_MODEL_NOT_FOUND', `${what} not found on ${this.#endpoint} (check the id; private repositories need a token: pass { token } or set HF_TOKEN)`);
        }
        throw hubError('ERR_HUB', `access to ${what} was refused (HTTP ${response.status}): if the model is gated, accept its license on ${this.#endpoint}, then pass { token } or set HF_TOKEN`);
      }
      if (response.status === 404) {
        throw hubError('ERR_MODEL_NOT_FOUND', `${what} not found on ${this.#endpoint}${errorCode ? ` (${errorCode})` : ''}: check the model id and revision`);
      }
      throw hubError('ERR_HUB', `${what}: HTTP ${response.status} from ${this.#endpoint}`);
    }
    throw hubError('ERR_HUB', `${what}: the Hub at ${this.#endpoint} could not be reached after ${RETRIES} tries (${String((lastError as Error)?.message ?? lastError)})`, lastError);
  }

  async #fetchFollowingRedirects(url: string): Promise<Response> {
    const hubOrigin = new URL(this.#endpoint).origin;
    let current = url;
    for (let hop = 0; hop < 10; hop += 1) {
      const headers: Record<string, string> = { 'user-agent': 'sentencekit' };
      if (this.#token && new URL(current).origin === hubOrigin) headers.authorization = `Bearer ${this.#token}`;
      const init: RequestInit = { headers, redirect: 'manual' };
      if (this.#signal) init.signal = this.#signal;
      const response = await fetch(current, init);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current).toString();
        continue;
      }
      return response;
    }
    throw new Error(`too many redirects for ${url}`);
  }

  async listing(repo: string, revision: string): Promise<RepoListing> {
    const response = await this.get(`${this.#endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`, `model ${repo} at revision ${revision}`);
    const body = (await response.json()) as { sha?: string; siblings?: Array<{ rfilename: string }> };
    if (typeof body.sha !== 'string' || !Array.isArray(body.siblings)) {
      throw hubError('ERR_HUB', `unexpected answer listing ${repo} from ${this.#endpoint}`);
    }
    return { sha: body.sha, files: body.siblings.map((s) => s.rfilename) };
  }

  fileUrl(repo: string, revision: string, path: string): string {
    return `${this.#endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }
}

/**
 * Downloads `url` into blobs/<etag> (huggingface_hub's naming: the Hub's X-Linked-Etag or ETag,
 * the content hash) through a temporary file, so a crash never leaves a partial blob.
 */
async function downloadBlob(client: HubClient, url: string, blobsDir: string, what: string): Promise<string> {
  await mkdir(blobsDir, { recursive: true });
  const response = await client.get(url, what);
  const etag = (response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  const name = /^[\w.-]+$/.test(etag) ? etag : createHash('sha256').update(url).digest('hex');
  const blobPath = join(blobsDir, name);
  if (existsSync(blobPath)) {
    await response.body?.cancel();
    return blobPath;
  }
  const temp = `${blobPath}.${randomBytes(6).toString('hex')}.incomplete`;
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(temp));
    await rename(temp, blobPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw hubError('ERR_HUB', `downloading ${what} failed: ${(error as Error).message}`, error);
  }
  return blobPath;
}

async function linkIntoSnapshot(blobPath: string, snapshotPath: string): Promise<void> {
  await mkdir(dirname(snapshotPath), { recursive: true });
  await rm(snapshotPath, { force: true });
  try {
    await symlink(relative(dirname(snapshotPath), blobPath), snapshotPath);
  } catch {
    await writeFile(snapshotPath, await readFile(blobPath));
  }
}

// Concurrent calls for the same model and revision in one process share one download.
const inflight = new Map<string, Promise<string>>();

/**
 * A local folder is returned as is; otherwise `org/name` is fetched from the Hub into the
 * cache and the snapshot folder returned.
 *
 * @example
 * const dir = await resolveModelFolder('sentence-transformers/all-MiniLM-L6-v2', { onnxFile: 'onnx/model.onnx' });
 */
export async function resolveModelFolder(pathOrId: string, options: HubOptions = {}): Promise<string> {
  validateOptionsObject<HubOptions>(options, 'resolveModelFolder() options', HUB_OPTION_KEYS);
  if (existsSync(pathOrId)) return pathOrId;
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(pathOrId)) {
    throw new SentenceKitError('ERR_MODEL_LOAD', `model folder not found: ${pathOrId} (and it is not a Hub id like "org/name")`);
  }
  const revision = options.revision ?? 'main';
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const key = `${cacheDir}\0${pathOrId}\0${revision}\0${options.onnxFile ?? ''}`;
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchSnapshot(pathOrId, revision, cacheDir, options).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

async function readMarker(snapshot: string): Promise<Record<string, string[]>> {
  try {
    const value: unknown = JSON.parse(await readFile(join(snapshot, MARKER), 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string[]>) : {};
  } catch {
    return {};
  }
}

async function fetchSnapshot(repo: string, revision: string, cacheDir: string, options: HubOptions): Promise<string> {
  const onnxFile = options.onnxFile ?? 'onnx/model.onnx';
  const repoDir = join(cacheDir, `models--${repo.replace('/', '--')}`);
  const refFile = join(repoDir, 'refs', revision);
  const offline = options.localFilesOnly ?? process.env.HF_HUB_OFFLINE === '1';

  // A revision already resolved, with the wanted ONNX files present, needs no network.
  const cachedSha = /^[0-9a-f]{40}$/.test(revision) ? revision : await readFile(refFile, 'utf8').then((s) => s.trim(), () => undefined);
  if (cachedSha) {
    const snapshot = join(repoDir, 'snapshots', cachedSha);
    const done = (await readMarker(snapshot))[onnxFile];
    if (Array.isArray(done) && done.length > 0 && done.every((path) => existsSync(join(snapshot, path)))) return snapshot;
  }
  if (offline) {
    throw hubError('ERR_MODEL_NOT_FOUND', `${repo} (${revision}, ${onnxFile}) is not in the cache at ${cacheDir} and offline mode is on (localFilesOnly / HF_HUB_OFFLINE=1)`);
  }

  const client = new HubClient(options.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co', options.token ?? process.env.HF_TOKEN, options.signal);
  const listing = await client.listing(repo, revision);
  const snapshot = join(repoDir, 'snapshots', listing.sha);
  const fetchFile = async (path: string): Promise<void> => {
    const target = join(snapshot, path);
    if (existsSync(target)) return;
    const blobPath = await downloadBlob(client, client.fileUrl(repo, listing.sha, path), join(repoDir, 'blobs'), `${repo}/${path}`);
    await linkIntoSnapshot(blobPath, target);
  };

  // modules.json and any Router's config first: they say which folders hold transformers,
  // and so which ONNX file and which torch weights to leave out.
  await mkdir(snapshot, { recursive: true });
  if (listing.files.includes('modules.json')) await fetchFile('modules.json');
  for (const router of await routerFolders(snapshot)) {
    for (const name of ['router_config.json', 'config.json']) {
      const path = router ? `${router}/${name}` : name;
      if (listing.files.includes(path)) await fetchFile(path);
    }
  }
  const transformerDirs = await transformerFolders(snapshot);
  const onnxPaths = transformerDirs.map((dir) => (dir ? `${dir}/${onnxFile}` : onnxFile));
  if (!onnxPaths.some((path) => listing.files.includes(path))) {
    const available = listing.files.filter((f) => f.endsWith('.onnx'));
    const onnxHint = `; its ONNX files are: ${available.length > 0 ? available.join(', ') : "none (export the model to ONNX first, or use cpuEngine: 'int8' or 'bf16x3')"}`;
    throw hubError('ERR_MODEL_NOT_FOUND', `${repo} has no ${onnxPaths.join(' or ')}${onnxFile.endsWith('.onnx') ? onnxHint : ''}`);
  }
  for (const path of listing.files.filter((f) => wantedFile(f, onnxFile, transformerDirs))) await fetchFile(path);
  await mkdir(dirname(refFile), { recursive: true });
  if (revision !== listing.sha) await writeFile(refFile, listing.sha);
  const downloaded = onnxPaths.filter((path) => listing.files.includes(path));
  await writeFile(join(snapshot, MARKER), JSON.stringify({ ...(await readMarker(snapshot)), [onnxFile]: downloaded }));
  await Promise.all(downloaded.map((path) => stat(join(snapshot, path))));
  return snapshot;
}
