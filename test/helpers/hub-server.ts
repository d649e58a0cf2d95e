/**
 * A local stand-in for the Hugging Face Hub: the model listing API, /resolve/ downloads with
 * ETag and X-Repo-Commit headers, .onnx files redirected (302) to a CDN on another origin,
 * 404s with X-Error-Code, a gated repository that needs a token, and a transient 503.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export interface FakeHub {
  endpoint: string;
  /** Every request seen, by the hub and the CDN: `${origin} ${authorization ?? '-'} ${url}`. */
  requests: string[];
  /** Make the next request to this path prefix fail once with 503. */
  failOnce(pathPrefix: string): void;
  close(): Promise<void>;
}

export const SHA = 'a'.repeat(40);
export const GATED_TOKEN = 'hf_test_token';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)).split('\\').join('/'));
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Serves `repos` (id → local folder); ids starting with "gated/" need GATED_TOKEN. */
export async function startFakeHub(repos: Record<string, string>): Promise<FakeHub> {
  const requests: string[] = [];
  const failures = new Set<string>();
  const send = (res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, headers);
    res.end(body);
  };
  const fileFor = (repo: string, path: string): Buffer | undefined => {
    const root = repos[repo];
    if (!root || !listFiles(root).includes(path)) return undefined;
    return readFileSync(join(root, path));
  };

  const cdn = await listen((req, res) => {
    requests.push(`cdn ${req.headers.authorization ?? '-'} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://cdn');
    const repo = url.searchParams.get('repo') ?? '';
    const body = fileFor(repo, url.searchParams.get('path') ?? '');
    if (!body) return send(res, 404, 'not found');
    send(res, 200, body);
  });

  const hub = await listen((req, res) => {
    requests.push(`hub ${req.headers.authorization ?? '-'} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://hub');
    for (const prefix of failures) {
      if (url.pathname.startsWith(prefix)) {
        failures.delete(prefix);
        return send(res, 503, 'try again');
      }
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = decodeURIComponent((api ?? resolve)?.[1] ?? '');
    if (!repos[repo]) return send(res, 404, 'no such repo', { 'x-error-code': 'RepoNotFound' });
    if (repo.startsWith('gated/') && req.headers.authorization !== `Bearer ${GATED_TOKEN}`) {
      return send(res, 401, 'gated', { 'x-error-code': 'GatedRepo' });
    }
    if (api) {
      const revision = decodeURIComponent(api[2] ?? '');
      if (revision !== 'main' && revision !== SHA) return send(res, 404, 'no such revision', { 'x-error-code': 'RevisionNotFound' });
      const siblings = listFiles(repos[repo] as string).map((rfilename) => ({ rfilename }));
      return send(res, 200, JSON.stringify({ id: repo, sha: SHA, siblings }), { 'content-type': 'application/json' });
    }
    if (resolve) {
      const path = resolve[3]?.split('/').map(decodeURIComponent).join('/') ?? '';
      const body = fileFor(repo, path);
      if (!body) return send(res, 404, 'no such file', { 'x-error-code': 'EntryNotFound' });
      const etag = createHash('sha256').update(body).digest('hex');
      if (path.endsWith('.onnx')) {
        // Large files live on a CDN of another origin: the token must not follow the redirect.
        return send(res, 302, '', {
          location: `${cdn.origin}/blob?repo=${encodeURIComponent(repo)}&path=${encodeURIComponent(path)}`,
          'x-linked-etag': `"${etag}"`,
          'x-repo-commit': SHA,
        });
      }
      return send(res, 200, body, { etag: `"${etag}"`, 'x-repo-commit': SHA });
    }
    send(res, 404, 'unknown route');
  });

  return {
    endpoint: hub.origin,
    requests,
    failOnce: (prefix) => failures.add(prefix),
    close: async () => {
      await new Promise((resolve) => hub.server.close(resolve));
      await new Promise((resolve) => cdn.server.close(resolve));
    },
  };
}
