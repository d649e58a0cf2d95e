/**
 * `sentencekit serve`: flags in text-embeddings-inference's names (--max-concurrent-requests,
 * --max-batch-tokens, --max-client-batch-size, --payload-limit, --auto-truncate, --api-key,
 * --port, --hostname), the models, and --workers N on Node's cluster module: the primary forks
 * N workers that each load the models and accept on the one port, forwards SIGTERM/SIGINT to
 * them and exits when they have drained. A worker that dies unasked is replaced.
 * Internal: the package's `bin`, not exported from its entry point.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

import { choiceFlag as choice, integerFlag, parseError, stringFlag, UsageError, type Values } from './cli-flags.js';
import type { CpuEngine, Device } from './device.js';
import type { LoadOptions } from './model-loading.js';
import { DEFAULT_CONFIG, type ServeConfig } from './server/config.js';
import { loadModels } from './server/load.js';
import { EmbeddingServer } from './server/server.js';

export const SERVE_USAGE = `usage: sentencekit serve --model <folder|hub id> [--reranker <folder|hub id>] [--sparse-model <folder|hub id>] [options]

Serves text-embeddings-inference's HTTP API (/embed, /embed_all, /embed_sparse, /rerank,
/predict, /similarity, /tokenize, /decode, /info, /health, /metrics), OpenAI's /v1/embeddings,
a Cohere/Jina-style /v1/rerank, and the probes /live and /ready. At least one model is needed.

models:
  -m, --model <folder|hub id>     the embedding model (/embed, /v1/embeddings, …)
      --reranker <folder|hub id>  a cross-encoder (/rerank, /predict, /v1/rerank)
      --sparse-model <folder|hub id>
                                  a SPLADE model (/embed_sparse)
      --device <cpu|cuda|auto>    where the models run (default cpu)
      --cpu-engine <onnxruntime|int8|bf16x3>
      --file-name <path>          the ONNX file in each model folder
      --quantized                 load the int8 ONNX export for this CPU
      --max-seq-length <n>        truncate inputs to n tokens (default: the model's)
      --intra-op-threads <n>      threads per model run (default: the cores, divided by --workers)

server:
  -p, --port <n>                  default 3000 (or $PORT)
      --hostname <host>           default 0.0.0.0
      --workers <n>               processes sharing the port (Node's cluster; default 1)
      --max-concurrent-requests <n>  past this many in flight, 429 (default 512)
      --max-batch-tokens <n>      padded tokens per model run (default 16384)
      --max-client-batch-size <n> inputs per request; more is a 413 (default 32)
      --auto-split                take larger requests, run in parts of --max-client-batch-size
      --payload-limit <bytes>     larger request bodies are a 413 (default 2000000)
      --auto-truncate             truncate over-long inputs unless a request says truncate: false
      --api-key <key>             require "Authorization: Bearer <key>" (or $API_KEY); the
                                  probes /health, /live and /ready stay open
  -h, --help                      print this help and exit`;

const OPTIONS = {
  model: { type: 'string', short: 'm' },
  reranker: { type: 'string' },
  'sparse-model': { type: 'string' },
  device: { type: 'string' },
  'cpu-engine': { type: 'string' },
  'file-name': { type: 'string' },
  quantized: { type: 'boolean' },
  'max-seq-length': { type: 'string' },
  'intra-op-threads': { type: 'string' },
  port: { type: 'string', short: 'p' },
  hostname: { type: 'string' },
  workers: { type: 'string' },
  'max-concurrent-requests': { type: 'string' },
  'max-batch-tokens': { type: 'string' },
  'max-client-batch-size': { type: 'string' },
  'auto-split': { type: 'boolean' },
  'payload-limit': { type: 'string' },
  'auto-truncate': { type: 'boolean' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function text(values: Values, name: string): string | null {
  return stringFlag(values, name) ?? null;
}

/** A positive integer flag, or one within [min, max]. */
function integer(values: Values, name: string, min?: number, max?: number): number | undefined {
  return integerFlag(values, name, min === undefined ? undefined : { min, max: max ?? Number.MAX_SAFE_INTEGER });
}

export interface ServeArguments {
  config: ServeConfig;
  load: LoadOptions;
  model: string | null;
  reranker: string | null;
  sparseModel: string | null;
  port: number;
  hostname: string;
  workers: number;
}

