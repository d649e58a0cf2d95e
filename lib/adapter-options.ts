/**
 * What the framework adapters (langchain, ai-sdk, llamaindex) share: the model checks and the
 * encode() options they pass on. Loaded only through the adapters' entry points.
 */
import { CrossEncoder } from './cross-encoder.js';
import { SentenceTransformer, type FloatEncodeOptions } from './sentence-transformer.js';
import { describeValue, validateBoolean, validatePositiveInteger } from './validate.js';

/** encode() options an adapter applies to every call. */
export interface AdapterEncodeOptions {
  /** L2-normalize each vector. Default false (the model's own Normalize module still applies). */
  normalizeEmbeddings?: boolean;
  /** Texts per model run. Default 32. */
  batchSize?: number;
  /** Keep only the first `truncateDim` dimensions (Matryoshka models). */
  truncateDim?: number;
}

export function checkModel(model: unknown): SentenceTransformer {
  if (!(model instanceof SentenceTransformer)) {
    throw new TypeError(`expected model to be a SentenceTransformer (await SentenceTransformer.fromPretrained(…)) but received ${describeValue(model)}`);
  }
  return model;
}

export function checkReranker(model: unknown): CrossEncoder {
  if (!(model instanceof CrossEncoder)) {
    throw new TypeError(`expected model to be a CrossEncoder (await CrossEncoder.fromPretrained(…)) but received ${describeValue(model)}`);
  }
  if (model.numLabels !== 1) {
    throw new RangeError(`expected a single-label CrossEncoder (a reranker) but received one with ${model.numLabels} labels (${model.labels.join(', ')})`);
  }
  return model;
}

/** The options checked once, when the adapter is made, so a typo fails there and not mid-pipeline. */
export function encodeOptions(options: AdapterEncodeOptions, where: string): FloatEncodeOptions {
  const out: FloatEncodeOptions = {};
  if (options.normalizeEmbeddings !== undefined) out.normalizeEmbeddings = validateBoolean(options.normalizeEmbeddings, `${where} normalizeEmbeddings`);
  if (options.batchSize !== undefined) out.batchSize = validatePositiveInteger(options.batchSize, `${where} batchSize`);
  if (options.truncateDim !== undefined) out.truncateDim = validatePositiveInteger(options.truncateDim, `${where} truncateDim`);
  return out;
}

/** A positive integer or undefined (topN and the like). */
export function optionalCount(value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : validatePositiveInteger(value, what);
}
