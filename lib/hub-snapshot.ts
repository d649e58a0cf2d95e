/**
 * A Hub model's snapshot folder, found as huggingface_hub's `snapshot_download` finds it:
 * online, the revision is resolved to a commit by the Hub (one request; a full commit sha
 * needs none), the commit's listing comes from trees/<commit>.json or the Hub's /tree API,
 * and only the files missing from the snapshot are downloaded. Offline (localFilesOnly, or
 * HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE truthy), or when the Hub cannot be reached or refuses
 * (as long as it does not say the revision does not exist), the cache answers instead: the
 * commit from refs/<revision> (or the sha itself), and the snapshot is usable when the files
 * the load needs are in it, whoever wrote them.
 * Internal: not exported from the package entry point.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { SentenceKitError } from './errors.js';
import { downloadFile } from './hub-blob.js';
import { checkRepoPath, COMMIT_SHA, RepoCache, type Tree, type TreeEntry } from './hub-cache.js';
import type { HubEnvironment } from './hub-env.js';
import { HubHttpError } from './hub-errors.js';
import { type FileSource, neededFiles } from './hub-files.js';
import { type HubClient, isTransient } from './hub-http.js';

// snapshot_download's max_workers.
const PARALLEL_DOWNLOADS = 8;
const LEGACY_MARKER = '.sentencekit-complete';

export interface SnapshotRequest {
  repo: string;
  revision: string;
  cacheDir: string;
  onnxFile: string;
  /** Which switch made us offline ('localFilesOnly', 'HF_HUB_OFFLINE=1', …), or undefined when online. */
  offline: string | undefined;
  settings: HubEnvironment;
  client: () => HubClient;
}