/** Parses `serve`'s arguments; null when --help was printed. */
export function parseServeArguments(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArguments | null {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }) as { values: Values; positionals: string[] });
  } catch (error) {
    throw parseError(error, Object.keys(OPTIONS));
  }
  if (values.help === true) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return null;
  }
  if (positionals.length > 0) throw new UsageError(`serve takes no texts, but received ${JSON.stringify(positionals[0])}`);
  const model = text(values, 'model');
  const reranker = text(values, 'reranker');
  const sparseModel = text(values, 'sparse-model');
  if (model === null && reranker === null && sparseModel === null) throw new UsageError('serve needs a model: --model, --reranker or --sparse-model');
  const workers = integer(values, 'workers', 1, 256) ?? 1;

  const load: LoadOptions = {};
  const device = choice<Device>(values, 'device', ['cpu', 'cuda', 'auto']);
  if (device !== undefined) load.device = device;
  const cpuEngine = choice<CpuEngine>(values, 'cpu-engine', ['onnxruntime', 'int8', 'bf16x3']);
  if (cpuEngine !== undefined) load.cpuEngine = cpuEngine;
  const fileName = text(values, 'file-name');
  if (fileName !== null) load.fileName = fileName;
  if (values.quantized === true) load.quantized = true;
  const maxSeqLength = integer(values, 'max-seq-length');
  if (maxSeqLength !== undefined) load.maxSeqLength = maxSeqLength;
  // N workers each running a model on every core would oversubscribe the CPU N times over.
  const threads = integer(values, 'intra-op-threads') ?? (workers > 1 ? Math.max(1, Math.floor(availableParallelism() / workers)) : undefined);
  if (threads !== undefined) load.intraOpThreads = threads;

  const envPort = env.PORT === undefined ? undefined : integer({ port: env.PORT }, 'port', 0, 65535);
  const config: ServeConfig = {
    ...DEFAULT_CONFIG,
    maxConcurrentRequests: integer(values, 'max-concurrent-requests') ?? DEFAULT_CONFIG.maxConcurrentRequests,
    maxBatchTokens: integer(values, 'max-batch-tokens') ?? DEFAULT_CONFIG.maxBatchTokens,
    maxClientBatchSize: integer(values, 'max-client-batch-size') ?? DEFAULT_CONFIG.maxClientBatchSize,
    payloadLimit: integer(values, 'payload-limit') ?? DEFAULT_CONFIG.payloadLimit,
    autoTruncate: values['auto-truncate'] === true,
    autoSplit: values['auto-split'] === true,
    apiKey: text(values, 'api-key') ?? (env.API_KEY === undefined || env.API_KEY === '' ? null : env.API_KEY),
    modelId: model,
    rerankerId: reranker,
    sparseModelId: sparseModel,
  };
  return {
    config,
    load,
    model,
    reranker,
    sparseModel,
    port: integer(values, 'port', 0, 65535) ?? envPort ?? 3000,
    hostname: text(values, 'hostname') ?? '0.0.0.0',
    workers,
  };
}

function log(message: string): void {
  process.stderr.write(`sentencekit serve${cluster.isWorker ? ` [worker ${cluster.worker?.id}]` : ''}: ${message}\n`);
}

/** One serving process: listens at once (so /live answers during the load), then loads the models. */
async function serveOne(args: ServeArguments): Promise<void> {
  const server = new EmbeddingServer(args.config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining`);
    server.shutdown().then(() => {
      log('stopped');
      process.exit(0);
    }, (error: unknown) => {
      log(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const address = await server.listen(args.port, args.hostname);
  const models = await loadModels({ model: args.model, reranker: args.reranker, sparseModel: args.sparseModel, load: args.load, maxBatchTokens: args.config.maxBatchTokens });
  if (stopping) {
    await Promise.all([models.embedder?.dispose(), models.reranker?.dispose(), models.sparse?.dispose()]);
    return;
  }
  server.setModels(models);
  log(`ready on http://${address.address}:${address.port}`);
}

/** The cluster primary: forks the workers, replaces one that dies unasked, forwards the signals. */
function primary(args: ServeArguments): void {
  let stopping = false;
  const fork = (): void => {
    cluster.fork();
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log('all workers stopped');
        process.exit(0);
      }
      return;
    }
    log(`worker ${worker.id} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining ${args.workers} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < args.workers; i++) fork();
}

export async function runServe(argv: string[]): Promise<void> {
  const args = parseServeArguments(argv);
  if (args === null) return;
  if (args.workers > 1 && cluster.isPrimary) {
    primary(args);
    return;
  }
  await serveOne(args);
}
