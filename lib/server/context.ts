/**
 * What every route handler gets: the loaded models, the limits and the metrics.
 * Internal: not exported from the package entry point.
 */
import type { CrossEncoder } from '../cross-encoder.js';
import type { SentenceTransformer } from '../sentence-transformer.js';
import type { SparseEncoder } from '../sparse-encoder.js';
import type { ServeConfig } from './config.js';
import { HttpError } from './errors.js';
import type { Metrics } from './metrics.js';

export interface ServerModels {
  embedder: SentenceTransformer | null;
  reranker: CrossEncoder | null;
  sparse: SparseEncoder | null;
  /** Token strings of the embedder's tokenizer, for /tokenize. */
  vocabulary: import('./vocabulary.js').TokenVocabulary | null;
  /** Token counts of the embedder's inputs, merged across requests. */
  counter: import('./token-counter.js').TokenCounter | null;
  /** The embedder's pooling, as /info reports it (e.g. "mean"). */
  pooling: string | null;
}

export interface RouteContext {
  models: ServerModels;
  config: ServeConfig;
  metrics: Metrics;
  /** The route's metric label, e.g. "embed". */
  method: string;
}

/** A handler's answer: the JSON body, and the tokens it computed (x-compute-tokens, metrics). */
export interface RouteResult {
  body: unknown;
  tokens: number;
}

export function need<T>(model: T | null, what: string, flag: string): T {
  if (model === null) throw new HttpError('Backend', `this route needs ${what}: start the server with ${flag}`, { metric: 'model_type' });
  return model;
}

/** TEI's batch checks: an empty batch is 400 Empty; past max_client_batch_size 413, unless auto-split. */
export function checkBatch(count: number, context: RouteContext, name = 'inputs'): void {
  if (count === 0) throw new HttpError('Empty', `\`${name}\` cannot be empty`, { metric: 'empty' });
  const max = context.config.maxClientBatchSize;
  if (count > max && !context.config.autoSplit) {
    throw new HttpError('Validation', `batch size ${count} > maximum allowed batch size ${max}`, { metric: 'batch_size' });
  }
  context.metrics.batchSize.observe(count, { method: context.method });
}

/** Runs `work` over parts of at most max_client_batch_size items (auto-split), concurrently, in order. */
export async function inParts<T, R>(items: T[], context: RouteContext, work: (part: T[]) => Promise<R[]>): Promise<R[]> {
  const size = context.config.maxClientBatchSize;
  if (items.length <= size) return work(items);
  const parts: Array<Promise<R[]>> = [];
  for (let at = 0; at < items.length; at += size) parts.push(work(items.slice(at, at + size)));
  return (await Promise.all(parts)).flat();
}