async function resolveCommit(client: HubClient, repo: string, revision: string, retry: boolean): Promise<string> {
  const what = `model ${repo} at revision ${revision}`;
  const url = `${client.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const { body } = await client.json<{ sha?: unknown }>(url, client.context(repo, what), retry);
  if (typeof body.sha !== 'string' || !COMMIT_SHA.test(body.sha)) {
    throw new SentenceKitError('ERR_HUB', `${what}: ${client.endpoint} gave no commit sha for it`);
  }
  return body.sha;
}

interface TreeItem {
  type?: string;
  path?: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; size?: number };
  xetHash?: string;
}

/** The Hub's recursive /tree listing of a commit, every page of it (Link: rel="next"). */
async function fetchTree(client: HubClient, repo: string, commit: string): Promise<Tree> {
  const context = client.context(repo, `the file listing of ${repo} at ${commit}`);
  const tree: Tree = new Map();
  let url: string | undefined = `${client.endpoint}/api/models/${repo}/tree/${commit}?recursive=true&expand=false`;
  while (url !== undefined) {
    const { body, headers }: { body: TreeItem[]; headers: Headers } = await client.json<TreeItem[]>(url, context, true);
    if (!Array.isArray(body)) throw new SentenceKitError('ERR_HUB', `${context.what}: ${client.endpoint} answered something that is not a list`);
    for (const item of body) {
      if (item.type !== 'file' || typeof item.path !== 'string' || typeof item.size !== 'number' || typeof item.oid !== 'string') continue;
      checkRepoPath(repo, item.path);
      const entry: TreeEntry = { size: item.size, blob_id: item.oid };
      if (item.lfs && typeof item.lfs.oid === 'string') {
        entry.lfs_sha256 = item.lfs.oid;
        entry.lfs_size = item.lfs.size ?? item.size;
      }
      if (typeof item.xetHash === 'string') entry.xet_hash = item.xetHash;
      tree.set(item.path, entry);
    }
    const next: string | undefined = /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1];
    url = next === undefined ? undefined : new URL(next, url).toString();
  }
  return tree;
}

/** Runs `each` over `items`, `limit` at a time; the first failure rejects once the others settle. */
async function pool<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const item = items[next] as T;
      next += 1;
      await each(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

/** The cached snapshot of `commit`, when it holds what the load needs; else why not. */
async function cachedSnapshot(cache: RepoCache, commit: string, onnxFile: string): Promise<{ dir: string } | { missing: string }> {
  const dir = cache.snapshotDir(commit);
  if (!cache.hasFolder(commit)) return { missing: `snapshots/${commit}` };
  const listing = await cache.readTree(commit);
  const present: FileSource = {
    one: async (path) => cache.hasFile(commit, path),
    all: async (paths) => paths.find((path) => !cache.hasFile(commit, path)),
  };
  const needs = await neededFiles(cache.repo, dir, listing === undefined ? undefined : [...listing.keys()], onnxFile, present);
  return 'missing' in needs ? needs : { dir };
}

/** The snapshot folder the load reads (found in the cache, or downloaded into it). */
export async function fetchSnapshot(request: SnapshotRequest): Promise<string> {
  const dir = await findSnapshot(request);
  // Earlier sentencekit builds kept a marker inside snapshots, which huggingface_hub's scan lists
  // as a cached file and `hf cache verify --fail-on-extra-files` rejects: gone once seen.
  await rm(join(dir, LEGACY_MARKER), { force: true }).catch(() => undefined);
  return dir;
}

async function findSnapshot(request: SnapshotRequest): Promise<string> {
  const { repo, revision, onnxFile } = request;
  const cache = new RepoCache(request.cacheDir, repo);
  let commit = COMMIT_SHA.test(revision) ? revision : undefined;
  let hubError: unknown;
  if (commit === undefined && request.offline === undefined) {
    try {
      commit = await resolveCommit(request.client(), repo, revision, false);
    } catch (error) {
      // The Hub saying the revision does not exist is final; anything else may be served from the cache.
      if (error instanceof HubHttpError && error.failure === 'revision-not-found') throw error;
      if (!(error instanceof SentenceKitError)) throw error;
      hubError = error;
    }
  }

  if (commit === undefined || request.offline !== undefined) {
    const cachedCommit = commit ?? (await cache.commitFor(revision));
    const cached = cachedCommit === undefined ? { missing: `refs/${revision}` } : await cachedSnapshot(cache, cachedCommit, onnxFile);
    if ('dir' in cached) return cached.dir;
    const where = `${repo} (revision ${revision}${cachedCommit && cachedCommit !== revision ? `, commit ${cachedCommit}` : ''}) with ${onnxFile} is not in the cache at ${request.cacheDir} (no ${cached.missing})`;
    if (request.offline !== undefined) {
      throw new SentenceKitError('ERR_MODEL_NOT_FOUND', `${where}, and the Hub may not be asked: ${request.offline}`);
    }
    if (!isTransient(hubError)) {
      const error = hubError as SentenceKitError;
      throw new SentenceKitError(error.code, `${error.message}; ${where}`, { cause: error });
    }
    // Nothing cached to fall back on: now be patient with the Hub, as hf_hub_download is.
    try {
      commit = await resolveCommit(request.client(), repo, revision, true);
    } catch (error) {
      if (!(error instanceof SentenceKitError)) throw error;
      throw new SentenceKitError(error.code, `${error.message}; ${where}`, { cause: error });
    }
  }

  // A commit never changes: when its snapshot already holds what the load needs, the Hub has
  // nothing to add (hf_hub_download's shortcut for a commit sha, for the whole snapshot).
  if (revision === commit) {
    const cached = await cachedSnapshot(cache, commit, onnxFile);
    if ('dir' in cached) return cached.dir;
  }
  const client = request.client();
  const snapshot = cache.snapshotDir(commit);
  let tree = await cache.readTree(commit);
  if (tree === undefined) {
    tree = await fetchTree(client, repo, commit);
    await cache.writeTree(commit, tree);
  }
  await mkdir(snapshot, { recursive: true });
  // As snapshot_download: a ref we cannot write (a read-only cache) does not stop the load.
  await cache.writeRef(revision, commit).catch(() => undefined);
  const download = (path: string): Promise<string> => downloadFile({ client, cache, commit: commit as string, path, symlinks: !request.settings.symlinksDisabled });
  const hub: FileSource = {
    one: async (path) => Boolean(await download(path)),
    all: async (paths) => {
      await pool(paths, PARALLEL_DOWNLOADS, async (path) => void (await download(path)));
      return undefined;
    },
  };
  const needs = await neededFiles(repo, snapshot, [...tree.keys()], onnxFile, hub);
  if ('missing' in needs) throw new SentenceKitError('ERR_MODEL_NOT_FOUND', `${repo} at ${commit} lacks ${needs.missing}, which the load needs`);
  return snapshot;
}
