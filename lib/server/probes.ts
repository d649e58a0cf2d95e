/**
 * /info (TEI's Info: model and router parameters), /health (TEI: 200 once the model answers,
 * 503 otherwise), and the Kubernetes probes: /live answers 200 while the process serves
 * requests at all, /ready 200 only while the models are loaded and the server is not draining,
 * so a rolling update stops sending traffic before SIGTERM's drain ends.
 * Internal: not exported from the package entry point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../package-root.js';
import type { ServerModels } from './context.js';
import type { ServeConfig } from './config.js';

let cachedVersion: string | null = null;
export function packageVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

function modelType(models: ServerModels): Record<string, unknown> {
  if (models.embedder !== null) return { embedding: { pooling: models.pooling ?? 'unknown' } };
  if (models.reranker !== null) {
    const labels = models.reranker.labels;
    const id2label = Object.fromEntries(labels.map((label, i) => [String(i), label]));
    const label2id = Object.fromEntries(labels.map((label, i) => [label, i]));
    return models.reranker.numLabels === 1 ? { reranker: { id2label, label2id } } : { classifier: { id2label, label2id } };
  }
  return { embedding: { pooling: 'splade' } };
}

export function info(models: ServerModels, config: ServeConfig): Record<string, unknown> {
  const maxInputLength = models.embedder?.maxSeqLength ?? models.reranker?.maxLength ?? models.sparse?.maxSeqLength ?? 0;
  return {
    model_id: config.modelId ?? config.rerankerId ?? config.sparseModelId,
    model_sha: null,
    model_dtype: 'float32',
    model_type: modelType(models),
    max_concurrent_requests: config.maxConcurrentRequests,
    max_input_length: maxInputLength,
    max_batch_tokens: config.maxBatchTokens,
    max_batch_requests: null,
    max_client_batch_size: config.maxClientBatchSize,
    auto_truncate: config.autoTruncate,
    tokenization_workers: 1,
    version: packageVersion(),
    sha: null,
    docker_label: null,
    // Not in TEI's Info: every model this server hosts, by route.
    sentencekit: {
      device: models.embedder?.device ?? models.reranker?.device ?? 'cpu',
      embedding_model: config.modelId,
      reranker: config.rerankerId,
      sparse_model: config.sparseModelId,
      dimension: models.embedder?.dimension ?? null,
      // What the embedding model embeds: ['text'], or ['text', 'image'] for a CLIP model.
      modalities: models.embedder?.modalities ?? null,
    },
  };
}
