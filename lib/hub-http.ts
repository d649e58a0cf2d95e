/**
 * HTTP to the Hub as huggingface_hub does it: the token only to Hub hosts, file metadata from
 * a HEAD whose redirects are followed only while they stay on a Hub host (the 302 to a CDN
 * carries X-Linked-Etag / X-Linked-Size itself, and the CDN answers with an ETag of its own),
 * retries with exponential backoff on network errors, 408, 429 and 5xx.
 * Internal: not exported from the package entry point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SentenceKitError } from './errors.js';
import { type FailureContext, HubHttpError, hubHttpError } from './hub-errors.js';
import type { HubToken } from './hub-env.js';
import { packageRoot } from './package-root.js';

/**
 * huggingface_hub's backoff: 5 retries, waits from 1 s doubling up to 8 s. Mutable for tests only.
 * @internal
 */
export const RETRY_POLICY = { retries: 5, baseMs: 1000, maxMs: 8000 };

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 20;

let userAgent: string | undefined;

/** "name/version; …" as huggingface_hub formats its own, so the Hub can tell clients apart. */
function hubUserAgent(): string {
  if (userAgent === undefined) {
    let version = 'unknown';
    try {
      version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? version;
    } catch {
      // a user agent without our version is still a user agent
    }
    userAgent = `sentencekit/${version}; node/${process.versions.node}`;
  }
  return userAgent;
}

/** A network failure (no HTTP answer): the Hub is unreachable, so the cache may answer instead. */
export class HubUnreachableError extends SentenceKitError {
  constructor(message: string, cause: unknown) {
    super('ERR_HUB', message, { cause });
  }
}

/** A failure worth retrying: no answer at all, or a Hub that said "later" (408, 429, 5xx). */
export function isTransient(error: unknown): boolean {
  return error instanceof HubUnreachableError || (error instanceof HubHttpError && (error.failure === 'server' || error.failure === 'rate-limited'));
}

/** What a HEAD on /resolve/ says about a file (huggingface_hub's HfFileMetadata). */
export interface FileMetadata {
  /** X-Repo-Commit. */
  commit: string;
  /** X-Linked-Etag, else ETag, without W/ and quotes: the blob's name in the cache. */
  etag: string;
  /** X-Linked-Size, else Content-Length of a non-redirect answer. */
  size: number | undefined;
  /** Where to GET it: the redirect's target (a CDN), or the resolve URL itself. */
  location: string;
}

/** huggingface_hub's `_normalize_etag`. */
export function normalizeEtag(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  return etag.replace(/^[W/]+/, '').replace(/^"+|"+$/g, '');
}

