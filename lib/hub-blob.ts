/**
 * One file of a commit into the cache, as huggingface_hub's `hf_hub_download` puts it there:
 * metadata from a HEAD (the blob is named after X-Linked-Etag or ETag: the content's sha256
 * for LFS files, its git blob sha1 otherwise), then, under the `.locks/` lock of that blob,
 * a GET of the HEAD's location into `blobs/<etag>.<8 hex>.incomplete`, renamed to
 * `blobs/<etag>` once complete, and a relative link from the snapshot.
 *
 * Resuming: within one download a dropped connection resumes with a Range request, as
 * huggingface_hub's `http_get` does. Across processes, a partial file of the same blob left by
 * a download that died (`<etag>.<8 hex>.incomplete`, or `<etag>.incomplete` from
 * huggingface_hub before 1.x) is adopted and resumed — but only while we hold the blob's lock:
 * every writer, Python or Node, holds that lock for as long as it writes, so under it such a file
 * belongs to nobody. Every blob is checked against its name (sha256 or git sha1) before it is
 * renamed into place, so a resumed prefix that was wrong can never become a blob.
 * Internal: not exported from the package entry point.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, type FileHandle, mkdir, open, readdir, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

import { SentenceKitError } from './errors.js';
import type { RepoCache } from './hub-cache.js';
import { HubHttpError } from './hub-errors.js';
import { type FileMetadata, type HubClient, HubUnreachableError, isTransient, RETRY_POLICY } from './hub-http.js';
import { lockFile } from './hub-lock.js';

const SHA256 = /^[0-9a-f]{64}$/;
const GIT_SHA1 = /^[0-9a-f]{40}$/;
// http_get's "_nb_retries": resumptions of a dropped transfer that made no progress in between.
const RESUMES = 5;

export interface FileRequest {
  client: HubClient;
  cache: RepoCache;
  commit: string;
  /** The file's path in the repository, '/'-separated. */
  path: string;
  /** False under HF_HUB_DISABLE_SYMLINKS: snapshot files are then the files themselves. */
  symlinks: boolean;
}

export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Puts `path` of `commit` into the snapshot (downloading its blob when needed); returns the snapshot path. */
export async function downloadFile(request: FileRequest): Promise<string> {
  const { client, cache, commit, path } = request;
  const pointer = cache.pointerPath(commit, path);
  if (existsSync(pointer)) return pointer;
  const url = resolveUrl(client.endpoint, cache.repo, commit, path);
  const context = client.context(cache.repo, `${cache.repo}/${path}`);
  // As hf_hub_download: one quick try, then patient retries only for a transient failure.
  let metadata: FileMetadata;
  try {
    metadata = await client.fileMetadata(url, context, false);
  } catch (error) {
    if (!isTransient(error)) throw error;
    metadata = await client.fileMetadata(url, context, true);
  }
  if (!/^[\w.-]+$/.test(metadata.etag) || metadata.etag.startsWith('.')) {
    throw new SentenceKitError('ERR_HUB', `${cache.repo}/${path}: the Hub's ETag ${JSON.stringify(metadata.etag)} cannot name a cache file`);
  }
  const blob = cache.blobPath(metadata.etag);
  await mkdir(cache.blobsDir, { recursive: true });
  await mkdir(dirname(pointer), { recursive: true });
  await cache.tagCacheDir();

  const lock = await lockFile(cache.lockPath(metadata.etag), client.signal);
  try {
    let newBlob = false;
    if (!existsSync(blob)) {
      await fetchBlob(request, url, metadata, blob, lock.held);
      newBlob = true;
    }
    if (!existsSync(pointer)) await linkPointer(blob, pointer, newBlob, request.symlinks);
  } finally {
    await lock.release();
  }
  return pointer;
}

/** `_create_symlink`: a relative link into blobs/; a move (new blob) or a copy where links are off or refused. */
async function linkPointer(blob: string, pointer: string, newBlob: boolean, symlinks: boolean): Promise<void> {
  await unlink(pointer).catch(() => undefined);
  if (symlinks) {
    try {
      await symlink(relative(dirname(pointer), blob), pointer);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code !== 'EPERM' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    }
  }
  if (newBlob) await rename(blob, pointer);
  else await copyFile(blob, pointer);
}

/** A partial download of this blob nobody is writing (we hold its lock): the largest one, claimed under `temp`. */
async function adoptPartial(blobsDir: string, etag: string, temp: string): Promise<number> {
  const pattern = new RegExp(`^${etag.replace(/[.]/g, '\\.')}(\\.[0-9a-f]{8})?\\.incomplete$`);
  const candidates: Array<{ name: string; size: number }> = [];
  for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
    if (!pattern.test(name)) continue;
    const info = await stat(`${blobsDir}/${name}`).catch(() => undefined);
    if (info?.isFile()) candidates.push({ name, size: info.size });
  }
  candidates.sort((a, b) => b.size - a.size);
  const best = candidates[0];
  if (!best || best.size === 0) return 0;
  try {
    await rename(`${blobsDir}/${best.name}`, temp);
    return best.size;
  } catch {
    return 0;
  }
}

