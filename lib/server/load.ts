/**
 * Loads the models `serve` was given: an embedding model (--model), a cross-encoder
 * (--reranker) and a SPLADE model (--sparse-model), each a folder or a Hub id.
 * Internal: not exported from the package entry point.
 */
import { stat } from 'node:fs/promises';

import { CrossEncoder } from '../cross-encoder.js';
import { resolveModelFolder } from '../hub.js';
import type { LoadOptions } from '../model-loading.js';
import { readSentenceTransformerFolder } from '../model-folder.js';
import { SentenceTransformer } from '../sentence-transformer.js';
import { SparseEncoder } from '../sparse-encoder.js';
import type { ServerModels } from './context.js';
import { TokenCounter } from './token-counter.js';
import { readVocabulary } from './vocabulary.js';

export interface ModelSpec {
  model: string | null;
  reranker: string | null;
  sparseModel: string | null;
  load: LoadOptions;
  /** The scheduler's padded-token budget per run (TEI's --max-batch-tokens). */
  maxBatchTokens: number;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function loadModels(spec: ModelSpec): Promise<ServerModels> {
  const embedder = spec.model === null ? null : await SentenceTransformer.fromPretrained(spec.model, { ...spec.load, maxBatchTokens: spec.maxBatchTokens });
  let pooling: string | null = null;
  let vocabulary: ServerModels['vocabulary'] = null;
  if (spec.model !== null) {
    // After fromPretrained a Hub id is in the cache: read it from there.
    const root = (await isDirectory(spec.model)) ? spec.model : await resolveModelFolder(spec.model, { localFilesOnly: true });
    try {
      const folder = await readSentenceTransformerFolder(root, spec.load.fileName === undefined ? {} : { fileName: spec.load.fileName });
      pooling = folder.pooling.modes.join('+');
      vocabulary = await readVocabulary(folder.tokenizerPath, folder.tokenizerJson);
    } catch {
      // A folder the model loaded from without an ONNX export (cpuEngine int8 / bf16x3): /info
      // reports its pooling as unknown and /tokenize answers 424.
    }
  }
  const reranker = spec.reranker === null ? null : await CrossEncoder.fromPretrained(spec.reranker, spec.load);
  const sparse = spec.sparseModel === null ? null : await SparseEncoder.fromPretrained(spec.sparseModel, spec.load);
  return { embedder, reranker, sparse, pooling, vocabulary, counter: embedder === null ? null : new TokenCounter(embedder) };
}