function hostname(url: string): string {
  return new URL(url).hostname.toLowerCase();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface HubClientOptions {
  endpoint: string;
  token: HubToken | undefined;
  signal: AbortSignal | undefined;
  etagTimeoutMs: number;
  downloadTimeoutMs: number;
}

export class HubClient {
  readonly endpoint: string;
  readonly #token: HubToken | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #etagTimeoutMs: number;
  readonly downloadTimeoutMs: number;
  readonly #hubHosts: Set<string>;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#token = options.token;
    this.#signal = options.signal;
    this.#etagTimeoutMs = options.etagTimeoutMs;
    this.downloadTimeoutMs = options.downloadTimeoutMs;
    // huggingface_hub's HF_URL_HOSTS: the hosts trusted with the token.
    this.#hubHosts = new Set(['hf.co', 'huggingface.co', 'hub-ci.huggingface.co', hostname(this.endpoint)]);
  }

  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  get tokenSource(): string | undefined {
    return this.#token?.source;
  }

  /** `_is_same_or_hub_host`: hostnames compared, ports not. */
  sameOrHubHost(url: string, target: string): boolean {
    const host = hostname(target);
    return host === hostname(url) || this.#hubHosts.has(host);
  }

  /** Headers for `target`, reached from `origin` (a Hub URL): the token only where the Hub is. */
  headers(origin: string, target: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': hubUserAgent(), ...extra };
    if (this.#token && this.sameOrHubHost(origin, target)) headers.authorization = `Bearer ${this.#token.token}`;
    return headers;
  }

  context(repo: string, what: string): FailureContext {
    return { what, repo, endpoint: this.endpoint, tokenSource: this.#token?.source };
  }

  /**
   * One request, retried (when `retry`) on network errors and 408/429/5xx with backoff; any
   * other non-2xx/3xx answer becomes a HubHttpError. `timeoutMs` bounds the wait for headers.
   */
  async request(url: string, init: { method?: string; headers: Record<string, string>; redirect?: 'follow' | 'manual'; timeoutMs?: number }, context: FailureContext, retry: boolean): Promise<Response> {
    let wait = RETRY_POLICY.baseMs;
    for (let attempt = 0; ; attempt += 1) {
      const last = !retry || attempt >= RETRY_POLICY.retries;
      let response: Response;
      try {
        response = await this.#fetch(url, init);
      } catch (error) {
        if (this.#signal?.aborted) throw this.#signal.reason;
        if (last) throw new HubUnreachableError(`${context.what}: ${this.endpoint} could not be reached (${describeNetworkError(error)})`, error);
        await sleep(wait, this.#signal);
        wait = Math.min(RETRY_POLICY.maxMs, wait * 2);
        continue;
      }
      if (response.status < 400) return response;
      if (!last && RETRY_STATUSES.has(response.status)) {
        await response.body?.cancel();
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 + 1000 : wait, this.#signal);
        wait = Math.min(RETRY_POLICY.maxMs, wait * 2);
        continue;
      }
      const body = init.method === 'HEAD' ? '' : await response.text().catch(() => '');
      throw hubHttpError({ status: response.status, url, headers: response.headers, body }, context);
    }
  }

  async #fetch(url: string, init: { method?: string; headers: Record<string, string>; redirect?: 'follow' | 'manual'; timeoutMs?: number }): Promise<Response> {
    const signals = [init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs), this.#signal].filter((s): s is AbortSignal => s !== undefined);
    const request: RequestInit = { method: init.method ?? 'GET', headers: init.headers, redirect: init.redirect ?? 'follow' };
    if (signals.length > 0) request.signal = signals.length === 1 ? signals[0] as AbortSignal : AbortSignal.any(signals);
    return fetch(url, request);
  }

  /** GET a JSON document from the Hub's API. */
  async json<T>(url: string, context: FailureContext, retry: boolean): Promise<{ body: T; headers: Headers }> {
    const response = await this.request(url, { headers: this.headers(url, url), timeoutMs: this.#etagTimeoutMs }, context, retry);
    try {
      return { body: (await response.json()) as T, headers: response.headers };
    } catch (error) {
      throw new HubHttpError('ERR_HUB', `${context.what}: ${this.endpoint} answered something that is not JSON (${(error as Error).message})`, response.status, 'other');
    }
  }

  /**
   * huggingface_hub's `get_hf_file_metadata`: HEAD with Accept-Encoding identity (to learn the
   * real size), following only redirects that stay on a Hub host; a redirect elsewhere (the CDN)
   * is the answer, its headers the metadata.
   */
  async fileMetadata(url: string, context: FailureContext, retry: boolean): Promise<FileMetadata> {
    let current = url;
    for (let hop = 0; hop < MAX_REDIRECTS; hop += 1) {
      const response = await this.request(current, { method: 'HEAD', headers: this.headers(url, current, { 'accept-encoding': 'identity' }), redirect: 'manual', timeoutMs: this.#etagTimeoutMs }, context, retry);
      const location = response.headers.get('location');
      const redirect = response.status >= 300 && response.status < 400 && location !== null;
      const target = redirect ? new URL(location, current).toString() : current;
      if (redirect && this.sameOrHubHost(current, target)) {
        current = target;
        continue;
      }
      const commit = response.headers.get('x-repo-commit');
      const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
      if (!commit) {
        throw new HubHttpError('ERR_HUB', `${context.what}: the answer from ${current} has no X-Repo-Commit header, so ${this.endpoint} does not look like a Hugging Face Hub (check HF_ENDPOINT, proxies and firewalls)`, response.status, 'other');
      }
      if (!etag) {
        throw new HubHttpError('ERR_HUB', `${context.what}: the answer from ${current} has no ETag, so the file cannot be cached reliably`, response.status, 'other');
      }
      const sizeHeader = response.headers.get('x-linked-size') ?? (redirect ? null : response.headers.get('content-length'));
      const size = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : undefined;
      return { commit, etag, size, location: target };
    }
    throw new HubHttpError('ERR_HUB', `${context.what}: more than ${MAX_REDIRECTS} redirects from ${url}`, 310, 'other');
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  if ((error as Error)?.name === 'TimeoutError') return 'timed out';
  return (error as Error)?.message ?? String(error);
}
