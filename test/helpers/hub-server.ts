/**
 * A local stand-in for the Hugging Face Hub that answers as huggingface.co does, closely
 * enough for Python's huggingface_hub to use it through HF_ENDPOINT:
 *
 * - /api/models/<repo>[/revision/<rev>] (model info with `sha` and `siblings`) and
 *   /api/models/<repo>/tree/<rev>[/<folder>][?recursive=true] (files with git blob `oid`, LFS
 *   files with `lfs: { oid: sha256, size, pointerSize }`, folders; paginated with Link:
 *   rel="next"; a folder that does not exist is 404 EntryNotFound);
 * - HEAD/GET /<repo>/resolve/<rev>/<path>: small files redirected (307) on the same host to
 *   /api/resolve-cache/models/<repo>/<commit>/<path>, which serves them with ETag (the git blob
 *   sha1), X-Repo-Commit and Content-Length; LFS files (weights, ONNX) answered by a 302 to a CDN on
 *   another host (127.0.0.2) that carries X-Linked-Etag (sha256), X-Linked-Size and
 *   X-Repo-Commit, while its own ETag is the pointer file's sha1;
 * - the CDN sends an ETag of its own (an S3-style md5), honours Range (206 + Content-Range),
 *   and can be held mid-transfer so a test can kill a client or make two overlap;
 * - the Hub's errors: 401 RepoNotFound / GatedRepo and "Invalid credentials in Authorization
 *   header" with X-Error-Code / X-Error-Message as the Hub sends them, 404 RevisionNotFound and
 *   EntryNotFound (with X-Repo-Commit), and 5xx answers on demand;
 * - faults a network or a hostile Hub brings (issue 20): a CDN that trickles, stalls, sends a
 *   Content-Length that is not its body's, or other bytes than the HEAD announced; a file that
 *   changes at a new commit; listings with paths that leave the repository.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export const SHA = 'a'.repeat(40);
export const GATED_TOKEN = 'hf_test_token';

/** Extensions huggingface_hub's default .gitattributes sends to LFS: served through the CDN. */
const LFS = /\.(onnx|onnx_data|safetensors|bin|h5|msgpack|ot|pt|ckpt)$/;

export interface HubRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  /** The repository file the request is about ('' for API calls). */
  path: string;
  authorization: string | undefined;
  range: string | undefined;
  /** Who asked, by user agent: huggingface_hub sends "hf_hub/…", sentencekit "sentencekit…". */
  client: 'python' | 'node' | 'other';
  status: number;
}

export interface RepoFileInfo {
  path: string;
  body: Buffer;
  /** The git blob sha1 of what git stores: the file, or its LFS pointer. */
  oid: string;
  sha256: string;
  lfs: boolean;
}

export interface FakeHub {
  endpoint: string;
  cdnOrigin: string;
  /** Every request seen, by the Hub and the CDN, in order. */
  requests: HubRequest[];
  /** The files of a repository, with the hashes the Hub reports. */
  files(repo: string): RepoFileInfo[];
  /** Make the next request whose path starts with this prefix fail with `status` (503), `times` times (once). */
  failOnce(pathPrefix: string, status?: number, times?: number): void;
  /** The CDN's next answer for `path` misbehaves this way (see CdnFault). */
  cdnFault(path: string, fault: CdnFault): void;
  /** A new commit of the repository (made its main branch) where `path` holds `body`. */
  changeFile(repo: string, path: string, body: Buffer, sha: string): void;
  /** Paths the model info and tree listings name besides the real files (what a hostile Hub could list). */
  listExtra(repo: string, paths: string[]): void;
  /** Move the repository's main branch to another commit (same files). */
  setCommit(repo: string, sha: string): void;
  /**
   * Hold the CDN's next answer for `path`: `afterBytes` of it are sent, then it waits for
   * `release()`, which sends the rest (or, with `cut`, drops the connection).
   */
  holdCdn(path: string, afterBytes: number): { held: Promise<void>; release(options?: { cut?: boolean }): void };
  /** Resolves once a request matching `match` has been seen. */
  waitFor(match: (request: HubRequest) => boolean): Promise<HubRequest>;
  close(): Promise<void>;
}