async function fetchBlob(request: FileRequest, url: string, metadata: FileMetadata, blob: string, lockHeld: boolean): Promise<void> {
  const temp = `${blob}.${randomBytes(4).toString('hex')}.incomplete`;
  const resumed = lockHeld ? await adoptPartial(request.cache.blobsDir, metadata.etag, temp) : 0;
  let keepPartial = false;
  let handle: FileHandle;
  try {
    handle = await open(temp, 'a');
  } catch (error) {
    throw new CacheWriteError(`${request.cache.repo}/${request.path}`, request.cache.blobsDir, error);
  }
  try {
    try {
      await transfer(request, url, metadata, handle, resumed);
    } catch (error) {
      // A transfer cut short is worth resuming later; an answer we refused is not.
      keepPartial = lockHeld && (error instanceof HubUnreachableError || (request.client.signal?.aborted ?? false));
      throw error;
    }
    let mismatch = await checkContent(temp, metadata.etag);
    if (mismatch !== undefined && resumed > 0) {
      // The prefix we resumed from was not this blob's: start over once, from nothing.
      await handle.truncate(0);
      await transfer(request, url, metadata, handle, 0);
      mismatch = await checkContent(temp, metadata.etag);
    }
    if (mismatch !== undefined) {
      throw new SentenceKitError('ERR_HUB', `${request.cache.repo}/${request.path}: the downloaded content's ${mismatch} does not match the ETag ${metadata.etag} the Hub gave it`);
    }
    await handle.close();
    await rename(temp, blob);
  } finally {
    await handle.close().catch(() => undefined);
    if (!keepPartial) await rm(temp, { force: true });
  }
}

/** The hash `etag` names (sha256, or git's blob sha1) differs from the file's: which one, or undefined when it matches or is not a hash. */
async function checkContent(path: string, etag: string): Promise<string | undefined> {
  const sha256 = SHA256.test(etag);
  if (!sha256 && !GIT_SHA1.test(etag)) return undefined;
  const hash = createHash(sha256 ? 'sha256' : 'sha1');
  if (!sha256) hash.update(`blob ${(await stat(path)).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  return actual === etag ? undefined : `${sha256 ? 'sha256' : 'git sha1'} ${actual}`;
}

/**
 * `http_get`: GET the location into `handle` from byte `offset`, resuming with a Range request
 * when the connection drops; a server that ignores the Range (200) restarts the file.
 */
async function transfer(request: FileRequest, url: string, metadata: FileMetadata, handle: FileHandle, offset: number): Promise<void> {
  const { client } = request;
  const context = client.context(request.cache.repo, `${request.cache.repo}/${request.path}`);
  let written = offset;
  if (metadata.size !== undefined && written > metadata.size) {
    await handle.truncate(0);
    written = 0;
  }
  if (metadata.size !== undefined && written === metadata.size) return;
  let resumesLeft = RESUMES;
  for (;;) {
    const extra: Record<string, string> = { 'accept-encoding': 'identity' };
    if (written > 0) extra.range = `bytes=${written}-`;
    let response: Response;
    try {
      response = await client.request(metadata.location, { headers: client.headers(url, metadata.location, extra) }, context, true);
    } catch (error) {
      if (error instanceof HubHttpError && error.status === 416 && written > 0) {
        // What we hold is not a prefix the server knows: start over.
        await handle.truncate(0);
        written = 0;
        continue;
      }
      throw error;
    }
    if (written > 0 && response.status === 200) {
      // The server ignored the Range (CloudFront does with compression): the full body follows.
      await handle.truncate(0);
      written = 0;
    } else if (written > 0 && (response.status !== 206 || contentRangeStart(response) !== written)) {
      await response.body?.cancel();
      await handle.truncate(0);
      written = 0;
      continue;
    }
    const before = written;
    try {
      written = await writeBody(response, handle, written, client.downloadTimeoutMs, client.signal, { what: context.what, dir: request.cache.blobsDir });
    } catch (error) {
      if (client.signal?.aborted) throw client.signal.reason;
      // Our own disk refused the bytes (full, read-only): asking the server again cannot help.
      if (error instanceof CacheWriteError) throw error;
      written = (await handle.stat()).size;
      // Every byte came before the connection broke (a Content-Length past the body): done,
      // and the content check decides.
      if (metadata.size !== undefined && written === metadata.size) return;
      // As http_get: the count of tries starts again whenever some data came through.
      resumesLeft = written > before ? RESUMES : resumesLeft - 1;
      if (resumesLeft < 0) throw new HubUnreachableError(`${context.what}: the download from ${new URL(metadata.location).host} kept failing (${(error as Error).message})`, error);
      await new Promise((resolve) => setTimeout(resolve, RETRY_POLICY.baseMs));
      continue;
    }
    if (metadata.size === undefined || written === metadata.size) return;
    if (written > metadata.size) {
      throw new SentenceKitError('ERR_HUB', `${context.what}: received ${written} bytes where the Hub announced ${metadata.size}`);
    }
    // The body ended early without an error: resume like a dropped connection.
    resumesLeft -= 1;
    if (resumesLeft < 0) throw new HubUnreachableError(`${context.what}: the download stopped at ${written} of ${metadata.size} bytes`, undefined);
  }
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A write into the cache failed (ENOSPC, EROFS, EDQUOT…): a local problem, not the network's. */
class CacheWriteError extends SentenceKitError {
  constructor(what: string, dir: string, cause: unknown) {
    super('ERR_HUB', `${what}: cannot write the download into ${dir} (${(cause as Error).message}); free space there or set HF_HUB_CACHE to a folder with room`, { cause });
  }
}

/** Streams the body to the end of `handle`; a body silent for `idleMs` counts as dropped. Returns the new size. */
async function writeBody(response: Response, handle: FileHandle, written: number, idleMs: number, signal: AbortSignal | undefined, target: { what: string; dir: string }): Promise<number> {
  if (!response.body) return written;
  const reader = response.body.getReader();
  let size = written;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nothing received for ${idleMs / 1000} s`)), idleMs);
      });
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await Promise.race([reader.read(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return size;
      if (signal?.aborted) throw signal.reason;
      try {
        await handle.write(next.value);
      } catch (error) {
        throw new CacheWriteError(target.what, target.dir, error);
      }
      size += next.value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
