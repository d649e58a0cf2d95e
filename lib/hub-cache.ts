/**
 * The huggingface_hub cache layout, read and written as huggingface_hub does:
 *
 *   <cache>/CACHEDIR.TAG
 *   <cache>/.locks/models--org--name/<etag>.lock
 *   <cache>/models--org--name/refs/<revision>          the commit, no newline, replaced atomically
 *   <cache>/models--org--name/trees/<commit>.json      the commit's file listing (format_version 1)
 *   <cache>/models--org--name/blobs/<etag>             sha256 (LFS) or git blob sha1 of the content
 *   <cache>/models--org--name/snapshots/<commit>/<path> -> ../../blobs/<etag> (relative link)
 *
 * Nothing of ours goes inside snapshots/: a snapshot is whatever files it holds, whoever wrote them.
 * Internal: not exported from the package entry point.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

import { SentenceKitError } from './errors.js';

export const COMMIT_SHA = /^[0-9a-f]{40}$/;

const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by huggingface_hub.\n# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n';

/** One file of a commit, as the Hub's /tree listing describes it and trees/<commit>.json keeps it. */
export interface TreeEntry {
  size: number;
  /** The git blob sha1 (of the LFS pointer, for an LFS file). */
  blob_id: string;
  lfs_sha256?: string;
  lfs_size?: number;
  xet_hash?: string;
}

export type Tree = Map<string, TreeEntry>;

/**
 * Refuses a repository path that could name a file outside the snapshot on some system: a
 * `..` or empty segment, an absolute path, a drive letter, a backslash or a NUL. The Hub never
 * lists such a path (git cannot hold one), so a listing that does is refused whole, before any
 * file is asked for. (huggingface_hub's _get_pointer_path only refuses paths that leave the
 * snapshot once resolved on the system it runs on.)
 */
export function checkRepoPath(repo: string, path: string): void {
  if (path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path) ||
      path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new SentenceKitError('ERR_HUB', `${repo}: refusing the file path ${JSON.stringify(path)}, which could name a file outside the snapshot folder`);
  }
}

/** `repo_folder_name`: models--org--name. */
export function repoFolderName(repo: string): string {
  return ['models', ...repo.split('/')].join('--');
}

export class RepoCache {
  readonly cacheDir: string;
  readonly repo: string;
  readonly folder: string;

  constructor(cacheDir: string, repo: string) {
    this.cacheDir = cacheDir;
    this.repo = repo;
    this.folder = join(cacheDir, repoFolderName(repo));
  }

  get blobsDir(): string {
    return join(this.folder, 'blobs');
  }

  blobPath(etag: string): string {
    return join(this.blobsDir, etag);
  }

  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', repoFolderName(this.repo), `${etag}.lock`);
  }

  snapshotDir(commit: string): string {
    return join(this.folder, 'snapshots', commit);
  }

  /** `_get_pointer_path`: a repo path inside the snapshot, never outside it. */
  pointerPath(commit: string, path: string): string {
    checkRepoPath(this.repo, path);
    const snapshot = resolve(this.snapshotDir(commit));
    const pointer = resolve(snapshot, ...path.split('/'));
    if (!pointer.startsWith(snapshot + sep)) {
      throw new SentenceKitError('ERR_HUB', `${this.repo}: refusing the file path ${JSON.stringify(path)}, which leaves the snapshot folder`);
    }
    return join(this.snapshotDir(commit), ...path.split('/'));
  }

  /** The commit `revision` names: itself when a full sha, else what refs/<revision> holds. */
  async commitFor(revision: string): Promise<string | undefined> {
    if (COMMIT_SHA.test(revision)) return revision;
    try {
      // Python reads the file as is; strip anyway, for refs a person edited by hand.
      return (await readFile(join(this.folder, 'refs', revision), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** `_cache_commit_hash_for_specific_revision`: write refs/<revision> atomically, only when it changed. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const path = join(this.folder, 'refs', revision);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === commit) return;
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, commit);
    await rename(temp, path);
  }

  /** trees/<commit>.json as huggingface_hub's `read_tree_cache` accepts it, or undefined. */
  async readTree(commit: string): Promise<Tree | undefined> {
    try {
      const data = JSON.parse(await readFile(join(this.folder, 'trees', `${commit}.json`), 'utf8')) as { format_version?: unknown; files?: unknown };
      if (data.format_version !== 1 || typeof data.files !== 'object' || data.files === null) return undefined;
      const tree: Tree = new Map();
      for (const [path, entry] of Object.entries(data.files as Record<string, TreeEntry>)) {
        if (typeof entry?.size !== 'number' || typeof entry.blob_id !== 'string') return undefined;
        tree.set(path, entry);
      }
      return tree;
    } catch {
      return undefined;
    }
  }

  /** `write_tree_cache`: sorted, indent 1, through a temporary file; failures are ignored, as there. */
  async writeTree(commit: string, tree: Tree): Promise<void> {
    const dir = join(this.folder, 'trees');
    const files = Object.fromEntries([...tree.keys()].sort().map((path) => [path, tree.get(path) as TreeEntry]));
    try {
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `tmp${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(temp, JSON.stringify({ format_version: 1, files }, null, 1));
      await rename(temp, join(dir, `${commit}.json`));
    } catch {
      // A cache we cannot write to still serves what it holds.
    }
  }

  /** CACHEDIR.TAG, so backup tools skip the cache (huggingface_hub writes it with its first blob). */
  async tagCacheDir(): Promise<void> {
    const path = join(this.cacheDir, 'CACHEDIR.TAG');
    if (existsSync(path)) return;
    await writeFile(path, CACHEDIR_TAG).catch(() => undefined);
  }

  hasFolder(commit: string): boolean {
    try {
      return statSync(this.snapshotDir(commit)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Whether the snapshot holds `path` as a file (a link into blobs/ that resolves, or a copy). */
  hasFile(commit: string, path: string): boolean {
    try {
      return statSync(this.pointerPath(commit, path)).isFile();
    } catch {
      return false;
    }
  }
}