/**
 * How the CDN misbehaves on one answer: `slow` sends the body `chunkBytes` at a time,
 * `delayMs` apart; `stall` sends `afterBytes` then nothing more, the connection left open;
 * `length` declares a Content-Length `delta` bytes off the body's (sent raw, then the
 * connection closed); `content` sends `body` instead of what the Hub's HEAD announced.
 */
export type CdnFault =
  | { kind: 'slow'; chunkBytes: number; delayMs: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'length'; delta: number }
  | { kind: 'content'; body: Buffer };

export interface FakeHubOptions {
  /** Entries per /tree page (default 1000, as the Hub). */
  treePageSize?: number;
  /** The CDN answers every request in full (200), as CloudFront may when it compresses. */
  cdnIgnoresRange?: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)).split('\\').join('/'))
    .sort();
}

function gitSha1(body: Buffer | string): string {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return createHash('sha1').update(`blob ${buffer.length}\0`).update(buffer).digest('hex');
}

function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

function clientOf(req: IncomingMessage): HubRequest['client'] {
  const agent = req.headers['user-agent'] ?? '';
  if (agent.includes('hf_hub/')) return 'python';
  if (agent.startsWith('sentencekit')) return 'node';
  return 'other';
}

async function listen(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}

/** Serves `repos` (id → local folder); ids starting with "gated/" need GATED_TOKEN. */
export async function startFakeHub(repos: Record<string, string>, options: FakeHubOptions = {}): Promise<FakeHub> {
  const pageSize = options.treePageSize ?? 1000;
  const requests: HubRequest[] = [];
  const watchers: Array<{ match: (request: HubRequest) => boolean; resolve: (request: HubRequest) => void }> = [];
  const failures = new Map<string, { status: number; left: number }>();
  const faults = new Map<string, CdnFault>();
  const extraPaths = new Map<string, string[]>();
  const commits = new Map<string, string[]>(Object.keys(repos).map((repo) => [repo, [SHA]]));
  const holds = new Map<string, { afterBytes: number; reached: () => void; released: Promise<{ cut?: boolean }> }>();
  const files = new Map<string, RepoFileInfo[]>();
  const bySha256 = new Map<string, Buffer>();
  for (const [repo, dir] of Object.entries(repos)) {
    files.set(repo, listFiles(dir).map((path) => {
      const body = readFileSync(join(dir, path));
      const sha256 = createHash('sha256').update(body).digest('hex');
      const lfs = LFS.test(path);
      bySha256.set(sha256, body);
      return { path, body, sha256, lfs, oid: gitSha1(lfs ? lfsPointer(sha256, body.length) : body) };
    }));
  }

  const record = (server: HubRequest['server'], req: IncomingMessage, path: string, status: number): void => {
    const request: HubRequest = { server, method: req.method ?? 'GET', url: req.url ?? '/', path, authorization: req.headers.authorization, range: req.headers.range, client: clientOf(req), status };
    requests.push(request);
    for (const watcher of [...watchers]) {
      if (!watcher.match(request)) continue;
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve(request);
    }
  };
  const send = (res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
  const hubError = (res: ServerResponse, status: number, code: string | undefined, message: string, extra: Record<string, string> = {}): void => {
    send(res, status, JSON.stringify({ error: message }), { 'content-type': 'application/json', 'x-error-message': message, ...(code ? { 'x-error-code': code } : {}), ...extra });
  };

  const misbehave = (res: ServerResponse, status: number, headers: Record<string, string>, part: Buffer, fault: CdnFault): void => {
    if (fault.kind === 'content') return send(res, 200, fault.body, headers);
    if (fault.kind === 'length') {
      // Written raw: Node's HTTP server refuses a body that disagrees with its Content-Length.
      const head = [`HTTP/1.1 ${status} ${status === 206 ? 'Partial Content' : 'OK'}`, `content-length: ${part.length + fault.delta}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'];
      res.socket?.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), part]));
      return;
    }
    res.writeHead(status, { ...headers, 'content-length': String(part.length) });
    if (fault.kind === 'stall') {
      res.write(part.subarray(0, fault.afterBytes));
      return;
    }
    let at = 0;
    const next = (): void => {
      if (res.destroyed) return;
      const chunk = part.subarray(at, at + fault.chunkBytes);
      at += chunk.length;
      if (at >= part.length) return void res.end(chunk);
      res.write(chunk);
      setTimeout(next, fault.delayMs);
    };
    next();
  };

  const cdn = await listen('127.0.0.2', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://cdn');
    const sha256 = url.pathname.split('/').pop() ?? '';
    const body = bySha256.get(sha256);
    const path = url.searchParams.get('path') ?? '';
    if (!body) {
      record('cdn', req, path, 404);
      return send(res, 404, 'NoSuchKey');
    }
    // S3 answers with the md5 of the object as its ETag: not the Hub's.
    const headers: Record<string, string> = { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    let start = 0;
    let status = 200;
    const range = options.cdnIgnoresRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        record('cdn', req, path, 416);
        return send(res, 416, '', { 'content-range': `bytes */${body.length}` });
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    record('cdn', req, path, status);
    const part = body.subarray(start);
    const fault = req.method === 'HEAD' ? undefined : faults.get(path);
    if (fault) {
      faults.delete(path);
      return misbehave(res, status, headers, part, fault);
    }
    const hold = holds.get(path);
    if (!hold || req.method === 'HEAD') return send(res, status, part, headers);
    holds.delete(path);
    res.writeHead(status, { ...headers, 'content-length': String(part.length) });
    res.write(part.subarray(0, hold.afterBytes));
    hold.reached();
    void hold.released.then(({ cut }) => {
      if (cut) res.destroy();
      else res.end(part.subarray(hold.afterBytes));
    });
  });

  const hub = await listen('127.0.0.1', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const api = /^\/api\/models\/([^/]+\/[^/]+)(?:\/(revision|tree)\/([^/]+)(?:\/(.+))?)?\/?$/.exec(url.pathname);
    const cached = /^\/api\/resolve-cache\/models\/([^/]+\/[^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
    const resolve = cached ?? /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const path = resolve?.[3]?.split('/').map(decodeURIComponent).join('/') ?? '';
    let status = 200;
    const answer = (code: number, respond: () => void): void => {
      status = code;
      record('hub', req, path, status);
      respond();
    };
    for (const [prefix, failure] of failures) {
      if (url.pathname.startsWith(prefix)) {
        if (--failure.left === 0) failures.delete(prefix);
        return answer(failure.status, () => send(res, failure.status, failure.status === 500 ? 'Internal Server Error' : 'Service Unavailable'));
      }
    }
    const authorization = req.headers.authorization;
    if (authorization !== undefined && authorization !== `Bearer ${GATED_TOKEN}`) {
      // The Hub refuses an invalid token outright, whatever the repository.
      return answer(401, () => hubError(res, 401, undefined, 'Invalid credentials in Authorization header'));
    }
    const repo = decodeURIComponent((api ?? resolve)?.[1] ?? '');
    if (!api && !resolve) return answer(404, () => send(res, 404, 'Not Found'));
    if (!repos[repo]) {
      return answer(authorization ? 404 : 401, () => hubError(res, authorization ? 404 : 401, 'RepoNotFound', 'Repository not found'));
    }
    if (repo.startsWith('gated/') && !authorization) {
      return answer(401, () => hubError(res, 401, 'GatedRepo', `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.`));
    }
    const known = commits.get(repo) as string[];
    const head = known[known.length - 1] as string;
    const revision = decodeURIComponent((api ? api[3] : resolve?.[2]) ?? 'main');
    const commit = revision === 'main' ? head : known.includes(revision) ? revision : undefined;
    if (commit === undefined) return answer(404, () => hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`));
    const repoFiles = files.get(repo) as RepoFileInfo[];

    if (api && api[2] !== 'tree') {
      const siblings = [...repoFiles.map((file) => file.path), ...(extraPaths.get(repo) ?? [])].map((rfilename) => ({ rfilename }));
      const info = { _id: repo, id: repo, modelId: repo, private: false, gated: repo.startsWith('gated/') ? 'manual' : false, sha: commit, siblings };
      return answer(200, () => send(res, 200, JSON.stringify(info), { 'content-type': 'application/json' }));
    }
    if (api) {
      const folders = [...new Set(repoFiles.flatMap((file) => file.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))].sort();
      // /tree/<rev>[/<folder>]: what is below the folder, all of it with recursive=true.
      const under = api[4] === undefined ? '' : `${decodeURIComponent(api[4])}/`;
      const recursive = url.searchParams.get('recursive') === 'true';
      const shown = (path: string): boolean => path.startsWith(under) && (recursive || !path.slice(under.length).includes('/'));
      const entries = [
        ...folders.filter(shown).map((folder) => ({ type: 'directory', oid: gitSha1(folder), size: 0, path: folder })),
        ...repoFiles.filter((file) => shown(file.path)).map((file) => ({ type: 'file', oid: file.oid, size: file.body.length, path: file.path, ...(file.lfs ? { lfs: { oid: file.sha256, size: file.body.length, pointerSize: lfsPointer(file.sha256, file.body.length).length } } : {}) })),
        ...(extraPaths.get(repo) ?? []).map((path) => ({ type: 'file', oid: gitSha1(path), size: path.length, path })),
      ];
      if (under !== '' && !folders.includes(under.slice(0, -1))) {
        return answer(404, () => hubError(res, 404, 'EntryNotFound', `${under.slice(0, -1)} does not exist on "${revision}"`));
      }
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const page = entries.slice(from, from + pageSize);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (from + pageSize < entries.length) {
        const next = new URL(url.pathname, hub.origin);
        url.searchParams.forEach((value, key) => next.searchParams.set(key, value));
        next.searchParams.set('cursor', String(from + pageSize));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return answer(200, () => send(res, 200, JSON.stringify(page), headers));
    }

    const file = repoFiles.find((candidate) => candidate.path === path);
    if (!file) return answer(404, () => hubError(res, 404, 'EntryNotFound', 'Entry not found', { 'x-repo-commit': commit }));
    if (file.lfs) {
      const location = `${cdn.origin}/repos/${createHash('sha1').update(repo).digest('hex').slice(0, 8)}/${file.sha256}?path=${encodeURIComponent(path)}&X-Amz-Signature=fake`;
      return answer(302, () => send(res, 302, `Found. Redirecting to ${location}`, {
        location,
        etag: `"${file.oid}"`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.body.length),
        'x-repo-commit': commit,
        'content-type': 'text/plain; charset=utf-8',
      }));
    }
    if (!cached) {
      // The Hub sends small files through a same-host redirect to its resolve cache; the
      // metadata is on the answer at the end of it.
      const location = `/api/resolve-cache/models/${repo}/${commit}/${path.split('/').map(encodeURIComponent).join('/')}`;
      return answer(307, () => send(res, 307, `Temporary Redirect. Redirecting to ${location}`, { location, 'x-repo-commit': commit }));
    }
    answer(200, () => send(res, 200, file.body, { etag: `"${file.oid}"`, 'x-repo-commit': commit, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' }));
  });

  return {
    endpoint: hub.origin,
    cdnOrigin: cdn.origin,
    requests,
    files: (repo) => files.get(repo) ?? [],
    failOnce: (prefix, status = 503, times = 1) => void failures.set(prefix, { status, left: times }),
    cdnFault: (path, fault) => void faults.set(path, fault),
    changeFile: (repo, path, body, sha) => {
      const list = files.get(repo) ?? [];
      const index = list.findIndex((file) => file.path === path);
      const sha256 = createHash('sha256').update(body).digest('hex');
      const lfs = LFS.test(path);
      bySha256.set(sha256, body);
      const file = { path, body, sha256, lfs, oid: gitSha1(lfs ? lfsPointer(sha256, body.length) : body) };
      if (index >= 0) list[index] = file;
      else list.push(file);
      commits.get(repo)?.push(sha);
    },
    listExtra: (repo, paths) => void extraPaths.set(repo, [...(extraPaths.get(repo) ?? []), ...paths]),
    setCommit: (repo, sha) => commits.get(repo)?.push(sha),
    holdCdn: (path, afterBytes) => {
      let reached!: () => void;
      let release!: (options: { cut?: boolean }) => void;
      const held = new Promise<void>((resolve) => (reached = resolve));
      const released = new Promise<{ cut?: boolean }>((resolve) => (release = resolve));
      holds.set(path, { afterBytes, reached, released });
      return { held, release: (options = {}) => release(options) };
    },
    waitFor: (match) => {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ match, resolve }));
    },
    close: async () => {
      for (const server of [hub.server, cdn.server]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
