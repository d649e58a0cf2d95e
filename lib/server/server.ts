/**
 * `sentencekit serve`: text-embeddings-inference's HTTP API (and OpenAI's /v1/embeddings) over
 * the models of one process.
 *
 * Built on node:http rather than a framework: the package keeps its one runtime dependency,
 * the routes are a dozen JSON POSTs whose fields TEI's serde structs define (read by hand in
 * fields.ts, with TEI's defaults, which a JSON-schema validator would only restate), and the
 * time of a request is the model's, not the router's (bench/server: the server against
 * in-process encode in the same run).
 *
 * Every model request goes through the models' own cross-caller batching
 * (lib/encode-scheduler.ts), so concurrent requests share native runs.
 * Internal: not exported from the package entry point.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiKeyCheck } from './auth.js';
import { readJsonBody } from './body.js';
import { DEFAULT_CONFIG, type ServeConfig } from './config.js';
import type { RouteContext, RouteResult, ServerModels } from './context.js';
import { HttpError, openAiErrorBody, teiErrorBody, toHttpError } from './errors.js';
import { Metrics } from './metrics.js';
import { openAiEmbeddings } from './openai.js';
import { info } from './probes.js';
import { embed, embedAll, embedSparse, similarity } from './routes-embed.js';
import { predict, rerank, rerankV1 } from './routes-rerank.js';
import { decode, tokenize } from './routes-tokenize.js';

type Handler = (body: unknown, context: RouteContext) => Promise<RouteResult>;

interface ModelRoute {
  handler: Handler;
  /** The metric label. */
  method: string;
  /** /v1 routes answer errors in OpenAI's shape. */
  openai: boolean;
}

const MODEL_ROUTES: Record<string, ModelRoute> = {
  '/embed': { handler: embed, method: 'embed', openai: false },
  '/embed_all': { handler: embedAll, method: 'embed_all', openai: false },
  '/embed_sparse': { handler: embedSparse, method: 'embed_sparse', openai: false },
  '/similarity': { handler: similarity, method: 'similarity', openai: false },
  '/rerank': { handler: rerank, method: 'rerank', openai: false },
  '/predict': { handler: predict, method: 'predict', openai: false },
  '/tokenize': { handler: tokenize, method: 'tokenize', openai: false },
  '/decode': { handler: decode, method: 'decode', openai: false },
  '/v1/embeddings': { handler: openAiEmbeddings, method: 'openai', openai: true },
  // TEI serves the OpenAI route at /embeddings too.
  '/embeddings': { handler: openAiEmbeddings, method: 'openai', openai: true },
  '/v1/rerank': { handler: rerankV1, method: 'rerank_v1', openai: true },
};

const GET_ROUTES = new Set(['/info', '/health', '/live', '/ready', '/metrics']);
// Probes answer without the API key: a kubelet or load balancer sends none.
const OPEN_ROUTES = new Set(['/health', '/live', '/ready']);

export class EmbeddingServer {
  readonly config: ServeConfig;
  readonly metrics = new Metrics();
  readonly http: Server;
  #models: ServerModels | null = null;
  #draining = false;
  #inflight = 0;
  #modelInflight = 0;
  #idle: Array<() => void> = [];
  readonly #auth: ApiKeyCheck | null;

  constructor(config: Partial<ServeConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.#auth = this.config.apiKey === null ? null : new ApiKeyCheck(this.config.apiKey);
    this.http = createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  /** Serves these models from now on: /ready and /health turn 200. */
  setModels(models: ServerModels): void {
    this.#models = models;
    models.embedder?.observeRuns((run) => this.metrics.observeRun(run));
  }

  get ready(): boolean {
    return this.#models !== null && !this.#draining;
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /**
   * Graceful shutdown (SIGTERM): new requests get 503, requests in flight finish, the listener
   * and idle keep-alive connections close, then the models are disposed.
   */
  async shutdown(): Promise<void> {
    if (!this.#draining) {
      this.#draining = true;
      this.http.close();
      this.http.closeIdleConnections();
    }
    if (this.#inflight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    const models = this.#models;
    this.#models = null;
    if (models !== null) {
      await Promise.all([models.embedder?.dispose(), models.reranker?.dispose(), models.sparse?.dispose()]);
    }
    this.http.closeAllConnections();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#inflight++;
    try {
      await this.#route(request, response);
    } catch (error) {
      // Only a failure to write the response itself gets here.
      if (!response.headersSent) this.#send(response, 500, { error: (error as Error).message, error_type: 'Backend' });
      else response.destroy();
    } finally {
      this.#inflight--;
      if (this.#inflight === 0 && this.#draining) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
    const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
    response.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      ...(this.#draining ? { connection: 'close' } : {}),
      ...headers,
    });
    response.end(text);
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] as string;
    const route = MODEL_ROUTES[path];
    try {
      if (this.#draining) throw new HttpError('Unhealthy', 'the server is shutting down', { metric: 'shutdown' });
      if (this.#auth !== null && !OPEN_ROUTES.has(path)) this.#auth.check(request);
      if (GET_ROUTES.has(path)) {
        if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError('NotFound', `${request.method} ${path}: use GET`, { status: 405 });
        this.#get(path, response);
        return;
      }
      if (route === undefined) throw new HttpError('NotFound', `no route ${path}`);
      if (request.method !== 'POST') throw new HttpError('NotFound', `${request.method} ${path}: use POST`, { status: 405 });
      await this.#model(route, request, response);
    } catch (error) {
      const err = toHttpError(error);
      if (route !== undefined) this.metrics.failures.inc({ method: route.method, err: err.metric });
      this.#send(response, err.status, route?.openai ? openAiErrorBody(err) : teiErrorBody(err));
    }
  }

  #get(path: string, response: ServerResponse): void {
    if (path === '/live') return this.#send(response, 200, { status: 'ok' });
    const models = this.#models;
    if (path === '/metrics') return this.#send(response, 200, this.metrics.render(), {}, 'text/plain; version=0.0.4');
    if (models === null) throw new HttpError('Unhealthy', 'the model is loading', { metric: 'loading' });
    if (path === '/info') return this.#send(response, 200, info(models, this.config));
    if (path === '/ready') return this.#send(response, 200, { status: 'ready' });
    // /health: TEI answers 200 with an empty body.
    response.writeHead(200, { 'content-length': 0 });
    response.end();
  }

  async #model(route: ModelRoute, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = route.method;
    this.metrics.requests.inc({ method });
    const models = this.#models;
    if (models === null) throw new HttpError('Unhealthy', 'the model is loading', { metric: 'loading' });
    // TEI's permits: past max_concurrent_requests a request is refused, not queued.
    if (this.#modelInflight >= this.config.maxConcurrentRequests) throw new HttpError('Overloaded', 'Model is overloaded', { metric: 'overloaded' });
    this.#modelInflight++;
    this.metrics.queueSize = this.#modelInflight;
    try {
      const body = await readJsonBody(request, this.config.payloadLimit);
      const result = await route.handler(body, { models, config: this.config, metrics: this.metrics, method });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.successes.inc({ method });
      this.metrics.duration.observe(seconds, { method });
      if (result.tokens > 0) this.metrics.tokens.inc({ method }, result.tokens);
      this.#send(response, 200, result.body, {
        'x-compute-type': models.embedder?.device ?? models.reranker?.device ?? 'cpu',
        'x-compute-tokens': String(result.tokens),
        'x-total-time': String(Math.round(seconds * 1000)),
      });
    } finally {
      this.#modelInflight--;
      this.metrics.queueSize = this.#modelInflight;
    }
  }
}
