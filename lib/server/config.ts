/**
 * The server's limits, with text-embeddings-inference's defaults (router/src/main.rs):
 * 512 concurrent requests, 16384 batch tokens, 32 inputs per request, a 2 MB body.
 * Internal: not exported from the package entry point.
 */
export interface ServeConfig {
  /** Requests past this many in flight get 429. */
  maxConcurrentRequests: number;
  /** The padded tokens one model run takes (the scheduler's maxBatchTokens). */
  maxBatchTokens: number;
  /** Inputs one request may carry; more is a 413 unless autoSplit. */
  maxClientBatchSize: number;
  /** Request bodies past this many bytes get 413. */
  payloadLimit: number;
  /** Truncate over-long inputs when a request does not say (TEI's --auto-truncate). */
  autoTruncate: boolean;
  /** Take requests of more than maxClientBatchSize inputs, run in parts of that size. */
  autoSplit: boolean;
  /** Bearer token every route but the probes requires; null for none. */
  apiKey: string | null;
  /** The names /info and /v1 report for the models. */
  modelId: string | null;
  rerankerId: string | null;
  sparseModelId: string | null;
}

export const DEFAULT_CONFIG: ServeConfig = {
  maxConcurrentRequests: 512,
  maxBatchTokens: 16384,
  maxClientBatchSize: 32,
  payloadLimit: 2_000_000,
  autoTruncate: false,
  autoSplit: false,
  apiKey: null,
  modelId: null,
  rerankerId: null,
  sparseModelId: null,
};
